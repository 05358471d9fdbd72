"""What the security tests need to call Dash callbacks as a browser would: the app's server-side
callbacks, a minimal request body for one, and the test account of each role."""

import json
from datetime import timedelta

from components.dispatch import ANSWER_URL
from db import alerts
from db.clock import utcnow

PAGES_ROUTER = "_pages_content"
ACCOUNT_FOR_ROLE = {
    "citizen": "citizen@example.in",
    "hospital_admin": "admin.a@example.in",
    "health_officer": "officer@example.in",
    "super_admin": "super@example.in",
    "display": "display@example.in",
}


def server_callbacks(web_app, client):
    """The server-side callbacks (clientside ones run in the browser and have no endpoint)."""
    client.get("/login")  # Dash finishes registering its callbacks on the first request
    return {k: v for k, v in web_app.callback_map.items() if "callback" in v}


def _parse_id(raw):
    return json.loads(raw) if raw.startswith("{") else raw


def _is_wildcard(component_id):
    return isinstance(component_id, dict) and any(isinstance(v, list) for v in component_id.values())


def _dependency(dep):
    component_id = _parse_id(dep["id"])
    if _is_wildcard(component_id):
        return []  # ALL with no matching components
    return {"id": component_id, "property": dep["property"], "value": None}


def body_for(key, spec):
    if key.startswith(".."):
        parts = key.strip(".").split("...")
        outputs = []
        for part in parts:
            component_id, prop = part.rsplit(".", 1)
            outputs.append({"id": _parse_id(component_id), "property": prop})
    else:
        component_id, prop = key.rsplit(".", 1)
        outputs = {"id": _parse_id(component_id), "property": prop}
    inputs = [_dependency(d) for d in spec["inputs"]]
    return {
        "output": key,
        "outputs": outputs,
        "inputs": inputs,
        "state": [_dependency(d) for d in spec.get("state", [])],
        "changedPropIds": [],
    }


def queue_action(web_app, kind):
    """The queue callback (output key, spec) that a button of this kind sets off."""
    found = [(key, spec) for key, spec in web_app.callback_map.items()
             if any(json.loads(dep["id"]).get("type") == kind for dep in spec["inputs"] if dep["id"].startswith("{"))]
    assert len(found) == 1, (kind, [key for key, _ in found])
    return found[0]


def answer_offer(auth, web_app, kind, sos_id, *, press=None):
    """Accept / Decline on a waiting card: assets/queue.js puts {kind, sos} in the press store and
    posts it, with Dash's CSRF header, to the queue's answer route (web/queue_answer.py). Returns
    the message the page shows."""
    status, said = post_answer(auth, press if press is not None else {"kind": kind, "sos": sos_id})
    assert status in (200, 400), (status, said)
    return said["message"]


def post_answer(auth, body, *, headers=None):
    """(status, JSON answer) of a POST to the queue's answer route, as assets/queue.js sends it."""
    response = auth.client.post(ANSWER_URL, json=body, headers=auth.dash_headers() if headers is None else headers)
    return response.status_code, response.get_json()


def queue_press(auth, web_app, kind, sos_id, *, extra=None, unit_value=None):
    """The body Dash's renderer sends when a queue button is clicked."""
    if kind in ("accept-sos", "decline-sos"):
        return answer_offer(auth, web_app, kind.split("-")[0], sos_id)
    button = {"type": kind, "sos": sos_id, **(extra or {})}
    key, spec = queue_action(web_app, kind)
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in key.strip(".").split("...")]
    chooses_unit = any("unit-select" in dep["id"] for dep in spec["state"])
    # Resolve is confirmed in a dialog first: its press is the dialog's submit.
    prop = spec["inputs"][0]["property"]
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [[{"id": button, "property": prop, "value": 1}]],
        "state": [[{"id": {"type": "unit-select", "sos": sos_id}, "property": "value", "value": unit_value}]]
        if chooses_unit else [],
        "changedPropIds": [json.dumps(button, sort_keys=True, separators=(",", ":")) + "." + prop],
    }
    response = auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    payload = response.get_json()["response"]
    assert "queue-message" in payload, payload.keys()
    return payload["queue-message"]["children"]


def save_beds_body(web_app, code, total, available, version):
    """What Dash's renderer sends when the Save button of one bed type's card is pressed."""
    key = next(key for key, spec in web_app.callback_map.items()
               if any('"type":"bed-save"' in dep["id"] for dep in spec["inputs"]))

    def in_card(kind):
        return {"type": kind, "code": code}

    outputs = []
    for part in key.strip(".").split("..."):
        component_id, prop = part.rsplit(".", 1)
        outputs.append({"id": in_card(json.loads(component_id)["type"]), "property": prop})
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": in_card("bed-save"), "property": "n_clicks", "value": 1}],
        "state": [
            {"id": in_card("bed-total"), "property": "value", "value": total},
            {"id": in_card("bed-available"), "property": "value", "value": available},
            {"id": in_card("bed-version"), "property": "data", "value": version},
        ],
        "changedPropIds": [f'{{"code":"{code}","type":"bed-save"}}.n_clicks'],
    }


def crew_sign_in(client, token):
    response = client.get(f"/kiosk/crew/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/crew")
    client.get("/crew")  # sets the CSRF cookie, as opening the page does
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value}


HINDI_HEADERS = {"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}


def dash_headers(client, page: str) -> dict:
    client.get(page)  # sets the double-submit cookie
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value, "Referer": f"http://localhost{page}"}


def dash_page(client, pathname: str, search: str = "") -> str:
    """What Dash's page router sends for a path, asked from that page (its Referer), as a browser does."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    answer = client.post("/_dash-update-component", json=body, headers=dash_headers(client, pathname))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_data(as_text=True)


def readable(text: str) -> str:
    """A Dash answer's JSON with its escaped characters read back (Hindi is sent as \\uXXXX)."""
    return json.dumps(json.loads(text), ensure_ascii=False)


def dash_frame(client, page: str) -> str:
    answer = client.get("/_dash-layout", headers={"Referer": f"http://localhost{page}"})
    assert answer.status_code == 200
    return readable(answer.get_data(as_text=True))


def beds_search(auth, web_app, kept, n):
    key, spec = next((k, s) for k, s in web_app.callback_map.items() if "beds-results.children" in k)
    values = {"beds-live.data": f"v{n}", "beds-type.value": "", **kept}

    def value(dep):
        return {"id": dep["id"], "property": dep["property"], "value": values.get(f"{dep['id']}.{dep['property']}")}

    body = {"output": key, "outputs": [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True))
                                       for p in key.strip(".").split("...")],
            "inputs": [value(d) for d in spec["inputs"]], "state": [value(d) for d in spec["state"]],
            "changedPropIds": ["beds-live.data"]}
    response = auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    raw = response.get_data()
    answer = json.loads(raw)["response"]
    if "beds-shown" in answer:
        kept["beds-shown.data"] = answer["beds-shown"]["data"]
    return len(raw), raw.decode()


ALERT_SELECTS = {"category": "Health", "urgency": "Expected", "severity": "Severe", "certainty": "Likely",
           "status": "Actual"}


def expand_dependency(dep, values: dict):
    """One dependency of a callback body; a form field's value is looked up by its name."""
    raw = dep["id"]
    component_id = json.loads(raw) if raw.startswith("{") else raw
    name = component_id["name"] if isinstance(component_id, dict) else raw
    out = {"id": component_id, "property": dep["property"]}
    if "value" in dep:
        out["value"] = values.get(name)
    return out


ALERT_BUTTONS = {"preview": "alert-preview-button", "new": "alert-publish-button",
           "update": "alert-publish-update-button", "cancel": "alert-publish-cancel-button"}


def alert_post(web_app, auth, *, button: str, fields: dict, mode="new", reference=None, reason=None,
                previewed=None, area_kind="circle"):
    button_id = ALERT_BUTTONS["preview" if button == "preview" else mode]
    auth.client.get("/login")
    [(key, spec)] = [(k, v) for k, v in web_app.callback_map.items()
                     if "callback" in v and any(d["id"] == button_id for d in v["inputs"])]
    values = dict(fields)
    values.update({button_id: 1, "alert-mode": mode, "alert-reference": reference, "alert-reason": reason,
                   "alert-area-kind": area_kind, "alert-previewed": previewed})
    values.update({f"alert-{k}": v for k, v in ALERT_SELECTS.items()})
    outputs = []
    for part in key.strip(".").split("..."):
        component_id, prop = part.rsplit(".", 1)
        outputs.append(expand_dependency({"id": component_id, "property": prop}, {}))
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [expand_dependency({**d, "value": None}, values) for d in spec["inputs"]],
        "state": [expand_dependency({**d, "value": None}, values) for d in spec["state"]],
        "changedPropIds": [f"{button_id}.n_clicks"],
    }
    response = auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    return response


def alert_form(**overrides):
    local = alerts.local_input_text(utcnow() + timedelta(hours=12))
    fields = {"event": "Dengue outbreak", "headline": "Dengue: empty standing water",
              "description": "Cases are rising.", "instruction": "Empty pots and buckets.",
              "effective": "", "expires": local, "area_desc": "", "centre": "12.9716, 77.5946", "radius": "8"}
    fields.update(overrides)
    return fields


def answer_of(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]

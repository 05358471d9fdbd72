"""What the security tests need to call Dash callbacks as a browser would: the app's server-side
callbacks, a minimal request body for one, and the test account of each role."""

import json

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

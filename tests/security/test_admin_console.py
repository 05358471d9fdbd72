"""The super admin's user and hospital callbacks, POSTed directly as Dash's renderer would.

`test_callbacks.py` already proves every callback refuses the wrong roles; here: what a refused
call leaves behind, what an accepted one does, and that no secret reaches the browser.
"""

import importlib
import json

from sqlalchemy import select

from db import jobhealth
from db.models import Hospital, User
from tests.builders import PASSWORD, T0


def _ids(page):
    """A console page's ids (a page module can be imported once the app exists: `web_app`)."""
    return importlib.import_module(f"pages.admin.{page}").ID


def _key_for(web_app, client, output_id, changed=None):
    """The callback that writes `output_id` and, when given, listens to the `changed` input."""
    client.get("/login")  # Dash finishes registering its callbacks on the first request

    def listens(spec):
        return changed is None or any((d["id"], d["property"]) == tuple(changed) for d in spec["inputs"])

    return next(k for k, v in web_app.callback_map.items()
                if "callback" in v and f"..{output_id}." in f"..{k.strip('.')}" and listens(v))


def _post(web_app, auth, output_id, values=None, changed=None):
    """Call the callback that writes `output_id`, with `values` ({(id, prop): value}) for its
    inputs and states; `changed` names the input that fired."""
    values = values or {}
    key = _key_for(web_app, auth.client, output_id, changed)
    spec = web_app.callback_map[key]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in key.strip(".").split("...")]
    if not key.startswith(".."):
        outputs = outputs[0]  # a single output is sent as one object, not a list

    def dep(d):
        return {"id": d["id"], "property": d["property"], "value": values.get((d["id"], d["property"]))}

    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [dep(d) for d in spec["inputs"]],
        "state": [dep(d) for d in spec.get("state", [])],
        "changedPropIds": [f"{changed[0]}.{changed[1]}"] if changed else [],
    }
    return auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())


def _disable(web_app, auth, user_id):
    ui = _ids("users")
    return _post(web_app, auth, ui.MESSAGE,
                 {(ui.DISABLE_CONFIRM, "submit_n_clicks"): 1,
                  (ui.GRID, "selectedRows"): [{"id": str(user_id)}]},
                 changed=(ui.DISABLE_CONFIRM, "submit_n_clicks"))


def _status(web_db, user_id):
    with web_db.factory() as session:
        return session.get(User, user_id).status


def test_hospital_admin_cannot_disable_through_the_callback(web_app, client, auth, web_people, web_db):
    auth.login("admin.a@example.in")
    response = _disable(web_app, auth, web_people["citizen"].id)
    assert response.status_code == 403
    assert _status(web_db, web_people["citizen"].id) == "active"


def test_super_admin_disables_through_the_callback_and_their_session_ends(auth_for, web_app, web_people,
                                                                        web_db):
    # Two plain clients: the `client` fixture keeps its request context open, and a second
    # client's requests inside it would share Flask-Login's cached user.
    client, victim = web_app.server.test_client(), web_app.server.test_client()
    auth, victim_auth = auth_for(client), auth_for(victim)
    assert victim_auth.login("citizen@example.in").status_code == 302
    assert victim.get("/citizen").status_code == 200

    auth.login("super@example.in")
    response = _disable(web_app, auth, web_people["citizen"].id)
    assert response.status_code == 200
    payload = response.get_json()["response"]
    assert payload[_ids("users").MESSAGE]["children"].startswith("citizen@example.in is disabled")
    assert payload[_ids("users").MESSAGE]["color"] == "success"
    assert _status(web_db, web_people["citizen"].id) == "disabled"

    # Their open session ends at its next request, and they cannot log in again.
    page = victim.get("/citizen")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert victim_auth.login("citizen@example.in", PASSWORD).status_code != 302


def test_refusal_through_the_callback_is_a_message(web_app, client, auth, web_people, web_db):
    auth.login("super@example.in")
    response = _disable(web_app, auth, web_people["super"].id)
    payload = response.get_json()["response"]
    assert payload[_ids("users").MESSAGE]["children"] == "You cannot disable your own account."
    assert payload[_ids("users").MESSAGE]["color"] == "danger"
    assert _status(web_db, web_people["super"].id) == "active"


def test_change_role_through_the_callback(web_app, auth, web_people, web_db):
    auth.login("super@example.in")
    ui = _ids("users")
    hospital_id = web_people["hospital_b"].id
    response = _post(web_app, auth, ui.MESSAGE,
                     {(ui.CHANGE_ROLE, "n_clicks"): 1,
                      (ui.GRID, "selectedRows"): [{"id": str(web_people["officer"].id)}],
                      (ui.ROLE, "value"): "hospital_admin", (ui.HOSPITAL, "value"): hospital_id},
                     changed=(ui.CHANGE_ROLE, "n_clicks"))
    message = response.get_json()["response"][ui.MESSAGE]["children"]
    assert message.startswith("officer@example.in is now a hospital admin at Beta Hospital")
    with web_db.factory() as session:
        officer = session.get(User, web_people["officer"].id)
        assert (officer.role, officer.hospital_id) == ("hospital_admin", hospital_id)


def test_users_grid_never_carries_secrets(web_app, auth, web_people, web_db):
    auth.login("super@example.in")
    ui = _ids("users")
    response = _post(web_app, auth, ui.GRID, {(ui.REFRESH, "n_intervals"): 1},
                     changed=(ui.REFRESH, "n_intervals"))
    assert response.status_code == 200
    rows = response.get_json()["response"][ui.GRID]["rowData"]
    assert {row["email"] for row in rows} >= {"citizen@example.in", "super@example.in"}
    # Decoded: Dash escapes "/" in its responses, and argon2 hashes are full of them.
    text = json.dumps(response.get_json())
    with web_db.factory() as session:
        secrets = [(u.password_hash, u.session_token) for u in session.execute(select(User)).scalars()]
    for password_hash, token in secrets:
        assert password_hash.rsplit("$", 1)[-1] not in text  # not even the digest part
        assert token not in text
    assert "$argon2" not in text and "password" not in text.lower() and "token" not in text.lower()


def test_a_bad_hospital_edit_is_explained_and_reverted(web_app, auth, web_people, web_db):
    auth.login("super@example.in")
    ui = _ids("hospitals")
    hospital = web_people["hospital_a"]

    def edit(field, value):
        change = {"rowIndex": 0, "rowId": str(hospital.id), "colId": field, "oldValue": None, "value": value,
                  "data": {"id": str(hospital.id), field: value}}
        response = _post(web_app, auth, ui.MESSAGE,
                         {(ui.GRID, "cellValueChanged"): [change]},
                         changed=(ui.GRID, "cellValueChanged"))
        assert response.status_code == 200
        return response.get_json()["response"]

    def refreshed_after(edited):
        # The edit bumps the page's "changed" store; the refresh then sends the grid again, unasked.
        response = _post(web_app, auth, ui.GRID, {(ui.CHANGED, "data"): edited[ui.CHANGED]["data"]},
                         changed=(ui.CHANGED, "data"))
        assert response.status_code == 200
        return response.get_json()["response"]

    refused = edit("latitude", 123)
    assert "between -90 and 90" in refused[ui.MESSAGE]["children"]
    assert refused[ui.MESSAGE]["color"] == "danger"
    rows = refreshed_after(refused)[ui.GRID]["rowData"]
    row = next(r for r in rows if r["id"] == str(hospital.id))
    assert row["latitude"] == hospital.latitude  # the stored value goes back into the cell

    saved = edit("city", "Bengaluru")
    assert saved[ui.MESSAGE]["color"] == "success"
    with web_db.factory() as session:
        stored = session.get(Hospital, hospital.id)
        assert (stored.city, stored.latitude) == ("Bengaluru", hospital.latitude)


def test_hospital_admin_cannot_edit_hospitals_through_the_callback(web_app, auth, web_people, web_db):
    auth.login("admin.a@example.in")
    hospital = web_people["hospital_b"]
    change = {"colId": "name", "value": "Taken over", "data": {"id": str(hospital.id)}}
    ui = _ids("hospitals")
    response = _post(web_app, auth, ui.MESSAGE, {(ui.GRID, "cellValueChanged"): [change]},
                     changed=(ui.GRID, "cellValueChanged"))
    assert response.status_code == 403
    with web_db.factory() as session:
        assert session.get(Hospital, hospital.id).name == "Beta Hospital"


def test_console_warns_in_words_when_the_job_process_stops(web_app, auth, web_people, web_db):
    auth.login("super@example.in")

    def console():
        response = _post(web_app, auth, "admin-summary", {("admin-refresh", "n_intervals"): 1},
                         changed=("admin-refresh", "n_intervals"))
        assert response.status_code == 200
        return json.dumps(response.get_json())

    stopped = console()
    assert "job-process-stopped" in stopped
    assert "The job process has stopped: SOS are not being matched or escalated and reports are not verified" \
        in stopped
    from db.clock import utcnow

    with web_db.factory() as session:
        jobhealth.record_heartbeat(session, worker="test-worker", started_at=T0, now=utcnow())
        session.commit()
    assert "job-process-stopped" not in console()


def test_console_links_to_user_and_hospital_management(web_app, client, auth, web_people):
    auth.login("super@example.in")
    headers = auth.dash_headers()
    key = next(k for k, v in web_app.callback_map.items() if "_pages_content" in k)
    spec = web_app.callback_map[key]
    body = {"output": key, "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
                                       for p in key.strip(".").split("...")],
            "inputs": [{"id": d["id"], "property": d["property"],
                        "value": "/admin" if d["property"] == "pathname" else None} for d in spec["inputs"]],
            "state": [{"id": d["id"], "property": d["property"], "value": None} for d in spec.get("state", [])],
            "changedPropIds": []}
    text = json.dumps(client.post("/_dash-update-component", json=body, headers=headers).get_json())
    assert "/admin/users" in text and "/admin/hospitals" in text
    assert '"go-users"' in text and '"go-hospitals"' in text
    assert "not available yet" not in text

"""The ambulances page's actions, called as Dash's renderer calls them: each says what it did,
and a unit of another hospital cannot be touched through them."""

from sqlalchemy import select

from db import dispatch
from db.models import Ambulance, User
from tests.builders import T0


def _post(auth, web_app, trigger, value, state=()):
    """Press `trigger` (a button's id, or the grid's cell edit) with `state` as [(id, prop, value)];
    returns the message the page shows."""
    key, spec = next((key, spec) for key, spec in web_app.callback_map.items()
                     if [dep["id"] for dep in spec["inputs"]] == [trigger])
    values = {(component_id, prop): v for component_id, prop, v in state}
    body = {
        "output": key,
        "outputs": [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                    for part in key.strip(".").split("...")],
        "inputs": [{"id": trigger, "property": spec["inputs"][0]["property"], "value": value}],
        "state": [{"id": dep["id"], "property": dep["property"], "value": values.get((dep["id"], dep["property"]))}
                  for dep in spec.get("state", [])],
        "changedPropIds": [f"{trigger}.{spec['inputs'][0]['property']}"],
    }
    response = auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["units-message"]["children"]


def _units(web_db, web_people):
    with web_db.factory() as session:
        alpha = dispatch.register_unit(session, actor=session.get(User, web_people["admin_a"].id),
                                       call_sign="A-1", now=T0)
        beta = dispatch.register_unit(session, actor=session.get(User, web_people["admin_b"].id),
                                      call_sign="B-1", now=T0)
        session.commit()
        return alpha.id, beta.id


def _status(web_db, unit_id):
    with web_db.factory() as session:
        return session.get(Ambulance, unit_id).status


def _selected(unit_id, status_label):
    return [("units-grid", "selectedRows", [{"id": str(unit_id), "status": status_label}])]


def test_register_toggle_and_retire_say_what_they_did(auth, web_app, web_people, web_db):
    alpha, _ = _units(web_db, web_people)
    auth.login("admin.a@example.in")
    form = [("unit-call-sign", "value", "a-2"), ("unit-level", "value", "ALS")]
    assert _post(auth, web_app, "unit-register", 1, form) == "A-2 registered and available."
    assert _post(auth, web_app, "unit-register", 2, form) == "Your hospital already has a unit called A-2."
    # The toggle goes by the unit's status in the database, whatever label the grid showed.
    assert _post(auth, web_app, "unit-service-toggle", 1, _selected(alpha, "Out of service")) == \
        "A-1 is out of service."
    assert _status(web_db, alpha) == "out_of_service"
    assert _post(auth, web_app, "unit-service-toggle", 2, _selected(alpha, "Available")) == "A-1 is available."
    assert _post(auth, web_app, "unit-retire", 1, []) == "Select a unit in the table first."
    assert _post(auth, web_app, "unit-retire", 2, _selected(alpha, "Available")) == "A-1 retired."


def test_grid_edit_saves_and_refuses_a_duplicate_call_sign(auth, web_app, web_people, web_db):
    alpha, _ = _units(web_db, web_people)
    auth.login("admin.a@example.in")
    row = {"id": str(alpha), "call_sign": "a-9", "level": "CCT", "registration_plate": "ka 01", "crew_contact": ""}
    assert _post(auth, web_app, "units-grid", [{"data": row}]) == "Saved."
    with web_db.factory() as session:
        unit = session.get(Ambulance, alpha)
        assert (unit.call_sign, unit.level, unit.registration_plate) == ("A-9", "CCT", "KA 01")


def test_another_hospitals_unit_cannot_be_touched(auth, web_app, web_people, web_db):
    _, beta = _units(web_db, web_people)
    auth.login("admin.a@example.in")
    refused = "That ambulance belongs to another hospital."
    assert _post(auth, web_app, "unit-service-toggle", 1, _selected(beta, "Available")) == refused
    assert _post(auth, web_app, "unit-retire", 1, _selected(beta, "Available")) == refused
    row = {"id": str(beta), "call_sign": "MINE", "level": "BLS"}
    assert _post(auth, web_app, "units-grid", [{"data": row}]) == refused
    with web_db.factory() as session:
        unit = session.execute(select(Ambulance).where(Ambulance.id == beta)).scalar_one()
        assert (unit.call_sign, unit.status, unit.retired_at) == ("B-1", "available", None)

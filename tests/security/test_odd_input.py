"""Values no form would send, sent through the callbacks as a browser (or a forger) can: each gets
a message at its field, and nothing changes; none reaches the server-error banner (issue 15, item 6)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from db.models import BloodStock, HospitalBeds
from tests.builders import give_beds


@pytest.fixture
def beds(web_db, web_people):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id),
                  icu=4, oxygen=2, general=9)
        session.commit()


def _key(web_app, fragment: str) -> str:
    return next(key for key, spec in web_app.callback_map.items() if "callback" in spec
                and any(fragment in dep["id"] for dep in spec["inputs"]))


def _outputs(key: str, card: dict | None = None) -> list[dict]:
    outputs = []
    for part in key.strip(".").split("..."):
        component_id, prop = part.rsplit(".", 1)
        if component_id.startswith("{"):
            component_id = {**json.loads(component_id), **(card or {})}
            component_id = {k: v for k, v in component_id.items() if v != ["MATCH"]}
        outputs.append({"id": component_id, "property": prop})
    return outputs


def _post(client, auth, body):
    response = client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def _icu(web_db, web_people):
    with web_db.factory() as session:
        row = session.execute(select(HospitalBeds).where(HospitalBeds.hospital_id == web_people["hospital_a"].id,
                                                         HospitalBeds.bed_type_id == 1)).scalar_one()
        return row.total, row.available


@pytest.mark.parametrize("total", ["1e309", "inf", "nan", "-0.5", "12abc"])
def test_an_impossible_bed_total_is_refused_at_its_field(client, web_app, auth, beds, web_db, web_people, caplog,
                                                        total):
    from tests.security.callbacks import save_beds_body

    auth.login("admin.a@example.in")
    with caplog.at_level(logging.ERROR):
        payload = _post(client, auth, save_beds_body(web_app, "ICU", total, 2, 1))
    assert payload['{"code":"ICU","type":"bed-total"}']["invalid"] is True
    assert "Something went wrong" not in json.dumps(payload)
    assert not caplog.records
    assert _icu(web_db, web_people) == (4, 4)


@pytest.mark.parametrize("delta", ["x", 5, True, None])
def test_a_stepper_whose_step_is_not_one_bed_changes_nothing(client, web_app, auth, beds, web_db, web_people,
                                                           caplog, delta):
    auth.login("admin.a@example.in")
    key = _key(web_app, '"type":"bed-step"')
    step = {"type": "bed-step", "code": "ICU", "delta": delta}
    body = {"output": key, "outputs": _outputs(key, {"code": "ICU"}),
            "inputs": [[{"id": step, "property": "n_clicks", "value": 1}]],
            "state": [{"id": {"type": "bed-version", "code": "ICU"}, "property": "data", "value": 1}],
            "changedPropIds": [json.dumps(step, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    with caplog.at_level(logging.ERROR):
        payload = _post(client, auth, body)
    assert "one bed at a time" in json.dumps(payload)
    assert not caplog.records
    assert _icu(web_db, web_people) == (4, 4)


def _blood_body(web_app, button: str, states: dict) -> dict:
    key = _key(web_app, button)
    spec = web_app.callback_map[key]
    return {"output": key, "outputs": _outputs(key),
            "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
            "state": [{"id": s["id"], "property": s["property"], "value": states.get(s["id"])} for s in spec["state"]],
            "changedPropIds": [f"{button}.n_clicks"]}


def _stock(web_db):
    with web_db.factory() as session:
        return session.execute(select(BloodStock.units, BloodStock.earliest_expiry)).all()


def test_blood_units_beyond_any_number_are_refused_at_the_field(client, web_app, auth, web_people, web_db, caplog):
    auth.login("admin.a@example.in")
    before = _stock(web_db)
    body = _blood_body(web_app, "hospital-capacity-blood-received", {
        "hospital-capacity-blood-group": "O-", "hospital-capacity-blood-component": "whole_blood",
        "hospital-capacity-blood-units": "1e309"})
    with caplog.at_level(logging.ERROR):
        payload = _post(client, auth, body)
    assert payload["hospital-capacity-blood-units"]["invalid"] is True
    assert "whole number" in json.dumps(payload)
    assert not caplog.records
    assert _stock(web_db) == before


def test_an_expiry_that_is_not_a_date_is_refused_at_the_field(client, web_app, auth, web_people, web_db, caplog):
    auth.login("admin.a@example.in")
    before = _stock(web_db)
    body = _blood_body(web_app, "hospital-capacity-blood-save-settings", {
        "hospital-capacity-blood-group": "O-", "hospital-capacity-blood-component": "whole_blood",
        "hospital-capacity-blood-threshold": "4", "hospital-capacity-blood-expiry": "31/31/2031"})
    with caplog.at_level(logging.ERROR):
        payload = _post(client, auth, body)
    assert "is not a date" in json.dumps(payload)
    assert not caplog.records
    assert _stock(web_db) == before

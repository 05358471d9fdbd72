"""Ambulances: register, edit, retire, assign, the status cycle, resolve."""

import pytest
from sqlalchemy import select

from db import dispatch
from db import sos as sos_ops
from db.errors import Conflict, InvalidInput, NotAllowed
from db.models import Ambulance, AmbulanceEvent, Sos
from tests.builders import T0, add_user, city, match_now, send_sos


@pytest.fixture
def accepted(session, clock):
    """Hospital 1 accepted an SOS; it has one unit."""
    hospitals, admins = city(session, 2)
    citizen = add_user(session)
    sos = send_sos(session, citizen, now=clock())
    match_now(session, now=clock())
    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=clock.advance(seconds=20))
    unit = dispatch.register_unit(session, actor=admins[0], call_sign="amb-1", registration_plate="ka 01 ab 1234",
                                  level="ALS", crew_contact="+91 90000 00000", now=clock())
    session.commit()
    return {"sos": sos, "unit": unit, "admin": admins[0], "other_admin": admins[1], "citizen": citizen,
            "hospitals": hospitals}


def test_register_unit_normalises_and_refuses_duplicates_and_bad_level(session, accepted):
    admin = accepted["admin"]
    assert accepted["unit"].call_sign == "AMB-1" and accepted["unit"].status == "available"
    with pytest.raises(InvalidInput, match="already has a unit called AMB-1"):
        dispatch.register_unit(session, actor=admin, call_sign="AMB-1", now=T0)
    with pytest.raises(InvalidInput) as error:
        dispatch.register_unit(session, actor=admin, call_sign="AMB-2", level="XYZ", now=T0)
    assert error.value.field == "level"
    with pytest.raises(InvalidInput):
        dispatch.register_unit(session, actor=admin, call_sign="   ", now=T0)
    assert len(dispatch.list_units(session, actor=admin)) == 1


def test_full_cycle_moves_the_sos_with_its_unit(session, accepted, clock):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    assigned = dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=clock.advance(seconds=30))
    assert assigned.status == "dispatched" and assigned.ambulance_id == unit.id
    assert session.get(Ambulance, unit.id).status == "dispatched"
    for step in ("en_route", "on_scene", "transporting", "at_hospital"):
        dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status=step, now=clock.advance(minutes=3))
        assert session.get(Sos, sos.id).status == step
    resolved = dispatch.resolve_sos(session, actor=admin, sos_id=sos.id, now=clock.advance(minutes=10))
    assert resolved.status == "resolved" and resolved.closed_at == clock()
    unit = session.get(Ambulance, unit.id)
    assert unit.status == "available" and unit.current_sos_id is None
    timeline = [e.text for e in sos_ops.tracking(session, actor=accepted["citizen"], sos_id=sos.id).timeline]
    assert timeline[-6:] == [
        "Ambulance AMB-1 assigned",
        "Ambulance AMB-1: ambulance on the way",
        "Ambulance AMB-1: ambulance with you",
        "Ambulance AMB-1: on the way to hospital",
        "Ambulance AMB-1: arrived at hospital",
        "Resolved: handed over at the hospital",
    ]
    steps = [e.to_status for e in session.execute(
        select(AmbulanceEvent).where(AmbulanceEvent.ambulance_id == unit.id).order_by(AmbulanceEvent.id)).scalars()]
    assert steps == ["available", "dispatched", "en_route", "on_scene", "transporting", "at_hospital", "available"]


def test_invalid_jump_is_refused_with_the_allowed_next_step(session, accepted):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    with pytest.raises(InvalidInput, match="it can go to en route, not at hospital"):
        dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="at_hospital", now=T0)
    assert session.get(Ambulance, unit.id).status == "dispatched"
    with pytest.raises(InvalidInput, match="Resolve an SOS once"):
        dispatch.resolve_sos(session, actor=admin, sos_id=sos.id, now=T0)


def test_busy_or_retired_unit_cannot_be_assigned(session, accepted, clock):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    spare = dispatch.register_unit(session, actor=admin, call_sign="AMB-2", now=T0)
    dispatch.retire_unit(session, actor=admin, unit_id=spare.id, now=T0)
    with pytest.raises(Conflict, match="AMB-2 is retired"):
        dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=spare.id, now=T0)
    # A second SOS, accepted too: the unit already on a job cannot take it.
    second = send_sos(session, add_user(session), now=clock())
    match_now(session, now=clock())
    sos_ops.accept_sos(session, actor=admin, sos_id=second.id, now=clock())
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    with pytest.raises(Conflict, match="AMB-1 is not available: it is dispatched"):
        dispatch.assign_unit(session, actor=admin, sos_id=second.id, unit_id=unit.id, now=T0)
    assert session.get(Sos, second.id).status == "accepted"


def test_unit_on_a_job_cannot_be_retired(session, accepted):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    with pytest.raises(Conflict, match="on an emergency"):
        dispatch.retire_unit(session, actor=admin, unit_id=unit.id, now=T0)


def test_other_hospital_cannot_touch_my_units_or_my_sos(session, accepted):
    other, sos, unit = accepted["other_admin"], accepted["sos"], accepted["unit"]
    with pytest.raises(NotAllowed):
        dispatch.assign_unit(session, actor=other, sos_id=sos.id, unit_id=unit.id, now=T0)
    with pytest.raises(NotAllowed):
        dispatch.move_unit(session, actor=other, unit_id=unit.id, to_status="out_of_service", now=T0)
    with pytest.raises(NotAllowed):
        dispatch.retire_unit(session, actor=other, unit_id=unit.id, now=T0)
    with pytest.raises(NotAllowed):
        dispatch.resolve_sos(session, actor=other, sos_id=sos.id, now=T0)
    own = dispatch.register_unit(session, actor=other, call_sign="B-1", now=T0)
    with pytest.raises(NotAllowed):  # its own unit, but not its SOS
        dispatch.assign_unit(session, actor=other, sos_id=sos.id, unit_id=own.id, now=T0)
    with pytest.raises(NotAllowed):
        dispatch.list_units(session, actor=accepted["citizen"])


def test_cancel_frees_the_unit_on_its_way(session, accepted):
    admin, sos, unit, citizen = accepted["admin"], accepted["sos"], accepted["unit"], accepted["citizen"]
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="en_route", now=T0)
    sos_ops.cancel_sos(session, actor=citizen, sos_id=sos.id, now=T0)
    unit = session.get(Ambulance, unit.id)
    assert unit.status == "available" and unit.current_sos_id is None
    with pytest.raises(InvalidInput):
        dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="on_scene", now=T0)


def test_citizen_cannot_cancel_once_ambulance_is_on_scene(session, accepted):
    admin, sos, unit, citizen = accepted["admin"], accepted["sos"], accepted["unit"], accepted["citizen"]
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="en_route", now=T0)
    dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="on_scene", now=T0)
    with pytest.raises(Conflict):
        sos_ops.cancel_sos(session, actor=citizen, sos_id=sos.id, now=T0)
    assert session.get(Sos, sos.id).status == "on_scene"


def test_out_of_service_and_back(session, accepted):
    admin, unit = accepted["admin"], accepted["unit"]
    assert dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="out_of_service", now=T0).status == "out_of_service"
    assert dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="available", now=T0).status == "available"


def test_toggle_service_decides_from_the_units_real_status(session, accepted):
    admin, unit = accepted["admin"], accepted["unit"]
    assert dispatch.toggle_service(session, actor=admin, unit_id=unit.id, now=T0).status == "out_of_service"
    assert dispatch.toggle_service(session, actor=admin, unit_id=unit.id, now=T0).status == "available"
    # Whatever a screen last showed: taken out of service elsewhere, the toggle brings it back.
    dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status="out_of_service", now=T0)
    assert dispatch.toggle_service(session, actor=admin, unit_id=unit.id, now=T0).status == "available"


def test_toggle_service_refuses_a_unit_on_an_emergency_and_other_hospitals(session, accepted):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    with pytest.raises(NotAllowed):
        dispatch.toggle_service(session, actor=accepted["other_admin"], unit_id=unit.id, now=T0)
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    with pytest.raises(InvalidInput, match="AMB-1 is dispatched: it can go to en route, not out of service"):
        dispatch.toggle_service(session, actor=admin, unit_id=unit.id, now=T0)
    assert session.get(Ambulance, unit.id).status == "dispatched"


def test_next_steps_follow_the_unit_serving_the_sos(session, accepted):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    assert dispatch.next_steps(None, sos_id=sos.id) == ()
    assert dispatch.next_steps(unit, sos_id=sos.id) == ()  # available, serving nothing
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    walked = []
    while steps := dispatch.next_steps(session.get(Ambulance, unit.id), sos_id=sos.id):
        assert len(steps) == 1
        walked.append(steps[0])
        dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status=steps[0], now=T0)
    assert walked == ["en_route", "on_scene", "transporting", "at_hospital"]
    assert dispatch.next_steps(session.get(Ambulance, unit.id), sos_id=sos.id + 1) == ()  # another SOS's card


def test_an_sos_can_be_resolved_once_its_ambulance_is_on_scene(session, accepted):
    admin, sos, unit = accepted["admin"], accepted["sos"], accepted["unit"]
    assert not dispatch.can_resolve(session.get(Sos, sos.id))
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=T0)
    for step, resolvable in (("en_route", False), ("on_scene", True), ("transporting", True), ("at_hospital", True)):
        dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status=step, now=T0)
        assert dispatch.can_resolve(session.get(Sos, sos.id)) is resolvable, step

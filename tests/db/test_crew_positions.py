"""Ambulance crews and positions: a crew link acts only for its unit's current job, positions are
checked before they become the unit's latest, arrival estimates, the track, revoked links."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import crew, dispatch, landmarks, positions
from db import sos as sos_ops
from db.crew_job import crew_job
from db.errors import Conflict, NotAllowed
from db.models import Ambulance, AmbulanceEvent, SosEvent, UnitPosition, User
from tests.builders import CENTRE, add_user, city, match_now, send_sos


@pytest.fixture
def job(session, clock):
    """Hospital 1 accepted an SOS and sent AMB-1; AMB-2 is idle; each unit has a crew link."""
    hospitals, admins = city(session, 2)
    citizen = add_user(session)
    citizen.full_name, citizen.phone = "Asha Rao", "+91 90000 11111"
    sos = send_sos(session, citizen, now=clock())
    match_now(session, now=clock())
    admin = admins[0]
    sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=clock.advance(seconds=20))
    unit = dispatch.register_unit(session, actor=admin, call_sign="AMB-1", now=clock())
    other = dispatch.register_unit(session, actor=admin, call_sign="AMB-2", now=clock())
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=clock.advance(seconds=10))
    token, link = crew.issue(session, actor=admin, ambulance_id=unit.id, now=clock())
    _, other_link = crew.issue(session, actor=admin, ambulance_id=other.id, now=clock())
    session.commit()
    return {"sos": sos, "unit": unit, "other": other, "admin": admin, "other_admin": admins[1], "citizen": citizen,
            "token": token, "link": link, "crew": session.get(User, link.crew_user_id),
            "other_crew": session.get(User, other_link.crew_user_id), "hospital": hospitals[0]}


def test_a_crew_link_signs_in_as_its_units_crew_only(session, job, clock):
    assert crew.check(session, job["token"], now=clock()).ambulance_id == job["unit"].id
    assert job["crew"].role == "crew" and job["crew"].full_name == "Crew of AMB-1"
    assert crew.check(session, "not-a-token") is None
    # Only the token's hash is kept.
    assert job["token"] not in job["link"].token_hash
    # Another hospital's admin cannot issue or revoke links for this unit.
    with pytest.raises(NotAllowed):
        crew.issue(session, actor=job["other_admin"], ambulance_id=job["unit"].id, now=clock())
    with pytest.raises(NotAllowed):
        crew.revoke(session, actor=job["other_admin"], link_id=job["link"].id, now=clock())


def test_a_revoked_link_stops(session, job, clock):
    prefix = job["link"].token_hash[:16]
    assert crew.still_valid(session, job["link"].id, prefix) is not None
    crew.revoke(session, actor=job["admin"], link_id=job["link"].id, now=clock())
    assert crew.still_valid(session, job["link"].id, prefix) is None
    assert crew.check(session, job["token"]) is None
    assert [c for _link, c in crew.active(session, actor=job["admin"])] == ["AMB-2"]


def test_the_crew_sees_its_job_and_steps_it_as_actor(session, job, clock):
    shown = crew_job(session, actor=job["crew"], now=clock())
    assert (shown.number, shown.caller, shown.phone, shown.next_status) == (
        f"SOS-{job['sos'].id:05d}", "Asha", "+91 90000 11111", "en_route")
    dispatch.crew_step(session, actor=job["crew"], sos_id=job["sos"].id, to_status="en_route", now=clock.advance(seconds=5))
    dispatch.crew_step(session, actor=job["crew"], sos_id=job["sos"].id, to_status="on_scene", now=clock.advance(minutes=4))
    assert session.get(Ambulance, job["unit"].id).status == "on_scene"
    assert crew_job(session, actor=job["crew"], now=clock()).next_status == "transporting"
    actors = session.execute(select(AmbulanceEvent.actor_id).where(
        AmbulanceEvent.ambulance_id == job["unit"].id, AmbulanceEvent.to_status.in_(("en_route", "on_scene")))).scalars()
    assert set(actors) == {job["crew"].id}
    sos_actors = session.execute(select(SosEvent.actor_id).where(
        SosEvent.sos_id == job["sos"].id, SosEvent.to_status.in_(("en_route", "on_scene")))).scalars()
    assert set(sos_actors) == {job["crew"].id}


def test_the_crew_reads_the_place_in_words_and_the_point(session, job, clock):
    """The nearest named place, as the hospital's card says it, after what the caller typed; the
    coordinates apart (for the radio and a maps app)."""
    landmarks.forget_cached_places()
    shown = crew_job(session, actor=job["crew"], now=clock())
    assert shown.place == "1.0 km W of Hospital 1"
    assert shown.point == f"{CENTRE[0]:.5f}, {CENTRE[1]:.5f}"
    job["sos"].location_text = "Gate 2, MG Road"
    assert crew_job(session, actor=job["crew"], now=clock()).place == "Gate 2, MG Road · 1.0 km W of Hospital 1"


def test_a_crew_acts_only_on_its_own_units_current_job(session, job, clock):
    sos_id = job["sos"].id
    # Another unit's crew: it has no job, and this SOS is not its job.
    with pytest.raises(Conflict):
        dispatch.crew_step(session, actor=job["other_crew"], sos_id=sos_id, to_status="en_route", now=clock())
    assert crew_job(session, actor=job["other_crew"], now=clock()).sos_id is None
    # Skipping a step, or stepping out of the job's cycle, is refused.
    with pytest.raises(Exception, match="en route"):
        dispatch.crew_step(session, actor=job["crew"], sos_id=sos_id, to_status="on_scene", now=clock())
    with pytest.raises(Exception, match="crew steps its job only"):
        dispatch.crew_step(session, actor=job["crew"], sos_id=sos_id, to_status="out_of_service", now=clock())
    # A crew account is no hospital admin: the desk's operations refuse it.
    with pytest.raises(NotAllowed):
        dispatch.move_unit(session, actor=job["crew"], unit_id=job["unit"].id, to_status="en_route", now=clock())
    with pytest.raises(NotAllowed):
        dispatch.resolve_sos(session, actor=job["crew"], sos_id=sos_id, now=clock())
    # Once the job is over, the old SOS is no longer the crew's.
    for step in ("en_route", "on_scene"):
        dispatch.move_unit(session, actor=job["admin"], unit_id=job["unit"].id, to_status=step, now=clock.advance(minutes=1))
    dispatch.resolve_sos(session, actor=job["admin"], sos_id=sos_id, now=clock.advance(minutes=1))
    with pytest.raises(Conflict):
        dispatch.crew_step(session, actor=job["crew"], sos_id=sos_id, to_status="transporting", now=clock())


def _post(session, job, clock, **kwargs):
    kwargs.setdefault("latitude", CENTRE[0] + 0.02)
    kwargs.setdefault("longitude", CENTRE[1])
    kwargs.setdefault("accuracy_m", 12.0)
    kwargs.setdefault("at", clock())
    return positions.record_position(session, actor=job["crew"], now=clock(), **kwargs)


def _track_count(session, unit_id):
    return session.execute(select(func.count()).select_from(UnitPosition)
                           .where(UnitPosition.ambulance_id == unit_id)).scalar_one()


def test_positions_are_checked_before_they_become_the_latest(session, job, clock, caplog):
    unit_id = job["unit"].id
    assert _post(session, job, clock).stored
    first_at = clock()
    for bad, reason in (
        (dict(latitude=91.0), "latitude is -90 to 90"),
        (dict(longitude="east"), "must be numbers"),
        (dict(latitude=float("nan")), "must be numbers"),
        (dict(accuracy_m=5_001.0), "accuracy worse than 5 km"),
        (dict(at=clock() + timedelta(minutes=5)), "in the future"),
    ):
        result = _post(session, job, clock, **bad)
        assert (result.stored, result.refused) == (False, True) and reason in result.reason
    older = _post(session, job, clock, at=first_at - timedelta(seconds=10), latitude=CENTRE[0] + 0.5)
    assert (older.stored, older.refused) == (False, False) and "older" in older.reason
    assert "older than the latest" in caplog.text or "not newer" in caplog.text
    assert "accuracy worse than 5 km" in caplog.text
    unit = session.get(Ambulance, unit_id)
    session.refresh(unit)
    assert (unit.latitude, unit.position_at) == (CENTRE[0] + 0.02, first_at)
    assert _track_count(session, unit_id) == 1
    # Only a crew posts, and only for its own unit (the unit comes from the account).
    with pytest.raises(NotAllowed):
        positions.record_position(session, actor=job["admin"], latitude=1.0, longitude=1.0, now=clock())


def test_latest_position_and_arrival_estimate(session, job, clock):
    sos = job["sos"]
    # 6 km north of the patient at 30 km/h: 12 minutes.
    _post(session, job, clock, latitude=CENTRE[0] + 6 / 111.2, longitude=CENTRE[1])
    clock.advance(seconds=20)
    estimate = positions.arrival_for_sos(session, actor=job["citizen"], sos_id=sos.id, now=clock(), kmh=30)
    assert estimate.minutes == 12 and estimate.position_age_s == 20 and not estimate.stale
    assert crew_job(session, actor=job["crew"], now=clock()).eta_minutes == 12
    # Nearer: the estimate falls. Old: it says so.
    _post(session, job, clock, latitude=CENTRE[0] + 1 / 111.2, longitude=CENTRE[1])
    clock.advance(minutes=3)
    estimate = positions.arrival_for_sos(session, actor=job["citizen"], sos_id=sos.id, now=clock(), kmh=30)
    assert estimate.minutes == 2 and estimate.stale
    # The citizen sees only their own SOS's unit.
    other_citizen = add_user(session)
    with pytest.raises(NotAllowed):
        positions.arrival_for_sos(session, actor=other_citizen, sos_id=sos.id, now=clock())
    with pytest.raises(NotAllowed):
        positions.arrival_for_sos(session, actor=job["other_admin"], sos_id=sos.id, now=clock())
    # The hospital's map: the unit with the age of its position, stale after 2 minutes.
    shown = positions.hospital_units(session, actor=job["admin"], now=clock())
    assert [(u.call_sign, u.age_s, u.stale) for u in shown] == [("AMB-1", 180, True)]


def test_the_track_of_an_sos_and_pruning(session, job, clock, people):
    sos = job["sos"]
    for step in range(3):
        _post(session, job, clock, latitude=CENTRE[0] + 0.01 * (3 - step))
        clock.advance(seconds=5)
    track = positions.track_for_sos(session, actor=people["officer"], sos_id=sos.id)
    assert track.call_sign == "AMB-1" and len(track.points) == 3 and track.points[0][0] > track.points[-1][0]
    with pytest.raises(NotAllowed):
        positions.track_for_sos(session, actor=job["citizen"], sos_id=sos.id)
    assert positions.prune(session, now=clock() + timedelta(days=91), retention_days=90) == 3
    unit = session.get(Ambulance, job["unit"].id)
    assert unit.latitude is not None  # the latest position stays on the unit


def test_the_wall_shows_units_by_status_rounded_like_sos(session, job, clock):
    from db import display

    _post(session, job, clock, latitude=12.987654, longitude=77.612345)
    snap = display.snapshot(session, now=clock(), day_start=clock() - timedelta(hours=12),
                            day_end=clock() + timedelta(hours=12))
    shown = {u["call_sign"]: u for u in snap.units}
    assert (shown["AMB-1"]["lat"], shown["AMB-1"]["lon"], shown["AMB-1"]["status"]) == (12.988, 77.612, "dispatched")
    assert "Asha" not in repr(snap.as_dict()) and "90000" not in repr(snap.as_dict())

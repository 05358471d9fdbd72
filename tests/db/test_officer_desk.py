"""The health officer's desk: offer an unanswered SOS to a hospital (any distance), widen the
search, note, call, close; who may read the caller's contact; two officers at once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import officer_desk as desk
from db import sos as sos_ops
from db.errors import Conflict, DomainError, InvalidInput, NotAllowed
from db.models import AuditEntry, Sos, SosEvent, SosOffer, User
from tests.builders import CENTRE, T0, add_hospital, add_user, city, give_beds, match_now, send_sos

RINGS = (5.0, 15.0)


def _unanswered(session, citizen, hospitals_far=()):
    """An SOS nobody near answered: offered to the near ring, then every ring timed out."""
    sos = send_sos(session, citizen)
    match_now(session, rings=RINGS)
    match_now(session, now=T0 + timedelta(minutes=5), rings=RINGS)
    match_now(session, now=T0 + timedelta(minutes=10), rings=RINGS)
    session.refresh(sos)
    return sos


def _offers(session, sos_id):
    return {o.hospital_id: o for o in session.execute(select(SosOffer).where(SosOffer.sos_id == sos_id)).scalars()}


def _events(session, sos_id, kind):
    return list(session.execute(select(SosEvent).where(SosEvent.sos_id == sos_id, SosEvent.kind == kind)).scalars())


def _audits(session, action):
    return list(session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_officer_offers_an_unanswered_sos_to_a_hospital_60_km_away_which_accepts(session):
    near, _ = city(session, 1)
    far = add_hospital(session, "Far Away General", lat=CENTRE[0] + 0.54, lon=CENTRE[1])  # ~60 km north
    give_beds(session, far)
    far_admin = add_user(session, "hospital_admin", hospital=far)
    officer = add_user(session, "health_officer")
    citizen = add_user(session)
    sos = _unanswered(session, citizen)
    assert sos.status == "unanswered"
    assert far.id not in _offers(session, sos.id)

    choices = desk.hospitals_to_offer(session, actor=officer, sos_id=sos.id)
    assert choices[0].hospital_id == far.id and choices[0].offer_status is None  # not yet asked first
    assert 55 < choices[0].distance_km < 65

    desk.offer_to_hospital(session, actor=officer, sos_id=sos.id, hospital_id=far.id, now=T0 + timedelta(minutes=11))
    offer = _offers(session, sos.id)[far.id]
    assert offer.status == "offered" and offer.requested_by_id == officer.id
    assert [q.sos_id for q in sos_ops.hospital_queue(session, actor=far_admin)] == [sos.id]

    sos_ops.accept_sos(session, actor=far_admin, sos_id=sos.id, now=T0 + timedelta(minutes=12))
    timeline = [entry.text for entry in sos_ops.tracking(session, actor=citizen, sos_id=sos.id).timeline]
    assert any("A health officer asked Far Away General" in line for line in timeline), timeline
    assert any("Accepted by Far Away General" in line for line in timeline), timeline
    assert len(_audits(session, "sos.officer_offer")) == 1


def test_offering_twice_to_the_same_hospital_is_refused_and_a_decliner_can_be_asked_again(session):
    hospitals, admins = city(session, 2)
    officer = add_user(session, "health_officer")
    sos = send_sos(session, add_user(session))
    match_now(session, rings=RINGS)  # both hospitals are offered it
    with pytest.raises(Conflict, match="already has SOS-"):
        desk.offer_to_hospital(session, actor=officer, sos_id=sos.id, hospital_id=hospitals[0].id, now=T0)
    sos_ops.decline_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    desk.offer_to_hospital(session, actor=officer, sos_id=sos.id, hospital_id=hospitals[0].id, now=T0)
    assert _offers(session, sos.id)[hospitals[0].id].status == "offered"


def test_widen_search_offers_the_next_ring_now_and_past_the_last_ring_any_distance(session):
    near, _ = city(session, 1)  # 1 km
    mid = add_hospital(session, "Ten Km", lat=CENTRE[0] + 0.09, lon=CENTRE[1])
    give_beds(session, mid)
    far = add_hospital(session, "Hundred Km", lat=CENTRE[0] + 0.9, lon=CENTRE[1])
    give_beds(session, far)
    officer = add_user(session, "health_officer")
    sos = send_sos(session, add_user(session))
    match_now(session, rings=RINGS)
    session.refresh(sos)
    assert set(_offers(session, sos.id)) == {near[0].id}

    assert desk.widen_search(session, actor=officer, sos_id=sos.id, seen_ring=sos.ring, now=T0, rings=RINGS) == 1
    assert set(_offers(session, sos.id)) == {near[0].id, mid.id}
    # The screen still showed the old ring: nothing is offered twice.
    with pytest.raises(Conflict, match="widened a moment ago"):
        desk.widen_search(session, actor=officer, sos_id=sos.id, seen_ring=sos.ring - 1, now=T0, rings=RINGS)
    session.refresh(sos)
    assert desk.widen_search(session, actor=officer, sos_id=sos.id, seen_ring=sos.ring, now=T0, rings=RINGS) == 1
    assert far.id in _offers(session, sos.id)
    session.refresh(sos)
    with pytest.raises(Conflict, match="no other capable hospital"):
        desk.widen_search(session, actor=officer, sos_id=sos.id, seen_ring=sos.ring, now=T0, rings=RINGS)
    assert len(_events(session, sos.id, "widened")) == 2


def test_note_calling_and_close_reach_the_citizens_timeline(session):
    city(session, 1)
    officer = add_user(session, "health_officer")
    citizen = add_user(session)
    sos = _unanswered(session, citizen)
    desk.mark_calling(session, actor=officer, sos_id=sos.id, now=T0)
    desk.add_note(session, actor=officer, sos_id=sos.id, text="  called the caller,  going by own car ", now=T0)
    with pytest.raises(InvalidInput) as error:
        desk.add_note(session, actor=officer, sos_id=sos.id, text="   ", now=T0)
    assert error.value.field == "note"
    with pytest.raises(InvalidInput) as error:
        desk.close_sos(session, actor=officer, sos_id=sos.id, reason="bored", now=T0)
    assert error.value.field == "reason"
    closed = desk.close_sos(session, actor=officer, sos_id=sos.id, reason="handled_outside", now=T0)
    assert closed.status == "cancelled"
    assert all(o.status != "offered" for o in _offers(session, sos.id).values())
    timeline = [e.text for e in sos_ops.tracking(session, actor=citizen, sos_id=sos.id).timeline]
    assert "A health officer is calling you" in timeline
    assert "called the caller, going by own car" in " ".join(timeline)
    assert "Closed by a health officer: handled outside HealthFirst" in timeline
    with pytest.raises(Conflict, match="no longer open"):
        desk.close_sos(session, actor=officer, sos_id=sos.id, reason="duplicate", now=T0)
    assert len(_audits(session, "sos.close")) == 1


def test_only_officers_use_the_desk_and_taken_sos_are_not_theirs_to_offer(session):
    hospitals, admins = city(session, 1)
    officer = add_user(session, "health_officer")
    citizen = add_user(session)
    sos = send_sos(session, citizen)
    match_now(session, rings=RINGS)
    for outsider in (citizen, admins[0], add_user(session, "display")):
        with pytest.raises(NotAllowed):
            desk.close_sos(session, actor=outsider, sos_id=sos.id, reason="duplicate", now=T0)
    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    with pytest.raises(Conflict, match="already taken by Hospital 1"):
        desk.offer_to_hospital(session, actor=officer, sos_id=sos.id, hospital_id=hospitals[0].id, now=T0)
    with pytest.raises(Conflict):
        desk.close_sos(session, actor=officer, sos_id=sos.id, reason="duplicate", now=T0)


def test_who_sees_the_callers_contact(session):
    hospitals, admins = city(session, 2)
    other = add_hospital(session, "Not Offered", lat=CENTRE[0] + 1, lon=CENTRE[1])
    other_admin = add_user(session, "hospital_admin", hospital=other)
    officer = add_user(session, "health_officer")
    citizen = add_user(session)
    citizen.full_name, citizen.phone = "Asha Rao", "+91 98450 12345"
    sos = send_sos(session, citizen)
    match_now(session, rings=(5.0,))

    offered = desk.caller_contacts(session, actor=admins[0], sos_ids=[sos.id], now=T0)[sos.id]
    assert (offered.name, offered.phone, offered.full) == ("Asha", "+91 98450 12345", False)
    assert desk.caller_contacts(session, actor=other_admin, sos_ids=[sos.id], now=T0) == {}
    assert desk.caller_contacts(session, actor=officer, sos_ids=[sos.id], now=T0)[sos.id].name == "Asha Rao"
    with pytest.raises(NotAllowed):
        desk.caller_contacts(session, actor=add_user(session), sos_ids=[sos.id], now=T0)

    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    assert desk.caller_contacts(session, actor=admins[0], sos_ids=[sos.id], now=T0)[sos.id].name == "Asha Rao"
    # The hospital that lost the race no longer sees the caller.
    assert desk.caller_contacts(session, actor=admins[1], sos_ids=[sos.id], now=T0) == {}
    reads = _audits(session, "sos.contact_read")
    assert [r.actor_id for r in reads] == [admins[0].id, officer.id, admins[0].id]
    assert all(r.target_id == str(sos.id) for r in reads)


def test_a_citizen_without_a_phone_gives_one_at_sos_time(session):
    city(session, 1)
    hospitals_admin = session.execute(select(User).where(User.role == "hospital_admin")).scalars().first()
    citizen = add_user(session)
    sos = send_sos(session, citizen)
    sos.callback_phone = "+91 80 5555 0000"
    match_now(session, rings=(5.0,))
    assert desk.caller_contacts(session, actor=hospitals_admin, sos_ids=[sos.id], now=T0)[sos.id].phone == "+91 80 5555 0000"


# ---- two officers at once, for real (PostgreSQL) -------------------------------------------


def _two_officers_at_once(factory, action):
    """Both officers act on the same SOS at the same instant; returns how many succeeded."""
    with factory() as session:
        hospitals, _ = city(session, 1)
        far = add_hospital(session, "Far", lat=CENTRE[0] + 0.5, lon=CENTRE[1])
        give_beds(session, far)
        # A second one further still: an officer who widened without checking the ring would find it.
        give_beds(session, add_hospital(session, "Farther", lat=CENTRE[0] + 0.7, lon=CENTRE[1]))
        officers = [add_user(session, "health_officer").id for _ in range(2)]
        sos = send_sos(session, add_user(session))
        match_now(session, rings=RINGS)
        session.commit()
        sos_id, ring, far_id = sos.id, sos.ring, far.id
    barrier = threading.Barrier(2)
    wins = []

    def act(officer_id):
        with factory() as session:
            actor = session.get(User, officer_id)
            session.commit()
            barrier.wait()
            try:
                action(session, actor, sos_id, ring, far_id)
                session.commit()
                wins.append(officer_id)
            except DomainError:
                session.rollback()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(act, officers))
    return wins, sos_id, far_id


@pytest.mark.parametrize("round_", range(5))
def test_two_officers_offering_at_once_offer_once(pg_db, round_):
    wins, sos_id, far_id = _two_officers_at_once(pg_db.factory, lambda s, actor, sos_id, ring, far_id:
        desk.offer_to_hospital(s, actor=actor, sos_id=sos_id, hospital_id=far_id, now=T0))
    with pg_db.factory() as session:
        assert len(_events(session, sos_id, "officer_offered")) == 1
        assert session.execute(select(func.count()).select_from(SosOffer).where(
            SosOffer.sos_id == sos_id, SosOffer.hospital_id == far_id)).scalar_one() == 1
    assert len(wins) == 1


@pytest.mark.parametrize("round_", range(5))
def test_two_officers_widening_or_closing_at_once_act_once(pg_db, round_):
    action = (lambda s, actor, sos_id, ring, far_id: desk.widen_search(
        s, actor=actor, sos_id=sos_id, seen_ring=ring, now=T0, rings=RINGS, per_ring=1)) if round_ % 2 == 0 else (
        lambda s, actor, sos_id, ring, far_id: desk.close_sos(s, actor=actor, sos_id=sos_id,
                                                              reason="duplicate", now=T0))
    wins, sos_id, _ = _two_officers_at_once(pg_db.factory, action)
    assert len(wins) == 1
    with pg_db.factory() as session:
        kind = "widened" if round_ % 2 == 0 else "closed"
        assert len(_events(session, sos_id, kind)) == 1
        assert session.get(Sos, sos_id).status == ("pending" if kind == "widened" else "cancelled")


def test_bad_desk_input_is_refused_at_its_field_and_changes_nothing(session):
    """Issue 13's bad input: a hospital on diversion or inactive, a note over 1,000 characters,
    closing an SOS already resolved."""
    officer = add_user(session, "health_officer")
    citizen = add_user(session)
    sos = _unanswered(session, citizen)
    diverted = add_hospital(session, "Diverted Hospital", lat=CENTRE[0] + 0.1, lon=CENTRE[1])
    diverted.ems_status = "closed"
    inactive = add_hospital(session, "Not yet approved Hospital", lat=CENTRE[0] + 0.2, lon=CENTRE[1], status="proposed")
    give_beds(session, diverted)
    give_beds(session, inactive)
    offers_before, events_before = _offers(session, sos.id), session.query(SosEvent).count()
    for hospital, words in ((diverted, "on diversion"), (inactive, "active hospital")):
        with pytest.raises(InvalidInput, match=words) as error:
            desk.offer_to_hospital(session, actor=officer, sos_id=sos.id, hospital_id=hospital.id, now=T0)
        assert error.value.field == "hospital"
    with pytest.raises(InvalidInput, match="under 300 characters") as error:  # longer than any note field
        desk.add_note(session, actor=officer, sos_id=sos.id, text="x" * 1001, now=T0)
    assert error.value.field == "note"
    assert _offers(session, sos.id) == offers_before and session.query(SosEvent).count() == events_before

    hospitals, admins = city(session, 1)
    resolved = send_sos(session, add_user(session))
    match_now(session, rings=RINGS)
    sos_ops.accept_sos(session, actor=admins[0], sos_id=resolved.id, now=T0)
    session.execute(Sos.__table__.update().where(Sos.id == resolved.id).values(status="resolved"))
    with pytest.raises(Conflict, match="already taken by Hospital 1"):
        desk.close_sos(session, actor=officer, sos_id=resolved.id, reason="duplicate", now=T0)
    assert session.get(Sos, resolved.id).status == "resolved"

"""SOS: creation, first accept wins, decline, cancel, matching rings and escalation."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import sos as sos_ops
from db.errors import Conflict, InvalidInput, NotAllowed, NotFound
from db.matching import capable_hospitals
from db.models import Sos, SosEvent, SosOffer
from tests.builders import CENTRE, T0, add_hospital, add_user, city, give_beds, match_now, send_sos


def _offers(session, sos_id):
    return {o.hospital_id: o.status for o in session.execute(
        select(SosOffer).where(SosOffer.sos_id == sos_id)).scalars()}


def test_second_press_returns_the_open_sos(session):
    citizen = add_user(session)
    first = send_sos(session, citizen)
    again, created = sos_ops.create_sos(session, actor=citizen, latitude=1.0, longitude=2.0, now=T0)
    assert not created and again.id == first.id
    assert session.execute(select(func.count()).select_from(Sos)).scalar_one() == 1


@pytest.mark.parametrize(
    "lat,lon,message",
    [(None, None, "need your location"), (91.0, 77.0, "not on Earth"), (12.0, 181.0, "not on Earth"),
     (float("nan"), 77.0, "not on Earth")],
)
def test_sos_without_a_valid_location_is_refused(session, lat, lon, message):
    citizen = add_user(session)
    with pytest.raises(InvalidInput, match=message) as error:
        sos_ops.create_sos(session, actor=citizen, latitude=lat, longitude=lon, now=T0)
    assert error.value.field == "location"
    assert session.execute(select(func.count()).select_from(Sos)).scalar_one() == 0


def test_only_citizens_send_sos(session):
    officer = add_user(session, "health_officer")
    with pytest.raises(NotAllowed):
        sos_ops.create_sos(session, actor=officer, latitude=12.0, longitude=77.0, now=T0)


def test_emergency_type_sets_priority_and_unknown_type_is_refused(session):
    citizen = add_user(session)
    with pytest.raises(InvalidInput):
        sos_ops.create_sos(session, actor=citizen, latitude=12.0, longitude=77.0, now=T0,
                           emergency_type="alien_abduction")
    sos = send_sos(session, citizen, emergency_type="cardiac_arrest")
    assert sos.priority == "critical"


def test_nearest_capable_hospitals_first_within_radius(session):
    hospitals, _ = city(session, 4)  # at 1, 2, 3, 4 km
    found = capable_hospitals(session, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=3.5)
    assert [c.hospital_id for c in found] == [h.id for h in hospitals[:3]]
    assert [round(c.distance_km) for c in found] == [1, 2, 3]


def test_hospitals_on_diversion_or_without_the_needed_bed_are_skipped(session):
    hospitals, _ = city(session, 3)
    hospitals[0].ems_status = "closed"
    far = add_hospital(session, "No ICU", lat=CENTRE[0], lon=CENTRE[1] + 0.5 / 108.5)
    give_beds(session, far, icu=0)
    session.flush()
    any_bed = capable_hospitals(session, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=10)
    icu = capable_hospitals(session, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=10, bed_code="ICU")
    assert hospitals[0].id not in {c.hospital_id for c in any_bed}
    assert far.id in {c.hospital_id for c in any_bed}
    assert far.id not in {c.hospital_id for c in icu}


def test_matching_offers_ring_then_escalates_then_unanswered(session, clock):
    hospitals, _ = city(session, 3, spacing_km=4.0)  # at 4, 8, 12 km
    citizen = add_user(session)
    sos = send_sos(session, citizen, now=clock())
    rings = (5.0, 10.0)
    assert match_now(session, now=clock(), rings=rings).offered == 1
    assert set(_offers(session, sos.id)) == {hospitals[0].id}
    # Before the timer nothing more happens, however often the job runs.
    assert match_now(session, now=clock.advance(seconds=30), rings=rings).offered == 0
    assert match_now(session, now=clock.advance(seconds=31), rings=rings).offered == 1
    assert set(_offers(session, sos.id)) == {hospitals[0].id, hospitals[1].id}
    summary = match_now(session, now=clock.advance(seconds=61), rings=rings)
    assert summary.unanswered == 1
    assert session.get(Sos, sos.id).status == "unanswered"
    # A hospital that was offered it can still take it.
    admin = add_user(session, "hospital_admin", hospital=hospitals[1])
    assert sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=clock()).status == "accepted"


def test_when_every_hospital_declines_the_next_ring_is_due_at_once(session, clock):
    hospitals, admins = city(session, 2, spacing_km=4.0)
    sos = send_sos(session, add_user(session), now=clock())
    match_now(session, now=clock(), rings=(5.0, 10.0))
    sos_ops.decline_sos(session, actor=admins[0], sos_id=sos.id, now=clock.advance(seconds=5))
    assert match_now(session, now=clock(), rings=(5.0, 10.0)).offered == 1
    assert _offers(session, sos.id) == {hospitals[0].id: "declined", hospitals[1].id: "offered"}


def test_no_hospital_in_reach_makes_it_unanswered_at_once(session):
    sos = send_sos(session, add_user(session))
    assert match_now(session, rings=(5.0,)).unanswered == 1
    assert session.get(Sos, sos.id).status == "unanswered"


def test_first_accept_wins_and_loser_is_told_who_won(session):
    hospitals, admins = city(session, 2)
    sos = send_sos(session, add_user(session))
    match_now(session)
    assert sos_ops.accept_sos(session, actor=admins[1], sos_id=sos.id, now=T0).hospital_id == hospitals[1].id
    with pytest.raises(sos_ops.AlreadyAccepted, match="Already accepted by Hospital 2"):
        sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    assert _offers(session, sos.id) == {hospitals[0].id: "withdrawn", hospitals[1].id: "accepted"}
    assert sos_ops.hospital_queue(session, actor=admins[0]) == []


def test_an_accept_leaves_what_every_screen_and_the_timeline_read(session, db):
    """One hospital of three takes the SOS (one had declined it): the SOS names it from that
    moment, its offer is accepted, the waiting offer is withdrawn and the decline stays a decline,
    the timeline has one "accepted" entry by that person; a later press is told who took it and
    changes nothing. On PostgreSQL all but the withdrawal is one statement (`_ACCEPT_SQL`)."""
    hospitals, admins = city(session, 3)
    sos = send_sos(session, add_user(session))
    match_now(session)
    sos_ops.decline_sos(session, actor=admins[2], sos_id=sos.id, now=T0 + timedelta(seconds=5))
    session.commit()
    at = T0 + timedelta(seconds=20)
    taken = sos_ops.accept_sos(session, actor=admins[1], sos_id=sos.id, now=at)
    session.commit()
    assert (taken.id, taken.status, taken.hospital_id, taken.accepted_at, taken.updated_at) == \
        (sos.id, "accepted", hospitals[1].id, at, at)
    offers = {o.hospital_id: (o.status, o.responded_at)
              for o in session.execute(select(SosOffer).where(SosOffer.sos_id == sos.id)).scalars()}
    assert offers == {hospitals[0].id: ("withdrawn", at), hospitals[1].id: ("accepted", at),
                      hospitals[2].id: ("declined", T0 + timedelta(seconds=5))}
    accepted = session.execute(select(SosEvent).where(SosEvent.sos_id == sos.id, SosEvent.kind == "accepted")).scalars().all()
    assert [(e.from_status, e.to_status, e.at, e.actor_id, e.hospital_id, e.ambulance_id, e.detail) for e in accepted] == \
        [(None, "accepted", at, admins[1].id, hospitals[1].id, None, "")]
    events = session.execute(select(func.count()).select_from(SosEvent)).scalar_one()
    session.commit()  # SQLite: one writer at a time

    with db.factory() as other:  # another dispatcher's request, a moment later
        with pytest.raises(sos_ops.AlreadyAccepted, match=r"^Already accepted by Hospital 2\.$") as refused:
            sos_ops.accept_sos(other, actor=other.get(type(admins[0]), admins[0].id), sos_id=sos.id,
                               now=at + timedelta(seconds=1))
        assert refused.value.by == "Hospital 2"
        other.rollback()
    session.expire_all()
    assert session.execute(select(func.count()).select_from(SosEvent)).scalar_one() == events
    assert session.get(Sos, sos.id).updated_at == at
    assert sos_ops.tracking(session, actor=sos.citizen, sos_id=sos.id).timeline[-1].text == "Accepted by Hospital 2"


def test_double_click_accept_does_nothing_twice(session):
    _, admins = city(session, 1)
    sos = send_sos(session, add_user(session))
    match_now(session)
    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    kinds = [e.kind for e in session.execute(select(SosEvent).where(SosEvent.sos_id == sos.id)).scalars()]
    assert kinds.count("accepted") == 1


def test_hospital_cannot_accept_an_sos_not_offered_to_it(session):
    _, admins = city(session, 1)
    outsider = add_user(session, "hospital_admin", hospital=add_hospital(session, "Far", lat=20.0, lon=80.0))
    sos = send_sos(session, add_user(session))
    match_now(session)
    with pytest.raises(NotAllowed):
        sos_ops.accept_sos(session, actor=outsider, sos_id=sos.id, now=T0)
    with pytest.raises(NotAllowed):
        sos_ops.accept_sos(session, actor=add_user(session), sos_id=sos.id, now=T0)  # a citizen
    assert session.get(Sos, sos.id).status == "pending"


def test_decline_removes_it_from_this_queue_only(session):
    _, admins = city(session, 2)
    sos = send_sos(session, add_user(session))
    match_now(session)
    sos_ops.decline_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    assert sos_ops.hospital_queue(session, actor=admins[0]) == []
    assert [i.sos_id for i in sos_ops.hospital_queue(session, actor=admins[1])] == [sos.id]


def test_a_hospital_that_declined_may_still_accept_while_the_sos_waits(session):
    """The decision (issue 15): a decline takes the SOS off that hospital's queue, but a second
    dispatcher on a screen not yet refreshed, or the same one after a bed freed up, may still take
    it while nobody has: a caller waiting is better helped by a late yes than by a rule."""
    _, admins = city(session, 2)
    sos = send_sos(session, add_user(session))
    match_now(session)
    sos_ops.decline_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    taken = sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0 + timedelta(seconds=20))
    assert (taken.status, taken.hospital_id) == ("accepted", admins[0].hospital_id)
    offers = dict(session.execute(select(SosOffer.hospital_id, SosOffer.status).where(SosOffer.sos_id == sos.id)).all())
    assert offers == {admins[0].hospital_id: "accepted", admins[1].hospital_id: "withdrawn"}


def test_a_withdrawn_offer_cannot_be_accepted(session):
    """An offer is withdrawn when the caller cancels or another hospital takes the SOS: either way
    the SOS is no longer open, and accepting it is refused with the reason."""
    _, admins = city(session, 2)
    citizen = add_user(session)
    sos = send_sos(session, citizen)
    match_now(session)
    sos_ops.cancel_sos(session, actor=citizen, sos_id=sos.id, now=T0)
    with pytest.raises(Conflict, match="no longer open: cancelled"):
        sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)


def test_an_earlier_rings_offer_stays_acceptable_after_the_sos_escalates(session):
    """Offers do not expire while the SOS is open: when nobody in the first ring answers, the next
    ring is asked too, and a first-ring hospital that answers late still takes it (the caller is
    helped sooner); the other offers are then withdrawn and their hospitals told who took it."""
    hospitals, admins = city(session, 2, spacing_km=8.0)  # 8 km and 16 km east
    sos = send_sos(session, add_user(session))
    match_now(session, rings=(10.0, 20.0))
    match_now(session, now=T0 + timedelta(seconds=61), rings=(10.0, 20.0))
    offers = dict(session.execute(select(SosOffer.hospital_id, SosOffer.status).where(SosOffer.sos_id == sos.id)).all())
    assert offers == {hospitals[0].id: "offered", hospitals[1].id: "offered"}
    taken = sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0 + timedelta(seconds=90))
    assert (taken.status, taken.hospital_id) == ("accepted", hospitals[0].id)
    offers = dict(session.execute(select(SosOffer.hospital_id, SosOffer.status).where(SosOffer.sos_id == sos.id)).all())
    assert offers == {hospitals[0].id: "accepted", hospitals[1].id: "withdrawn"}
    with pytest.raises(Conflict, match="Already accepted by Hospital 1"):
        sos_ops.accept_sos(session, actor=admins[1], sos_id=sos.id, now=T0 + timedelta(seconds=91))


def test_citizen_cancels_before_arrival_but_not_after(session, clock):
    _, admins = city(session, 1)
    citizen = add_user(session)
    sos = send_sos(session, citizen)
    match_now(session)
    cancelled = sos_ops.cancel_sos(session, actor=citizen, sos_id=sos.id, now=clock())
    assert cancelled.status == "cancelled"
    assert sos_ops.hospital_queue(session, actor=admins[0]) == []
    with pytest.raises(Conflict, match="can no longer be cancelled"):
        sos_ops.cancel_sos(session, actor=citizen, sos_id=sos.id, now=clock())


def test_nobody_else_cancels_or_tracks_my_sos(session):
    citizen, other = add_user(session), add_user(session)
    sos = send_sos(session, citizen)
    with pytest.raises(NotFound):
        sos_ops.cancel_sos(session, actor=other, sos_id=sos.id, now=T0)
    with pytest.raises(NotFound):
        sos_ops.tracking(session, actor=other, sos_id=sos.id)


def test_timeline_comes_from_events(session, clock):
    hospitals, admins = city(session, 2)
    citizen = add_user(session)
    sos = send_sos(session, citizen, now=clock(), emergency_type="stroke")
    match_now(session, now=clock.advance(seconds=1))
    sos_ops.decline_sos(session, actor=admins[0], sos_id=sos.id, now=clock.advance(seconds=5))
    sos_ops.accept_sos(session, actor=admins[1], sos_id=sos.id, now=clock.advance(seconds=4))
    view = sos_ops.tracking(session, actor=citizen, sos_id=sos.id)
    assert [e.text for e in view.timeline] == [
        "SOS sent (Stroke (face, arm, speech))",
        "Offered to 2 hospitals within 5 km",
        "Accepted by Hospital 2",
    ]
    assert view.hospital.name == "Hospital 2" and round(view.distance_km) == 2
    officer_view = sos_ops.tracking(session, actor=add_user(session, "health_officer"), sos_id=sos.id,
                                    show_declines=True)
    assert "Hospital 1 could not take it" in [e.text for e in officer_view.timeline]


def test_officer_sees_late_and_unanswered_sos_with_offers(session, clock):
    hospitals, admins = city(session, 2)
    officer = add_user(session, "health_officer")
    late = send_sos(session, add_user(session), now=clock())
    match_now(session, now=clock())
    sos_ops.decline_sos(session, actor=admins[0], sos_id=late.id, now=clock())
    fresh = send_sos(session, add_user(session), now=clock.advance(seconds=50))
    items = sos_ops.needing_attention(session, actor=officer, now=clock.advance(seconds=20),
                                      late_after=timedelta(seconds=60))
    assert [i.sos.id for i in items] == [late.id]
    assert {(o.hospital, o.status) for o in items[0].offers} == {("Hospital 1", "declined"),
                                                                 ("Hospital 2", "offered")}
    assert fresh.id not in [i.sos.id for i in items]
    with pytest.raises(NotAllowed):
        sos_ops.needing_attention(session, actor=admins[0], now=clock(), late_after=timedelta(seconds=60))

"""The queue screen's version: it moves whenever anything the hospital's queue shows changes, and
stays put otherwise (an unchanged refresh then draws nothing)."""

from datetime import timedelta

from db import dispatch
from db import sos as sos_ops
from db.sos_state import compare_and_set
from tests.builders import add_user, city, match_now, send_sos


class Watch:
    """The version one hospital admin's screen holds; `moved()` says whether it changed since."""

    def __init__(self, session, admin, clock):
        self.session, self.admin, self.clock = session, admin, clock
        self.seen = self.now()

    def now(self) -> str:
        self.session.flush()
        return sos_ops.queue_version(self.session, actor=self.admin, new_since=self.clock() - timedelta(seconds=30))

    def moved(self) -> bool:
        before, self.seen = self.seen, self.now()
        return before != self.seen


def test_every_change_the_queue_shows_moves_the_version_and_nothing_else_does(session, clock):
    hospitals, admins = city(session, 2)
    admin, other = admins
    citizens = [add_user(session) for _ in range(3)]
    watch = Watch(session, admin, clock)
    assert not watch.moved()  # asked twice, nothing changed

    first = send_sos(session, citizens[0], now=clock())
    assert not watch.moved()  # not yet offered to anyone: not on the screen
    match_now(session, now=clock(), rings=(10.0,))
    assert watch.moved(), "new offer"
    assert not watch.moved()

    clock.advance(seconds=31)
    assert watch.moved(), "no longer new (its NEW badge goes)"
    assert not watch.moved()

    compare_and_set(session, first.id, ("pending",), "unanswered", clock())
    assert watch.moved(), "pending → unanswered (its UNANSWERED badge)"

    second = send_sos(session, citizens[1], now=clock())
    match_now(session, now=clock(), rings=(10.0,))
    assert watch.moved()
    sos_ops.decline_sos(session, actor=admin, sos_id=second.id, now=clock.advance(seconds=1))
    assert watch.moved(), "declined"

    sos_ops.accept_sos(session, actor=other, sos_id=first.id, now=clock.advance(seconds=1))
    assert watch.moved(), "taken by another hospital: withdrawn from this queue"

    third = send_sos(session, citizens[2], now=clock())
    match_now(session, now=clock(), rings=(10.0,))
    assert watch.moved()
    sos_ops.accept_sos(session, actor=admin, sos_id=third.id, now=clock.advance(seconds=1))
    assert watch.moved(), "accepted"

    unit = dispatch.register_unit(session, actor=admin, call_sign="AMB-1", now=clock())
    assert watch.moved(), "a unit to choose"
    dispatch.register_unit(session, actor=other, call_sign="AMB-9", now=clock())
    assert not watch.moved(), "another hospital's unit"
    dispatch.edit_unit(session, actor=admin, unit_id=unit.id, call_sign="AMB-2", registration_plate="",
                       level="ALS", crew_contact="+91 90000 00000")
    assert watch.moved(), "its call sign, level and crew are on the card"
    dispatch.toggle_service(session, actor=admin, unit_id=unit.id, now=clock.advance(seconds=1))
    assert watch.moved(), "out of service"
    dispatch.toggle_service(session, actor=admin, unit_id=unit.id, now=clock.advance(seconds=1))
    assert watch.moved(), "available again"

    dispatch.assign_unit(session, actor=admin, sos_id=third.id, unit_id=unit.id, now=clock.advance(seconds=1))
    assert watch.moved(), "sent"
    for step in ("en_route", "on_scene"):
        dispatch.move_unit_of_sos(session, actor=admin, sos_id=third.id, to_status=step,
                                  now=clock.advance(seconds=1))
        assert watch.moved(), step
    dispatch.resolve_sos(session, actor=admin, sos_id=third.id, now=clock.advance(seconds=1))
    assert watch.moved(), "resolved"
    assert not watch.moved()


def test_a_cancelled_sos_leaves_the_queue_and_the_held_list(session, clock):
    _, admins = city(session, 1)
    admin = admins[0]
    waiting, held = add_user(session), add_user(session)
    watch = Watch(session, admin, clock)
    sos = send_sos(session, waiting, now=clock())
    match_now(session, now=clock(), rings=(10.0,))
    assert watch.moved()
    sos_ops.cancel_sos(session, actor=waiting, sos_id=sos.id, now=clock.advance(seconds=1))
    assert watch.moved(), "cancelled while waiting"

    sos = send_sos(session, held, now=clock())
    match_now(session, now=clock(), rings=(10.0,))
    sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=clock.advance(seconds=1))
    assert watch.moved()
    sos_ops.cancel_sos(session, actor=held, sos_id=sos.id, now=clock.advance(seconds=1))
    assert watch.moved(), "cancelled after it was accepted"


def test_a_long_queue_is_cut_in_the_database_most_urgent_then_oldest_and_counted(session, clock):
    _hospitals, admins = city(session, 1)
    admin = admins[0]
    sent = []
    for index in range(12):
        kind = "stroke" if index in (4, 9) else None  # two critical ones, sent later than most
        sent.append(send_sos(session, add_user(session), now=clock() + timedelta(seconds=index),
                             emergency_type=kind))
    match_now(session, now=clock() + timedelta(seconds=20), rings=(10.0,))
    first_five = sos_ops.hospital_queue(session, actor=admin, limit=5)
    assert [item.sos_id for item in first_five] == [sent[4].id, sent[9].id, sent[0].id, sent[1].id, sent[2].id]
    assert sos_ops.queue_count(session, actor=admin) == 12
    assert [i.sos_id for i in sos_ops.hospital_queue(session, actor=admin)][:5] == [i.sos_id for i in first_five]

    late = send_sos(session, add_user(session), now=clock() + timedelta(seconds=40))
    match_now(session, now=clock() + timedelta(seconds=40), rings=(10.0,), sos_id=late.id)
    newest = sos_ops.just_offered(session, actor=admin, since=clock() + timedelta(seconds=30), limit=3)
    assert [item.sos_id for item in newest] == [late.id]  # only what was offered since, newest first
    assert sos_ops.queue_count(session, actor=admin) == 13

"""What a hospital notices: the count waiting for it, and why an SOS left its screens."""

from datetime import timedelta

from db import hospital_news as news
from db import officer_desk as desk
from db import sos as sos_ops
from tests.builders import T0, add_user, city, match_now, send_sos


def test_waiting_count_is_the_hospitals_own(session):
    hospitals, admins = city(session, 2)
    for _ in range(3):
        send_sos(session, add_user(session))
    match_now(session, rings=(5.0,))
    assert news.waiting_count(session, actor=admins[0]) == 3
    first = sos_ops.hospital_queue(session, actor=admins[0])[0]
    sos_ops.accept_sos(session, actor=admins[1], sos_id=first.sos_id, now=T0)
    assert news.waiting_count(session, actor=admins[0]) == 2
    assert news.waiting_count(session, actor=admins[1]) == 2


def test_a_taken_a_cancelled_and_a_closed_sos_each_say_why(session):
    hospitals, (alpha, beta) = city(session, 2)
    hospitals[1].name = "Koramangala General Hospital"
    citizens = [add_user(session) for _ in range(4)]
    taken, cancelled, closed, mine = (send_sos(session, c) for c in citizens)
    match_now(session, rings=(5.0,))
    sos_ops.accept_sos(session, actor=beta, sos_id=taken.id, now=T0 + timedelta(seconds=10))
    sos_ops.cancel_sos(session, actor=citizens[1], sos_id=cancelled.id, now=T0 + timedelta(seconds=20))
    desk.close_sos(session, actor=add_user(session, "health_officer"), sos_id=closed.id, reason="duplicate",
                   now=T0 + timedelta(seconds=30))
    sos_ops.accept_sos(session, actor=alpha, sos_id=mine.id, now=T0 + timedelta(seconds=35))
    sos_ops.cancel_sos(session, actor=citizens[3], sos_id=mine.id, now=T0 + timedelta(seconds=40))

    lines = [d.text for d in news.departures(session, actor=alpha, now=T0 + timedelta(minutes=1))]
    assert lines == [
        f"SOS-{mine.id:05d} was cancelled by the caller",
        f"SOS-{closed.id:05d} was closed by a health officer: a duplicate of another SOS",
        f"SOS-{cancelled.id:05d} was cancelled by the caller",
        f"SOS-{taken.id:05d} was taken by Koramangala General Hospital",
    ]
    # Beta took one: it did not leave Beta's screens.
    assert f"SOS-{taken.id:05d}" not in " ".join(d.text for d in news.departures(
        session, actor=beta, now=T0 + timedelta(minutes=1)))
    # After a while the lines go.
    assert news.departures(session, actor=alpha, now=T0 + timedelta(minutes=15)) == []

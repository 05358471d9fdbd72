"""Response-time figures against hand-computed fixtures."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db import metrics
from db.models import Sos, SosEvent
from tests.builders import T0, add_user


def test_percentile_by_hand():
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([7.0], 0.9) == 7.0
    assert metrics.percentile([10, 20, 30, 40], 0.5) == 25.0  # halfway between 20 and 30
    # p90 of 1..10: position 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9)
    assert metrics.percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)
    assert metrics.percentile([5, 5, 5, 100], 0.9) == pytest.approx(71.5)  # 5 + 0.7 * 95


def _sos_with_events(session, offsets: dict[str, float], start: datetime):
    citizen = add_user(session)
    # The status does not matter: the figures come from the events alone.
    sos = Sos(citizen_id=citizen.id, status="cancelled", latitude=12.9, longitude=77.6, created_at=start,
              updated_at=start)
    session.add(sos)
    session.flush()
    for kind, seconds in offsets.items():
        to_status = "on_scene" if kind == "unit_status" else None
        session.add(SosEvent(sos_id=sos.id, kind=kind, to_status=to_status, at=start + timedelta(seconds=seconds)))
    session.flush()


def test_response_times_from_events(session):
    # Three SOS today: call-to-accept 30, 50, 130 s; accept-to-dispatch 20, 40 s (one never
    # dispatched); dispatch-to-arrival 300 s (the others not there yet).
    _sos_with_events(session, {"created": 0, "accepted": 30, "dispatched": 50, "unit_status": 350}, T0)
    _sos_with_events(session, {"created": 0, "accepted": 50, "dispatched": 90}, T0 + timedelta(minutes=5))
    _sos_with_events(session, {"created": 0, "accepted": 130}, T0 + timedelta(minutes=9))
    # Yesterday's SOS must not count.
    _sos_with_events(session, {"created": 0, "accepted": 999, "dispatched": 2000},
                     T0 - timedelta(days=1))
    stats = {s.key: s for s in metrics.response_times(session, start=T0 - timedelta(hours=1),
                                                      end=T0 + timedelta(hours=1))}
    accept = stats["call_to_accept"]
    assert (accept.count, accept.median) == (3, 50.0)
    assert accept.p90 == pytest.approx(114.0)  # 50 + 0.8 * (130 - 50)
    assert accept.meets_target is False  # 114 s > 60 s
    dispatch = stats["accept_to_dispatch"]
    assert (dispatch.count, dispatch.median, dispatch.p90) == (2, 30.0, pytest.approx(38.0))
    assert dispatch.meets_target is True
    arrival = stats["dispatch_to_arrival"]
    assert (arrival.count, arrival.median, arrival.p90) == (1, 300.0, 300.0)


def test_an_empty_day_has_no_figures(session):
    stats = metrics.response_times(session, start=T0, end=T0 + timedelta(days=1))
    assert all(s.count == 0 and s.median is None and s.p90 is None and s.meets_target is None for s in stats)


def test_day_bounds_follow_the_display_zone():
    late_evening_utc = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)  # 01:30 on the 29th in India
    start, end = metrics.day_bounds(late_evening_utc, ZoneInfo("Asia/Kolkata"))
    assert start.astimezone(UTC) == datetime(2026, 11, 28, 18, 30, tzinfo=UTC)
    assert end - start == timedelta(days=1)

"""The family's view of an ambulance on its way (issue 14): the citizen's tracking page, left open,
shows the demo unit driving towards them (the demo city's job moves it as a crew's phone would):
the arrival estimate falls and the map says the unit is nearer, without reloading the page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dash.testing.wait import until
from sqlalchemy import update

from db import demo_motion, dispatch
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Ambulance, User
from tests.builders import add_crew, give_beds, match_now, send_sos

pytestmark = pytest.mark.e2e

ALPHA = (12.9784, 77.6408)
CALLER = (ALPHA[0] + 0.02, ALPHA[1] + 0.02)  # ~3 km NE of Alpha Hospital
KMH = 40.0


def _sent(web_db, web_people) -> tuple[int, int]:
    now = utcnow()
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        give_beds(session, admin.hospital)
        _token, unit, _crew = add_crew(session, admin, call_sign="AMB-5", now=now)
        sos = send_sos(session, session.get(User, web_people["citizen"].id), now=now, lat=CALLER[0], lon=CALLER[1])
        match_now(session, now=now, rings=(5.0,))
        sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=now)
        dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=now)
        session.commit()
        return sos.id, unit.id


def _demo_drives_half_a_minute(web_db, unit_id: int) -> None:
    """One step of the demo city's job, as if 30 s had passed since the unit's last position."""
    now = utcnow()
    with web_db.factory() as session:
        session.execute(update(Ambulance).where(Ambulance.id == unit_id, Ambulance.position_at.is_not(None))
                        .values(position_at=now - timedelta(seconds=30)))
        assert demo_motion.drive(session, now=now, kmh=KMH) == 1
        session.commit()


def _minutes(browser) -> int:
    return int(re.search(r"(\d+) min", browser.text("#track-arrival")).group(1))


def _unit_distance_on_map(browser) -> float:
    """How far the map says the ambulance is from the caller, in km ("…, 1.2 km north-east of you.")."""
    number, unit = re.search(r"([\d.]+) (km|m) [a-z-]+ of you", browser.text("#track-map-caption")).groups()
    return float(number) / (1000 if unit == "m" else 1)


def test_the_estimate_falls_as_the_demo_unit_drives_to_the_caller(web_db, web_people, browser):
    sos_id, unit_id = _sent(web_db, web_people)
    _demo_drives_half_a_minute(web_db, unit_id)  # leaves the hospital
    browser.start()
    browser.set_window_size(360, 640)
    browser.log_in("citizen@example.in", lands_on="/citizen")
    browser.open(f"/citizen/sos/{sos_id}")
    until(lambda: browser.count("#track-arrival") == 1 and browser.count("#track-map-unit") == 1, 10)
    minutes, distance = [_minutes(browser)], [_unit_distance_on_map(browser)]
    for _ in range(4):
        caption_before = browser.text("#track-map-caption")
        _demo_drives_half_a_minute(web_db, unit_id)
        until(lambda before=caption_before: browser.text("#track-map-caption") != before, 10)  # redrawn by itself
        minutes.append(_minutes(browser))
        distance.append(_unit_distance_on_map(browser))
    assert minutes == sorted(minutes, reverse=True) and minutes[-1] < minutes[0], minutes
    assert distance == sorted(distance, reverse=True) and distance[-1] < distance[0], distance

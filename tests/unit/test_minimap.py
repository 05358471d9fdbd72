"""Sketch maps (components/minimap.py): points at their true bearing and distance, north up, a
round scale ring inside the farthest point, and the same in words."""

from datetime import UTC

import pytest

from components import minimap
from components.dispatch import units_data, waiting_sketch

HOSPITAL = (12.9784, 77.6408)
KM_LAT = 1 / 111.0  # ~1 km of latitude


def test_a_point_due_north_is_straight_up_at_the_reach_and_east_is_right():
    drawn = minimap.sketch(HOSPITAL, [(HOSPITAL[0] + 2 * KM_LAT, HOSPITAL[1]), (HOSPITAL[0], HOSPITAL[1] + 0.0092)])
    (nx, ny), (ex, ey) = drawn["points"]
    assert nx == pytest.approx(60, abs=0.2) and ny == pytest.approx(60 - minimap.REACH, abs=0.2)
    assert ex > 60 and ey == pytest.approx(60, abs=0.3)  # ~1 km east: right, half as far
    assert drawn["scale"] == "2 km" and drawn["ring"] <= minimap.REACH


@pytest.mark.parametrize("km, scale", [(0.01, "200 m"), (0.3, "200 m"), (0.7, "500 m"), (1.9, "1 km"), (37, "20 km")])
def test_the_ring_is_the_largest_round_distance_inside_the_farthest_point(km, scale):
    """Never closer than 200 m: points a few metres apart are not blown up to the edge."""
    drawn = minimap.sketch(HOSPITAL, [(HOSPITAL[0] - km * KM_LAT, HOSPITAL[1])])
    assert drawn["scale"] == scale
    assert 0 < drawn["ring"] <= minimap.REACH


def test_where_in_words():
    assert minimap.where_words(*HOSPITAL, HOSPITAL[0] + 2.6 * KM_LAT, HOSPITAL[1]) == "2.6 km N"
    assert minimap.where_words(*HOSPITAL, HOSPITAL[0] - 0.3 * KM_LAT, HOSPITAL[1]) == "300 m S"
    assert minimap.where_words(*HOSPITAL, *HOSPITAL) == "here"


def test_a_waiting_cards_sketch_says_where_the_sos_is_from_the_hospital():
    sketch = waiting_sketch(HOSPITAL, HOSPITAL[0] - 1.2 * KM_LAT, HOSPITAL[1])
    assert sketch["say"].startswith("Sketch map: the SOS is 1.2 km S of your hospital.")
    assert sketch["p"][1] > 60  # south: below the hospital
    assert waiting_sketch(None, *HOSPITAL) is None


@pytest.mark.parametrize("lat, lon", [(1, 1), (-1, 1), (1, -1), (-1, -1), (0, 0)])
def test_the_tracking_sketch_keeps_its_labels_inside_the_picture(lat, lon):
    drawn = minimap.caller_and_unit(HOSPITAL, (HOSPITAL[0] + lat * KM_LAT, HOSPITAL[1] + lon * 0.0092))
    assert 0 <= drawn["label_x"] <= minimap.SIZE and 0 < drawn["label_y"] < minimap.SIZE
    assert 0 < drawn["you_y"] < minimap.SIZE
    if lat or lon:
        assert drawn["where"].endswith(("N", "S", "E", "W"))


def test_units_data_says_how_far_each_held_units_is_and_greys_the_stale():
    from datetime import datetime
    from types import SimpleNamespace

    from db.positions import UnitOnMap, estimate

    now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    moving = UnitOnMap(1, "AMB-1", "en_route", HOSPITAL[0], HOSPITAL[1], 20, False)
    idle = UnitOnMap(2, "AMB-2", "available", HOSPITAL[0], HOSPITAL[1], 300, True)
    sos = SimpleNamespace(id=7, latitude=HOSPITAL[0] + 3 * KM_LAT, longitude=HOSPITAL[1])
    data = units_data([moving, idle], [(sos, moving, estimate(*HOSPITAL, sos.latitude, sos.longitude, kmh=30))],
                      hospital=(*HOSPITAL, "Alpha"), now=now)
    minutes = estimate(*HOSPITAL, sos.latitude, sos.longitude, kmh=30).minutes
    assert data["held"]["7"]["text"] == f"3.0 km from the patient, about {minutes} min (estimate)"
    there = units_data([moving], [(sos, moving, estimate(sos.latitude, sos.longitude, sos.latitude, sos.longitude))],
                       hospital=None, now=now)
    assert there["held"]["7"]["text"] == "at the patient's place"
    first, second = data["units"]
    assert first["colour"] != second["colour"] and second["stale"]
    assert data["at"] - first["since"] == 20_000

"""An SOS's place in words: the nearest named place with distance and compass point."""

import pytest

from db import landmarks
from db.errors import InvalidInput
from db.geo import bearing_deg, compass_point
from db.models import Landmark
from tests.builders import CENTRE, T0, add_hospital

METRO = (12.9784, 77.6408)  # Indiranagar Metro, as the demo city has it


def _metro(session):
    session.add(Landmark(name="Indiranagar Metro", kind="metro", latitude=METRO[0], longitude=METRO[1],
                         created_at=T0))
    session.flush()


@pytest.mark.parametrize("bearing,point", [(0, "N"), (44, "NE"), (90, "E"), (200, "S"), (350, "N"), (300, "NW")])
def test_compass_points(bearing, point):
    assert compass_point(bearing) == point


def test_bearing_north_east():
    assert 40 < bearing_deg(12.97, 77.59, 12.98, 77.60) < 50


def test_sos_north_east_of_a_landmark_is_told_so(session):
    _metro(session)
    # ~0.85 km north and ~0.85 km east of the metro station: 1.2 km NE.
    words = landmarks.describe_place(session, METRO[0] + 0.0077, METRO[1] + 0.0078)
    assert words.text == "1.2 km NE of Indiranagar Metro"


def test_at_a_landmark_and_a_nearer_hospital_wins(session):
    _metro(session)
    assert landmarks.describe_place(session, *METRO).text == "at Indiranagar Metro"
    add_hospital(session, "Corner Clinic", lat=METRO[0] - 0.01, lon=METRO[1])
    # Nearer the clinic than the station: the clinic names the place.
    assert landmarks.describe_place(session, METRO[0] - 0.012, METRO[1]).text == "0.2 km S of Corner Clinic"


def test_nothing_known_nearby_says_nothing(session):
    _metro(session)
    assert landmarks.describe_place(session, CENTRE[0] + 1, CENTRE[1]).text == ""
    assert landmarks.describe_place(session, 200.0, 0.0).text == ""


def test_map_links_open_the_point_anywhere():
    geo, https = landmarks.map_links(12.9568, 77.6327)
    assert geo == "geo:12.95680,77.63270?q=12.95680,77.63270"
    assert https.startswith("https://www.openstreetmap.org/?mlat=12.95680&mlon=77.63270")


def test_import_csv_adds_once_and_reports_bad_lines(session):
    text = ("name,latitude,longitude,kind\n"
            "Indiranagar Metro,12.9784,77.6408,metro\n"
            "Nowhere,200,77,x\n"
            ",12.9,77.6,\n"
            "Forum Mall,12.9345,77.6112,mall\n")
    summary = landmarks.import_csv(session, text, now=T0)
    assert summary.added == 2
    assert summary.refused == ["line 3: needs a name and a valid latitude and longitude",
                               "line 4: needs a name and a valid latitude and longitude"]
    again = landmarks.import_csv(session, text, now=T0)
    assert (again.added, again.already_there) == (0, 2)
    with pytest.raises(InvalidInput, match="missing: latitude"):
        landmarks.import_csv(session, "name,lat,longitude\nX,1,2\n", now=T0)

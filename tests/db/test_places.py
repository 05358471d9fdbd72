"""Where a person is: the SOS button's rule (the most explicit source wins, an unreadable place is
refused at its field) and the search pages' rule (typed text wins, the city centre otherwise)."""

import pytest
from sqlalchemy import func, select

from db import places
from db import sos as sos_ops
from db.errors import InvalidInput
from db.models import Sos
from tests.builders import T0, add_hospital, add_user

GPS = {"lat": 12.9, "lon": 77.5, "accuracy": 35.0}
TAP = {"lat": 12.95, "lon": 77.55}
CENTRE = (12.9716, 77.5946)


def test_a_tap_on_the_map_wins_over_everything_else(session):
    add_hospital(session, "Indiranagar Hospital", lat=12.97, lon=77.64)
    place = places.sos_location(session, picked=TAP, coordinates="12.1, 77.1", landmark="Indiranagar",
                                position=GPS)
    assert place == places.SosPlace(12.95, 77.55, "map")


def test_typed_coordinates_win_over_a_landmark_and_gps(session):
    add_hospital(session, "Indiranagar Hospital", lat=12.97, lon=77.64)
    place = places.sos_location(session, coordinates=" 12.1; 77.1 ", landmark="Indiranagar", position=GPS)
    assert place == places.SosPlace(12.1, 77.1, "typed")


def test_a_landmark_wins_over_gps_and_says_where_it_is(session):
    add_hospital(session, "Indiranagar Hospital", lat=12.97, lon=77.64)
    place = places.sos_location(session, coordinates="  ", landmark="indiranagar", position=GPS)
    assert (place.latitude, place.longitude, place.source) == (12.97, 77.64, "landmark")
    assert place.text == "near Indiranagar Hospital, 1 Test Road"


def test_gps_is_used_with_its_accuracy_when_nothing_else_was_given(session):
    assert places.sos_location(session, landmark="", position=GPS) == \
        places.SosPlace(12.9, 77.5, "gps", accuracy_m=35.0)


def test_nothing_given_is_no_point(session):
    assert places.sos_location(session, position={"lat": None}) == places.SosPlace(None, None, "gps")


@pytest.mark.parametrize("typed,message", [("12.9", "Type two numbers"), ("north, east", "must be numbers"),
                                           ("95, 77", "Latitude is -90 to 90")])
def test_unreadable_coordinates_are_refused_at_their_field(session, typed, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        places.sos_location(session, coordinates=typed, position=GPS)
    assert refused.value.field == "coordinates"


def test_an_unknown_landmark_is_refused_at_its_field(session):
    with pytest.raises(InvalidInput, match="We could not find “Atlantis”") as refused:
        places.sos_location(session, landmark=" Atlantis ", position=GPS)
    assert refused.value.field == "landmark"


def test_send_sos_stores_where_the_location_came_from(session):
    add_hospital(session, "Indiranagar Hospital", lat=12.97, lon=77.64)
    citizen = add_user(session)
    sos, created = sos_ops.send_sos(session, actor=citizen, now=T0, landmark="Indiranagar", position=GPS,
                                    emergency_type="choking", note=" gate 2 ")
    assert created
    assert (sos.latitude, sos.longitude, sos.location_source, sos.accuracy_m) == (12.97, 77.64, "landmark", None)
    assert sos.location_text == "near Indiranagar Hospital, 1 Test Road"
    assert (sos.emergency_type, sos.note) == ("choking", "gate 2")


def test_send_sos_with_gps_keeps_its_accuracy(session):
    sos, created = sos_ops.send_sos(session, actor=add_user(session), now=T0, position=GPS)
    assert created and (sos.location_source, sos.accuracy_m) == ("gps", 35.0)


def test_send_sos_without_any_location_is_refused_and_stores_nothing(session):
    with pytest.raises(InvalidInput, match="need your location") as refused:
        sos_ops.send_sos(session, actor=add_user(session), now=T0)
    assert refused.value.field == "location"
    assert session.execute(select(func.count()).select_from(Sos)).scalar_one() == 0


def test_search_pages_prefer_typed_coordinates_over_the_browser(session):
    assert places.resolve_place(session, GPS, "12.5, 77.25", CENTRE) == \
        (12.5, 77.25, "from 12.5000, 77.2500", None)


def test_search_pages_use_a_landmark_or_the_browser_or_the_centre(session):
    add_hospital(session, "Indiranagar Hospital", lat=12.97, lon=77.64)
    assert places.resolve_place(session, GPS, "Indiranagar", CENTRE) == \
        (12.97, 77.64, "near Indiranagar Hospital, 1 Test Road", None)
    assert places.resolve_place(session, GPS, "  ", CENTRE) == (12.9, 77.5, "from your location", None)
    assert places.resolve_place(session, None, None, CENTRE) == \
        (*CENTRE, "from the city centre (allow location for yours)", None)


def test_search_pages_fall_back_to_the_centre_and_say_why(session):
    lat, lon, where, problem = places.resolve_place(session, GPS, "95, 77", CENTRE)
    assert ((lat, lon), where) == (CENTRE, "from the city centre")
    assert problem == "Latitude is -90 to 90 and longitude -180 to 180."
    assert places.resolve_place(session, GPS, "Atlantis", CENTRE) == \
        (*CENTRE, "from the city centre", "We could not find “Atlantis”. Showing distances from the city centre.")

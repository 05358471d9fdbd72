"""What the crew screen, the maps and the arrival estimate say, from plain data."""

from components import crew, wall
from db.crew_job import CrewJob
from db.positions import estimate


def _texts(component) -> str:
    """Every string inside a Dash component tree."""
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(_texts(c) for c in component)
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else ""


def test_arrival_estimate_in_words_with_the_positions_age():
    # 3.5 km at 30 km/h: 7 minutes.
    near = estimate(12.9716 + 3.5 / 111.2, 77.5946, 12.9716, 77.5946, kmh=30, position_age_s=20)
    assert crew.arrival_text(near) == "Arriving in about 7 min (estimate) · position 20 s ago"
    old = estimate(12.9716, 77.5946, 12.9716, 77.5946, kmh=30, position_age_s=200)
    assert old.minutes == 1 and crew.arrival_text(old).endswith("position may be out of date")
    assert crew.arrival_text(None) == ""


def test_the_crew_card_without_and_with_a_job():
    idle = CrewJob(unit_id=1, call_sign="AMB-1", unit_status="available", unit_status_label="Available")
    assert "No job: waiting for dispatch" in _texts(crew.job_card(idle))
    job = CrewJob(unit_id=1, call_sign="AMB-1", unit_status="dispatched", unit_status_label="Dispatched", sos_id=12,
                  number="SOS-00012", emergency="Chest pain", priority="Emergent", caller="Asha",
                  phone="+91 90000 11111", place="MG Road", note="Gate 2", patient_lat=12.97, patient_lon=77.59,
                  heading_to="patient", next_status="en_route")
    words = _texts(crew.job_card(job))
    assert all(w in words for w in ("SOS-00012", "Chest pain", "Asha", "+91 90000 11111", "MG Road", "Gate 2"))
    assert [b.children for b in crew.step_button(job.next_status)] == ["En route"]
    links = crew.navigation_links(12.97, 77.59, "SOS-00012").children
    assert links[0].href.startswith("geo:12.970000,77.590000")
    assert links[1].href == "https://www.google.com/maps/dir/?api=1&destination=12.970000,77.590000"


def test_the_wall_map_colours_units_by_status_and_says_what_colours_mean():
    markers = wall.unit_markers([{"call_sign": "A-1", "status": "en_route", "lat": 12.9, "lon": 77.6},
                                 {"call_sign": "A-2", "status": "available", "lat": 12.8, "lon": 77.5},
                                 {"call_sign": "A-3", "status": "on_scene", "lat": None, "lon": None}])
    assert [(m.color, m.children.children) for m in markers] == [
        (crew.STATUS_COLOURS["en_route"], "A-1 · En route"), (crew.STATUS_COLOURS["available"], "A-2 · Available")]
    legend = _texts(wall.map_legend())
    assert all(w in legend for w in ("En route", "On scene", "SOS waiting", "Hospital"))


def test_the_wall_map_marks_an_unanswered_sos_apart_from_a_waiting_and_a_taken_one():
    unanswered, waiting, taken = wall.sos_markers([{"id": 1, "status": "unanswered", "lat": 12.9, "lon": 77.6},
                                                   {"id": 2, "status": "pending", "lat": 12.8, "lon": 77.5},
                                                   {"id": 3, "status": "accepted", "lat": 12.7, "lon": 77.4}])
    assert len({unanswered.color, waiting.color, taken.color}) == 3
    assert unanswered.radius > waiting.radius
    assert "UNANSWERED" in unanswered.children.children
    assert "SOS unanswered" in _texts(wall.map_legend())

"""Maps in a real browser: a waiting SOS's card shows its sketch map (the SOS from the hospital,
said in words for a screen reader); an accepted SOS's card shows its map with the unit, which moves
without the card being redrawn, and the hospital's units are listed with their age; the
citizen's tracking page shows their ambulance on a sketch map once it has a position."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from db import dispatch, positions
from db import sos as sos_ops
from db.clock import utcnow
from db.models import User
from db.vocabulary import sos_number
from tests.builders import add_crew, give_beds, match_now, send_sos

pytestmark = pytest.mark.e2e

ALPHA = (12.9784, 77.6408)
NORTH_EAST = (ALPHA[0] + 0.012, ALPHA[1] + 0.012)  # ~1.8 km NE of Alpha Hospital


def _offered(web_db, web_people):
    now = utcnow()
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        give_beds(session, admin.hospital)
        citizen = session.get(User, web_people["citizen"].id)
        citizen.address = "14, 2nd Cross, Indiranagar"
        sos = send_sos(session, citizen, now=now, lat=NORTH_EAST[0], lon=NORTH_EAST[1])
        match_now(session, now=now, rings=(5.0,))
        session.commit()
        return sos.id


def _sent_with_unit(web_db, web_people, sos_id):
    """Alpha accepts and sends AMB-9; returns the unit's crew account id."""
    now = utcnow()
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        _token, unit, crew = add_crew(session, admin, call_sign="AMB-9", now=now)
        sos_ops.accept_sos(session, actor=admin, sos_id=sos_id, now=now)
        dispatch.assign_unit(session, actor=admin, sos_id=sos_id, unit_id=unit.id, now=now)
        session.commit()
        return crew.id


def _unit_at(web_db, crew_id, lat, lon):
    with web_db.factory() as session:
        assert positions.record_position(session, actor=session.get(User, crew_id), latitude=lat, longitude=lon,
                                         now=utcnow()).stored
        session.commit()


def test_queue_cards_show_their_maps_and_the_unit_moves_without_redrawing_the_card(web_db, web_people, browser):
    sos_id = _offered(web_db, web_people)
    browser.start()
    browser.log_in("admin.a@example.in", lands_on="/hospital", role_label="Hospital admin")
    browser.open("/hospital/queue")
    browser.wait_for_contains_text(f"#queue-{sos_id}", sos_number(sos_id))

    # The waiting card's sketch: the SOS north-east of the hospital, up and to the right of H.
    sketch = browser.driver.find_element(By.CSS_SELECTOR, f"#queue-{sos_id} svg.queue-sketch[role='img']")
    assert sketch.get_attribute("aria-label").startswith("Sketch map: the SOS is 1.")
    assert " km NE of your hospital" in sketch.get_attribute("aria-label")
    dot = browser.driver.find_element(By.CSS_SELECTOR, f"#queue-{sos_id} .queue-sketch-sos")
    assert float(dot.get_attribute("cx")) > 60 > float(dot.get_attribute("cy"))

    # Accepted and sent: the held card shows its map, the full name and the registered address.
    crew_id = _sent_with_unit(web_db, web_people, sos_id)
    card = f"#active-{sos_id}"
    browser.wait_for_contains_text(card, "AMB-9", timeout=10)
    assert "14, 2nd Cross, Indiranagar" in browser.text(f"{card} .sos-address")
    assert browser.count(f"{card} .held-map") == 1
    assert "no position yet" in browser.text(f"{card} .held-map-words")

    # The unit's first position: its marker and line on the card's map, how far, how old.
    _unit_at(web_db, crew_id, *ALPHA)
    until(lambda: "km from the patient" in browser.text(f"{card} .held-map-words"), 10)
    assert "position" in browser.text(f"{card} [data-unit-age]")
    assert browser.count(f"{card} .held-map .leaflet-interactive") == 4  # hospital, patient, unit, line
    # … and on the units' map and list, with its age.
    until(lambda: "AMB-9" in browser.text("#queue-units-list"), 10)
    assert "ago" in browser.text("#queue-units-list")

    # The unit drives on: the distance falls, the same card (and its map) stays on the page.
    browser.driver.execute_script("document.querySelector(arguments[0]).dataset.kept = 'yes'", card)
    before = browser.text(f"{card} .held-map-words")
    _unit_at(web_db, crew_id, (ALPHA[0] + NORTH_EAST[0]) / 2, (ALPHA[1] + NORTH_EAST[1]) / 2)
    until(lambda: browser.text(f"{card} .held-map-words").split(" km")[0] != before.split(" km")[0], 10)
    assert browser.driver.execute_script("return document.querySelector(arguments[0]).dataset.kept", card) == "yes"

    # Units standing still: the refreshes are idle again, under a kilobyte, while the age ticks.
    answers = ("return performance.getEntriesByType('resource')"
               ".filter((e) => e.name.includes('_dash-update-component')).map((e) => e.decodedBodySize)")
    until(lambda: browser.driver.execute_script(answers)[-1] < 1024, 10)
    drawn = len(browser.driver.execute_script(answers))
    age = browser.text(f"{card} [data-unit-age]")
    until(lambda: len(browser.driver.execute_script(answers)) >= drawn + 3, 10)
    assert max(browser.driver.execute_script(answers)[drawn:]) <= 1024
    until(lambda: browser.text(f"{card} [data-unit-age]") != age, 10)


def test_the_tracking_page_shows_the_ambulance_on_a_map_once_it_has_a_position(web_db, web_people, browser):
    sos_id = _offered(web_db, web_people)
    crew_id = _sent_with_unit(web_db, web_people, sos_id)
    browser.start()
    browser.set_window_size(360, 640)
    browser.log_in("citizen@example.in", lands_on="/citizen")
    browser.open(f"/citizen/sos/{sos_id}")
    browser.wait_for_contains_text("#track-ambulance", "AMB-9")
    assert browser.count("#track-map") == 0  # no position yet: no map

    _unit_at(web_db, crew_id, *ALPHA)
    until(lambda: browser.count("#track-map svg[role='img']") == 1, 10)
    caption = browser.text("#track-map-caption")
    assert "your ambulance" in caption and "south-west of you" in caption  # the hospital is south-west of the caller
    unit = browser.driver.find_element(By.ID, "track-map-unit")
    assert float(unit.get_attribute("cx")) < 60 < float(unit.get_attribute("cy"))

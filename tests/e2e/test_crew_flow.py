"""The crew's phone in a real browser (390×844): open the crew link, see the job, step the unit en
route and on scene; the phone's position (the browser's geolocation) reaches the hospital's
ambulances page; a revoked crew link lands on the login page at its next refresh."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from db import dispatch
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Ambulance, User
from db.vocabulary import sos_number
from tests.builders import add_crew, add_user, give_beds, match_now, send_sos

pytestmark = pytest.mark.e2e

PHONE = (390, 844)
HERE = (12.9716, 77.5946)


def _job(web_db, web_people):
    now = utcnow()
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        give_beds(session, admin.hospital)
        token, unit, _crew = add_crew(session, admin, call_sign="AMB-7", now=now)
        citizen = add_user(session)
        citizen.full_name, citizen.phone = "Asha Rao", "+91 90000 11111"
        sos = send_sos(session, citizen, now=now, lat=12.9784, lon=77.6408)
        match_now(session, now=now)
        sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=now)
        dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=now)
        session.commit()
        return token, unit.id, sos.id


# How many of the map's shapes (two markers and the line between) have their centre inside the map.
_IN_VIEW = """
const map = document.getElementById('crew-map').getBoundingClientRect();
return [...document.querySelectorAll('#crew-map .leaflet-interactive')].filter((shape) => {
  const r = shape.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  return x > map.left && x < map.right && y > map.top && y < map.bottom;
}).length;
"""


def _step_button(browser, words):
    return browser.driver.find_element(By.XPATH, f"//div[@id='crew-steps']//button[normalize-space()='{words}']")


def _phone_at(browser, lat, lon):
    """The browser's geolocation: allowed for the app, at (lat, lon)."""
    browser.driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": browser.base, "permissions": ["geolocation"]})
    browser.driver.execute_cdp_cmd("Emulation.setGeolocationOverride",
                                   {"latitude": lat, "longitude": lon, "accuracy": 15})


def test_a_crew_phone_steps_its_unit_and_shows_where_it_is(web_db, web_people, browser):
    token, unit_id, sos_id = _job(web_db, web_people)
    browser.start()
    browser.set_window_size(*PHONE)
    _phone_at(browser, *HERE)
    browser.open(f"/kiosk/crew/{token}")
    browser.wait_for_path("/crew")
    browser.wait_for_contains_text("#crew-job", sos_number(sos_id), timeout=10)
    job = browser.text("#crew-job")
    assert "Asha" in job and "Rao" not in job and "+91 90000 11111" in job
    assert browser.driver.find_element(By.CSS_SELECTOR, "#crew-job a[href^='tel:']").get_attribute("href") \
        == "tel:+919000011111"
    assert browser.driver.find_element(By.CSS_SELECTOR, "#crew-nav a[href^='geo:']")

    # Once the phone has a position, the map shows the unit and the patient, both in view.
    browser.wait_for_contains_text("#crew-location", "Location sent", timeout=15)
    until(lambda: browser.driver.execute_script(_IN_VIEW) == 3, 15)

    # One big button: the allowed next step only, reachable by a thumb on a phone.
    until(lambda: browser.count("#crew-steps button") == 1, 10)
    button = _step_button(browser, "En route")
    assert button.size["height"] >= 80 and button.size["width"] >= 300
    browser.click(button)
    browser.wait_for_contains_text("#crew-unit", "En route", timeout=10)
    browser.click(_step_button(browser, "On scene"))
    browser.wait_for_contains_text("#crew-unit", "On scene", timeout=10)
    browser.wait_for_contains_text("#crew-message", "on scene", timeout=10)

    # The phone's position reached the unit.
    browser.wait_for_contains_text("#crew-location", "Location sent", timeout=15)
    with web_db.factory() as session:
        unit = session.get(Ambulance, unit_id)
        assert unit.status == "on_scene"
        assert (round(unit.latitude, 4), round(unit.longitude, 4)) == HERE

    # The hospital sees it on its ambulances page, with its age.
    admin = browser.another()
    admin.log_in("admin.a@example.in", lands_on="/hospital")
    admin.open("/hospital/ambulances")
    until(lambda: "AMB-7" in admin.text("#units-positions") and "ago" in admin.text("#units-positions"), 15)
    assert "On scene" in admin.text("#units-positions")


def test_a_crew_link_issued_on_the_ambulances_page_stops_when_revoked(web_db, web_people, browser):
    _token, unit_id, sos_id = _job(web_db, web_people)
    browser.start()
    browser.log_in("admin.a@example.in", lands_on="/hospital")
    browser.open("/hospital/ambulances")
    until(lambda: browser.count(f"#crew-link-unit option[value='{unit_id}']") == 1, 10)
    Select(browser.find_element("#crew-link-unit")).select_by_value(str(unit_id))
    browser.click("#crew-link-issue")
    browser.wait_for_contains_text("#crew-link-url", "/kiosk/crew/", timeout=10)
    link = browser.text("#crew-link-url").strip()

    crew_phone = browser.another()
    crew_phone.set_window_size(*PHONE)
    crew_phone.driver.get(crew_phone.base + link[link.index("/kiosk/crew/"):])
    crew_phone.wait_for_path("/crew")
    until(lambda: sos_number(sos_id) in crew_phone.text("#crew-job"), 10)

    until(lambda: browser.count("#crew-links button") == 2, 10)  # the fixture's link and this one
    for _ in range(2):
        browser.click(browser.driver.find_element(By.XPATH, "//div[@id='crew-links']//button[normalize-space()='Revoke']"))
        browser.wait_for_contains_text("#crew-link-message", "revoked", timeout=10)
        until(lambda: browser.count("#crew-links button") < 2, 10)
    until(lambda: "No crew links in force" in browser.text("#crew-links"), 10)

    crew_phone.driver.refresh()
    crew_phone.wait_for_path("/login")

"""The citizen's plain pages in a real browser (issues 13 and 16): a Hindi browser gets Hindi, the
switch changes it and the choice survives logging out and in; with no location from the browser
the typed place opens above the SOS button, fits a 360×640 phone, is said back in words
("Using: near …") and the SOS goes."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from db.clock import utcnow
from db.models import Landmark
from tests.builders import give_beds

pytestmark = pytest.mark.e2e


def _hindi_browser(browser) -> None:
    """What a browser set to Hindi sends (Accept-Language), for every request of this window."""
    driver = browser.driver
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setUserAgentOverride", {
        "userAgent": driver.execute_script("return navigator.userAgent"), "acceptLanguage": "hi-IN,hi"})


def _lang(browser) -> str:
    return browser.driver.execute_script("return document.documentElement.lang")


def test_a_hindi_browser_gets_hindi_and_the_switch_changes_it_for_good(web_people, browser):
    browser.start()
    _hindi_browser(browser)
    browser.log_in(web_people["citizen"].email, lands_on="/citizen")
    assert _lang(browser) == "hi"
    browser.wait_for_contains_text(".sos-button-hint", "आपातकालीन मदद के लिए दबाएँ")
    # The switch in the navbar: English …
    browser.click("#navbar .language-switch button[value='en']")
    browser.wait_for_contains_text(".sos-button-hint", "Press for emergency help")
    assert _lang(browser) == "en" and browser.path_of() == "/citizen"
    # … kept on the account: after logging out and in (the browser still asks for Hindi), English.
    browser.log_out()
    browser.log_in(web_people["citizen"].email, lands_on="/citizen")
    browser.wait_for_contains_text(".sos-button-hint", "Press for emergency help")
    assert _lang(browser) == "en"
    # … and back to Hindi.
    browser.click("#navbar .language-switch button[value='hi']")
    browser.wait_for_contains_text(".sos-button-hint", "आपातकालीन मदद के लिए दबाएँ")
    assert _lang(browser) == "hi"


def test_no_location_opens_the_typed_place_above_the_button_and_the_sos_goes(web_people, web_db, browser):
    with web_db.factory() as session:
        give_beds(session, session.merge(web_people["hospital_a"]))
        session.add(Landmark(name="Indiranagar Metro", kind="metro", latitude=12.9784, longitude=77.6385,
                             created_at=utcnow()))
        session.commit()
    browser.start()
    _hindi_browser(browser)
    driver = browser.driver
    # A phone screen, and a browser that has no position to give (POSITION_UNAVAILABLE).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": browser.base, "permissions": ["geolocation"]})
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride", {})
    browser.log_in(web_people["citizen"].email, lands_on="/citizen")
    browser.wait_for_element("#sos-location-missing", timeout=15)
    assert driver.execute_script("return document.getElementById('sos-location-fallback').open")
    box = driver.execute_script("""
        const r = id => document.getElementById(id).getBoundingClientRect();
        return {fallback: r('sos-location-fallback'), button: r('sos-button'), height: window.innerHeight,
                width: window.innerWidth, scroll: document.documentElement.scrollWidth};""")
    assert box["fallback"]["bottom"] <= box["button"]["top"], "the typed place is above the SOS button"
    assert box["button"]["bottom"] <= box["height"], f"the SOS button ends at {box['button']['bottom']}px"
    assert box["scroll"] <= box["width"], "the page scrolls sideways on a phone"
    # Typing a landmark: said back in words before sending.
    browser.type_into("#sos-landmark", "Indiranagar Metro")
    browser.wait_for_contains_text("#sos-place-words", "यह जगह भेजेंगे: Indiranagar Metro के पास", timeout=10)
    browser.click("#sos-button")
    until(lambda: "/citizen/sos/" in browser.path_of(), 20, poll=0.2)
    # The tracking page, in Hindi.
    assert _lang(browser) == "hi"
    browser.wait_for_contains_text("#track-timeline", "SOS भेजा गया")
    browser.wait_for_contains_text("#track-place", "आपकी जगह: Indiranagar Metro पर")

"""The SOS on a bad day (issue 18), in a real browser:

1. JavaScript disabled: the SOS page is a plain form; typed coordinates post it, the SOS is made,
   and the tracking page shows it and reloads itself as it changes.
2. No connection at the moment of pressing (the browser's own offline emulation): the page says
   so plainly, offers to call the emergency number, keeps the SOS on the phone, and sends it by
   itself once the connection returns, exactly once.
3. A phone screen (360×640): the SOS button is visible without scrolling.
"""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from sqlalchemy import func, select

from db import sos as sos_ops
from db.clock import utcnow
from db.models import Sos, User
from db.vocabulary import sos_number
from tests.builders import PASSWORD, cut_database, give_beds
from tests.e2e.browser import chrome_options

pytestmark = pytest.mark.e2e

WHERE = "12.96, 77.63"
NO_SCRIPT = {"profile.managed_default_content_settings.javascript": 2}


def _count(web_db, citizen_id: int) -> int:
    with web_db.factory() as session:
        return session.execute(select(func.count()).select_from(Sos).where(Sos.citizen_id == citizen_id)).scalar_one()


def _shown(driver, element_id: str) -> str:
    """The element's text, read again when the page replaced it meanwhile: without JavaScript the
    tracking page reloads itself every few seconds, so a found element may go stale before it is
    read."""
    for _ in range(5):
        try:
            return driver.find_element("id", element_id).text
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"#{element_id} kept being replaced while being read")


def _beds(web_db, web_people) -> None:
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        session.commit()


def _network(driver, *, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def test_without_javascript_the_form_sends_the_sos_and_tracking_follows_it(web_people, web_db, browser):
    _beds(web_db, web_people)
    base = browser.start()
    options = chrome_options()
    options.add_experimental_option("prefs", NO_SCRIPT)
    driver = webdriver.Chrome(options=options)
    try:
        driver.get(base + "/login")
        driver.find_element("id", "email").send_keys(web_people["citizen"].email)
        driver.find_element("id", "password").send_keys(PASSWORD)
        driver.find_element("id", "login-submit").click()
        until(lambda: driver.current_url.endswith("/citizen"), 10)
        driver.find_element("id", "sos-coordinates").send_keys(WHERE)
        driver.find_element("id", "sos-button").click()
        until(lambda: "/citizen/sos/" in driver.current_url, 10)
        with web_db.factory() as session:
            sos = session.execute(select(Sos)).scalar_one()
        assert (sos.latitude, sos.longitude, sos.location_source) == (12.96, 77.63, "typed")
        assert _shown(driver, "sos-sent-number") == f"{sos_number(sos.id)} sent"
        assert _shown(driver, "track-status") == "Waiting for a hospital"
        assert "Until help arrives" in _shown(driver, "sos-guidance-box")

        with web_db.factory() as session:  # Alpha accepts: the page shows it by reloading itself
            sos_ops.accept_sos(session, actor=session.get(User, web_people["admin_a"].id), sos_id=sos.id,
                               now=utcnow())
            session.commit()
        until(lambda: _shown(driver, "track-status") == "Accepted by a hospital", 20, poll=0.5)
        assert _shown(driver, "track-hospital") == "Alpha Hospital"
        assert _count(web_db, web_people["citizen"].id) == 1
    finally:
        driver.quit()


def test_an_sos_pressed_offline_is_kept_and_sent_once_back_online(web_people, web_db, browser):
    _beds(web_db, web_people)
    browser.start()
    browser.log_in(web_people["citizen"].email, lands_on="/citizen", role_label="Citizen")
    driver = browser.driver
    browser.wait_for_element("#sos-button")
    browser.type_into("#sos-coordinates", WHERE)
    _network(driver, offline=True)
    try:
        browser.click("#sos-button")
        until(lambda: driver.find_element("id", "sos-offline").is_displayed(), 10)
        shown = driver.find_element("id", "sos-offline").text
        assert "No connection." in shown and "kept on this phone" in shown
        call = driver.find_element("id", "sos-offline-call")
        assert call.get_attribute("href") == "tel:112" and call.text == "Call 112 now"
        assert _count(web_db, web_people["citizen"].id) == 0
    finally:
        _network(driver, offline=False)
    until(lambda: "/citizen/sos/" in driver.current_url, 30, poll=0.2)
    browser.wait_for_contains_text("#sos-sent-number", "sent")
    assert _count(web_db, web_people["citizen"].id) == 1
    assert driver.execute_script("return window.localStorage.getItem('healthfirst.pending-sos')") is None
    # Back on the SOS page, nothing is sent again.
    browser.open("/citizen")
    browser.wait_for_element("#sos-open")
    assert not driver.find_element("id", "sos-offline").is_displayed()
    assert _count(web_db, web_people["citizen"].id) == 1


def test_an_sos_pressed_while_the_database_is_down_is_kept_and_sent_once_it_is_back(web_app, web_people, web_db,
                                                                                  browser):
    """The server answers 503 "not saved" (auth/outage.py): the page says so, keeps the SOS on the
    phone like an offline press, and sends it by itself once the server can save it."""
    _beds(web_db, web_people)
    browser.start()
    browser.log_in(web_people["citizen"].email, lands_on="/citizen", role_label="Citizen")
    driver = browser.driver
    browser.wait_for_element("#sos-button")
    browser.type_into("#sos-coordinates", WHERE)
    restore = cut_database(web_app)
    try:
        browser.click("#sos-button")
        until(lambda: driver.find_element("id", "sos-offline").is_displayed(), 10)
        shown = driver.find_element("id", "sos-offline").text
        assert "Not saved yet." in shown and "kept on this phone" in shown, shown
        assert driver.find_element("id", "sos-offline-call").get_attribute("href") == "tel:112"
        assert driver.execute_script("return window.localStorage.getItem('healthfirst.pending-sos')") is not None
    finally:
        restore()
    assert _count(web_db, web_people["citizen"].id) == 0
    until(lambda: "/citizen/sos/" in driver.current_url, 40, poll=0.5)  # the page retries by itself
    browser.wait_for_contains_text("#sos-sent-number", "sent")
    assert _count(web_db, web_people["citizen"].id) == 1


def test_on_a_phone_screen_the_sos_button_is_above_the_fold(web_people, browser):
    browser.start()
    # A phone's screen (a headless window cannot be narrower than 500 px, nor show 640 px of page).
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    browser.log_in(web_people["citizen"].email, lands_on="/citizen", role_label="Citizen")
    bottom = browser.driver.execute_script(
        "const r = document.getElementById('sos-button').getBoundingClientRect();"
        "return [r.bottom, window.innerHeight, document.documentElement.scrollWidth, window.innerWidth];")
    assert bottom[0] <= bottom[1], f"the SOS button ends at {bottom[0]}px of a {bottom[1]}px screen"
    assert bottom[2] <= bottom[3], "the page scrolls sideways on a phone"


def test_home_in_a_dash_pages_menu_opens_the_plain_sos_page(web_people, browser):
    browser.start()
    browser.log_in(web_people["citizen"].email, lands_on="/citizen", role_label="Citizen")
    browser.open("/beds")
    browser.wait_for_element("#navbar-role")
    browser.open_menu()
    home = [a for a in browser.driver.find_elements("css selector", "#navbar .nav-link") if a.text == "Home"]
    browser.click(home[0])
    until(lambda: browser.count("#sos-form") == 1, 10)
    assert browser.path_of() == "/citizen"
    assert browser.count("#_dash-app-content, #react-entry-point") == 0  # the plain page, not Dash's


def test_the_sos_page_opens_offline_from_the_service_worker(web_people, browser):
    browser.start()
    browser.log_in(web_people["citizen"].email, lands_on="/citizen", role_label="Citizen")
    driver = browser.driver
    until(lambda: driver.execute_script("return !!navigator.serviceWorker.controller"), 20)
    browser.open("/citizen")  # through the worker now: it keeps this copy
    browser.wait_for_element("#sos-button")
    kept = "return await caches.open('hf-pages').then(c => c.match('/citizen')).then(r => !!r)"
    until(lambda: driver.execute_script(kept), 10)
    _network(driver, offline=True)
    try:
        driver.get(browser.base + "/citizen")
        browser.wait_for_element("#sos-button")
        browser.wait_for_text_to_equal("h1", "Hello, Test Citizen")
    finally:
        _network(driver, offline=False)
    # Logging out forgets the kept page (it shows the person's name).
    browser.log_out()
    until(lambda: not driver.execute_script(kept), 10)

"""A database outage as a dispatcher meets it (issue 15, item 7): the queue keeps its last data and
says since when there is no connection; a press of Accept says plainly that it was not saved; all
clears by itself when the database is back."""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until

from db.vocabulary import sos_number
from tests.builders import beds_and_an_ambulance, cut_database, sos_nearby

pytestmark = pytest.mark.e2e


def _shown(browser, selector: str) -> str:
    return browser.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e && !e.hidden ? e.innerText : ''", selector)


def test_accept_during_an_outage_says_not_saved_and_the_queue_keeps_its_data(web_app, web_people, web_db, browser):
    beds_and_an_ambulance(web_db, web_people)
    sos_id = sos_nearby(web_db, web_people)
    browser.start()
    browser.open_queue_as("admin.a@example.in")
    card = f"#queue-{sos_id}"
    browser.wait_for_element(card)
    restore = cut_database(web_app)
    try:
        until(lambda: "No connection since" in _shown(browser, "#connection-status"), 8)
        assert browser.count(card) == 1  # the last data stays on screen
        pressed_at = time.monotonic()
        browser.click_button(card, "Accept")
        until(lambda: "Not saved" in _shown(browser, "#connection-not-saved"), 3)
        assert time.monotonic() - pressed_at < 3
        assert browser.driver.find_element("css selector", "#connection-not-saved").get_attribute("role") == "alert"
    finally:
        restore()
    until(lambda: _shown(browser, "#connection-status") == "", 8)  # back by itself
    browser.click_button(card, "Accept")
    browser.wait_for_contains_text("#queue-message", f"{sos_number(sos_id)} is yours")


def test_the_citizens_tracking_page_says_since_when_there_is_no_connection(web_app, web_people, web_db, browser):
    beds_and_an_ambulance(web_db, web_people)
    sos_id = sos_nearby(web_db, web_people)
    browser.start()
    browser.log_in("citizen@example.in", lands_on="/citizen", role_label="Citizen")
    browser.open(f"/citizen/sos/{sos_id}")
    browser.wait_for_element("#track-status")
    status = browser.text("#track-status")
    assert _shown(browser, "#track-connection") == ""
    restore = cut_database(web_app)
    try:
        until(lambda: "No connection since" in _shown(browser, "#track-connection"), 8)
        assert browser.text("#track-status") == status  # the last status stays on screen
    finally:
        restore()
    until(lambda: _shown(browser, "#track-connection") == "", 8)  # back by itself

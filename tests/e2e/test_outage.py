"""A database outage as a dispatcher meets it (issue 15, item 7): the queue keeps its last data and
says since when there is no connection; a press of Accept says plainly that it was not saved; all
clears by itself when the database is back."""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until

from auth.context import EXTENSION_KEY
from db.engine import make_engine, make_session_factory
from db.vocabulary import sos_number
from tests.e2e.test_sos_flow import _beds_and_an_ambulance, _click_button, _open_queue_as, _sos_nearby

pytestmark = pytest.mark.e2e


def _cut(web_app):
    """Point the app at a database that refuses connections; returns how to restore it."""
    state = web_app.server.extensions[EXTENSION_KEY]
    working, dead = state["session_factory"], make_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none")
    state["session_factory"] = make_session_factory(dead)

    def restore():
        state["session_factory"] = working
        dead.dispose()

    return restore


def _shown(browser, selector: str) -> str:
    return browser.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e && !e.hidden ? e.innerText : ''", selector)


def test_accept_during_an_outage_says_not_saved_and_the_queue_keeps_its_data(web_app, web_people, web_db, browser):
    _beds_and_an_ambulance(web_db, web_people)
    sos_id = _sos_nearby(web_db, web_people)
    browser.start()
    _open_queue_as(browser, "admin.a@example.in")
    card = f"#queue-{sos_id}"
    browser.wait_for_element(card)
    restore = _cut(web_app)
    try:
        until(lambda: "No connection since" in _shown(browser, "#connection-status"), 8)
        assert browser.count(card) == 1  # the last data stays on screen
        pressed_at = time.monotonic()
        _click_button(browser, card, "Accept")
        until(lambda: "Not saved" in _shown(browser, "#connection-not-saved"), 3)
        assert time.monotonic() - pressed_at < 3
        assert browser.driver.find_element("css selector", "#connection-not-saved").get_attribute("role") == "alert"
    finally:
        restore()
    until(lambda: _shown(browser, "#connection-status") == "", 8)  # back by itself
    _click_button(browser, card, "Accept")
    browser.wait_for_contains_text("#queue-message", f"{sos_number(sos_id)} is yours")

"""The hospital's queue as a keyboard user and a dispatcher meet it (issue 13): focus on a card's
Accept button survives the page refreshing itself, also when other cards come, and Enter then
accepts; when the caller cancels, the card is replaced by a line saying so, never a silent vanish."""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from db import sos as sos_ops
from db.clock import utcnow
from db.models import User
from db.vocabulary import sos_number
from tests.builders import beds_and_an_ambulance, sos_nearby

pytestmark = pytest.mark.e2e

FOCUSED_IS_KEPT = "return document.activeElement === window.__kept && window.__kept.isConnected"


def test_focus_on_accept_survives_refreshes_and_enter_accepts(web_people, web_db, browser):
    beds_and_an_ambulance(web_db, web_people)
    first = sos_nearby(web_db, web_people)
    browser.start()
    browser.open_queue_as("admin.a@example.in")
    card = f"#queue-{first}"
    browser.wait_for_element(card)
    browser.driver.execute_script(
        "window.__kept = [...document.querySelectorAll(arguments[0] + ' button')]"
        ".find((b) => b.textContent.trim() === 'Accept'); window.__kept.focus()", card)
    assert browser.driver.execute_script(FOCUSED_IS_KEPT)
    time.sleep(3)  # four refreshes of the queue with nothing new
    second = sos_nearby(web_db, web_people)  # and one that draws a new card
    browser.wait_for_element(f"#queue-{second}")
    time.sleep(1.5)
    assert browser.driver.execute_script(FOCUSED_IS_KEPT), "a refresh replaced or blurred the focused button"
    browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
    browser.wait_for_text_to_equal("#queue-message", f"{sos_number(first)} is yours. Send an ambulance now.")


def test_the_callers_cancel_is_said_on_the_hospitals_queue(web_people, web_db, browser):
    beds_and_an_ambulance(web_db, web_people)
    sos_id = sos_nearby(web_db, web_people)
    browser.start()
    browser.open_queue_as("admin.b@example.in")
    browser.wait_for_element(f"#queue-{sos_id}")
    with web_db.factory() as session:
        sos_ops.cancel_sos(session, actor=session.get(User, web_people["citizen"].id), sos_id=sos_id, now=utcnow())
        session.commit()
    browser.wait_for_text_to_equal("#queue-departed", f"{sos_number(sos_id)} was cancelled by the caller")
    until(lambda: browser.count(f"#queue-{sos_id}") == 0, 5)

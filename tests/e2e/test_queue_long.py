"""A long SOS queue in a real browser (issue 19): with 300 waiting it shows the 25 most urgent and
a count, a new SOS appears apart by itself on the next refresh, an unchanged refresh moves under a
kilobyte, and an accept answers with its message and then only the cards that changed; a card
left alone keeps its DOM node, so keyboard focus on its Accept button survives the refreshes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from dash.testing.wait import until

from db import matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Hospital, User
from db.vocabulary import sos_number
from tests.builders import add_user, give_beds

pytestmark = pytest.mark.e2e

NEXT_REFRESH = 5  # seconds: the queue polls every 0.5 s; a new SOS shows on the next poll (slack for a busy CI)

# Every exchange of the page from now on: its version polls (assets/live.js: an unchanged refresh
# is only that poll), its Dash callbacks, and every Accept / Decline it posts (assets/queue.js):
# the request's and the answer's sizes, and the answer (window.fetch is what they all call).
RECORD = """
window.__exchanges = [];
const original = window.fetch;
window.fetch = function (url, options) {
  const sent = options && typeof options.body === 'string' ? options.body : '';
  return original.apply(this, arguments).then((response) => {
    if (['_dash-update-component', '/_queue/answer', '/_live/'].some((part) => String(url).includes(part))) {
      response.clone().text().then((text) => window.__exchanges.push(
        {url: String(url), sent: sent.length, body: sent, got: text.length, text: text}));
    }
    return response;
  });
};
"""


def _js(browser, script: str, *args):
    return browser.driver.execute_script(script, *args)


def _queue_of_300(web_db, web_people) -> None:
    start = utcnow() - timedelta(minutes=20)
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        for index in range(300):
            citizen = add_user(session, "citizen", email=f"long.caller.{index}@example.in")
            sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410,
                               now=start + timedelta(seconds=index))
        matching.match_due(session, now=start + timedelta(seconds=300), rings=(1.0, 2.0), limit=300)
        session.commit()


def _new_sos(web_db, citizen_id: int) -> int:
    with web_db.factory() as session:
        sos, _ = sos_ops.create_sos(session, actor=session.get(User, citizen_id), latitude=12.9784,
                                    longitude=77.6410, now=utcnow())
        matching.match_due(session, now=utcnow(), sos_id=sos.id, rings=(1.0,))
        session.commit()
        return sos.id


def test_a_queue_of_300_stays_light_shows_a_new_sos_and_an_accept_sends_only_the_changes(
        web_people, web_db, browser):
    _queue_of_300(web_db, web_people)
    browser.start()
    browser.log_in("admin.a@example.in", lands_on="/hospital", role_label="Hospital admin")
    browser.open("/hospital/queue")
    browser.wait_for_contains_text("#queue-count", "300 waiting")
    assert browser.count("#queue-list .queue-card") == 25
    _js(browser, RECORD)

    # Focus on the second card's Accept button, as a keyboard user would have it.
    second = _js(browser, "return document.querySelectorAll('#queue-list .queue-card')[1].id")
    _js(browser, "window.__kept = document.querySelector('#' + arguments[0] + ' button'); window.__kept.focus()",
        second)
    focused = "return document.activeElement === window.__kept && window.__kept.isConnected"

    # Unchanged refreshes: under a kilobyte each, and the focused button is the same node.
    until(lambda: len(_js(browser, "return window.__exchanges")) >= 2, NEXT_REFRESH, poll=0.2)
    idle = _js(browser, "return window.__exchanges")
    assert max(e["got"] for e in idle) <= 1024, [e["got"] for e in idle]
    assert _js(browser, focused)

    # A new SOS (it ranks last: emergent and newest) shows apart on the next refresh.
    newest = _new_sos(web_db, web_people["citizen"].id)
    browser.wait_for_contains_text("#queue-arrived", sos_number(newest), timeout=NEXT_REFRESH)
    browser.wait_for_contains_text("#queue-count", "301 waiting")
    assert _js(browser, focused), "a refresh that drew a new card replaced the focused one"

    # Accept the first card: its request names only the cards shown (never the whole queue), the
    # answer is its message, and the refresh it sets off sends only the cards that changed.
    first = _js(browser, "return document.querySelectorAll('#queue-list .queue-card')[0].id")
    _js(browser, "window.__exchanges = []")
    _js(browser, "document.querySelector('#' + arguments[0] + ' button').click()", first)
    number = sos_number(int(first.split("-")[1]))
    browser.wait_for_text_to_equal("#queue-message", f"{number} is yours. Send an ambulance now.")
    browser.wait_for_element(f"#active-{first.split('-')[1]}")
    exchanges = _js(browser, "return window.__exchanges")
    accept = [e for e in exchanges if e["url"].endswith("/_queue/answer")]
    assert accept and accept[0]["sent"] < 100 and accept[0]["got"] < 200, [(e["sent"], e["got"]) for e in accept]
    assert "is yours" in accept[0]["text"]
    redraw = [e for e in exchanges if "active-card" in e["text"]]
    assert redraw and redraw[0]["got"] < 8192, redraw[0]["got"]
    rows = json.loads(redraw[0]["text"])["response"]["queue-rows"]["data"]["waiting"]["rows"]
    assert len(rows) == 1  # the 26th moves up; the other 24 cards do not travel again
    assert browser.count("#queue-list .queue-card") == 25 and browser.count(f"#{first}") == 0
    assert _js(browser, "return window.__kept.isConnected"), "an unchanged card was replaced"

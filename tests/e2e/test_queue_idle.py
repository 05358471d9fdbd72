"""The SOS queue in a real browser while nothing changes: the refreshes answer in under a kilobyte
(nothing is redrawn), yet the waiting times keep ticking; a new SOS still appears by itself."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from db import matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Hospital, User
from db.vocabulary import sos_number
from tests.builders import give_beds

pytestmark = pytest.mark.e2e

LIVE = 8  # seconds: the queue polls every 0.5 s


def _offer_to_alpha(web_db, citizen_id: int) -> int:
    with web_db.factory() as session:
        sos, _ = sos_ops.create_sos(session, actor=session.get(User, citizen_id), latitude=12.9784,
                                    longitude=77.6410, now=utcnow())
        matching.match_due(session, now=utcnow(), sos_id=sos.id, rings=(1.0,))
        session.commit()
        return sos.id


def _js(browser, script: str, *args):
    return browser.driver.execute_script(script, *args)


def test_an_idle_queue_keeps_its_cards_and_its_clock_and_shows_a_new_sos(web_people, web_db, browser):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        session.commit()
    first = _offer_to_alpha(web_db, web_people["citizen"].id)
    browser.start()
    browser.log_in("admin.a@example.in", lands_on="/hospital", role_label="Hospital admin")
    browser.open("/hospital/queue")
    card = f"queue-{first}"
    browser.wait_for_contains_text(f"#{card}", sos_number(first))

    # Every answer since the page was drawn, as the browser received it: the queue's version polls
    # (web/live.py) and any Dash callback.
    answers = ("return performance.getEntriesByType('resource').filter((e) => e.name.includes(arguments[0]))"
               ".map((e) => e.decodedBodySize)")
    drawn = len(_js(browser, answers, "_dash-update-component"))
    polled = len(_js(browser, answers, "/_live/queue"))
    waited = "return document.querySelector('#' + arguments[0] + ' .queue-waiting').textContent"
    before = _js(browser, waited, card)
    until(lambda: _js(browser, waited, card) != before, LIVE, poll=0.2)  # the time ticks …
    assert _js(browser, waited, card).startswith("waiting ")
    until(lambda: len(_js(browser, answers, "/_live/queue")) >= polled + 4, LIVE, poll=0.2)
    idle = _js(browser, answers, "/_live/queue")[polled:] + _js(browser, answers, "_dash-update-component")[drawn:]
    assert idle and max(idle) <= 1024, idle  # … while the refreshes answer in under a kilobyte
    updated = "return document.querySelector('.last-updated').textContent"
    shown = _js(browser, updated)
    until(lambda: _js(browser, updated) != shown, LIVE, poll=0.2)  # "last updated" moves with each poll
    assert browser.count(f"#{card}") == 1

    second = _offer_to_alpha(web_db, web_people["citizen2"].id)
    browser.wait_for_contains_text(f"#queue-{second}", sos_number(second), timeout=LIVE)

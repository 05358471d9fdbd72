"""The citizen's Dash pages in a real browser (issue 16): a Hindi browser gets "Find a bed" in
Hindi with `<html lang="hi">`; the switch in the navbar changes the language, and the choice
survives a reload and logging out and in; dates read dd/mm/yyyy, 24-hour."""

from __future__ import annotations

import re

import pytest
from dash.testing.wait import until

from db.clock import utcnow
from db.models import Hospital
from tests.builders import give_beds

pytestmark = pytest.mark.e2e

HINDI_HEADING = "ख़ाली बेड खोजें"
ENGLISH_HEADING = "Find a free bed"


def _lang(b) -> str:
    return b.driver.execute_script("return document.documentElement.lang")


def _heading(b) -> str:
    return b.text("main h1")


def test_a_hindi_browser_gets_find_a_bed_in_hindi_and_the_switch_changes_it(web_people, web_db, browser):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id), icu=4, now=utcnow())
        session.commit()
    browser.start()
    hindi = browser.another(accept_language="hi-IN,hi,en;q=0.5")
    hindi.log_in(web_people["citizen"].email, lands_on="/citizen")
    hindi.open("/beds")
    until(lambda: _heading(hindi) == HINDI_HEADING, 15)
    assert _lang(hindi) == "hi"
    assert "लॉग आउट" in hindi.text("#navbar")
    # Figures with their date the Indian way: dd/mm/yyyy, 24-hour.
    until(lambda: hindi.count("#beds-results [title]") > 0, 15)
    stamp = hindi.driver.execute_script(
        "return document.querySelector('#beds-results [title]').getAttribute('title')")
    assert re.fullmatch(r"आख़िरी अपडेट \d{2}/\d{2}/20\d{2}, [0-2]\d:[0-5]\d", stamp), stamp

    # The switch in the navbar: English, on the same page.
    hindi.click("#language-en")
    until(lambda: _heading(hindi) == ENGLISH_HEADING, 15)
    assert hindi.path_of() == "/beds" and _lang(hindi) == "en"
    assert "Log out" in hindi.text("#navbar")
    # Remembered: a reload (the browser still asks for Hindi), then logging out and in.
    hindi.open("/blood")
    until(lambda: _heading(hindi) == "Find blood", 15)
    hindi.log_out()
    hindi.log_in(web_people["citizen"].email, lands_on="/citizen")
    hindi.open("/beds")
    until(lambda: _heading(hindi) == ENGLISH_HEADING, 15)
    assert _lang(hindi) == "en"
    # And back to Hindi from a page reached inside Dash (the switch comes back to that page).
    hindi.go_by_navbar("/alerts")
    hindi.wait_for_path("/alerts")
    hindi.click("#language-hi")
    until(lambda: _heading(hindi) == "जन स्वास्थ्य चेतावनियाँ", 15)
    assert hindi.path_of() == "/alerts" and _lang(hindi) == "hi"


# ---- the wall display on a laptop ----------------------------------------------------------------

# Every text of the wall's tiles, except the cells meant to end in an ellipsis (hospital names).
_CLIPPED = """
const inside = (e, box) => { const r = e.getBoundingClientRect(); return r.bottom <= box.bottom + 1 && r.right <= box.right + 1; };
const found = [];
for (const tile of document.querySelectorAll('.wall-tile')) {
  const box = tile.getBoundingClientRect();
  if (box.bottom > window.innerHeight + 1 || box.right > window.innerWidth + 1) { found.push('tile ' + tile.id + ' off screen'); }
  for (const e of tile.querySelectorAll('.wall-title, .wall-huge, .wall-big, .wall-small, .wall-label, .wall-line, .wall-time, .wall-quiet, .wall-count, .crew-legend-item, .wall-row > *')) {
    if (!e.innerText.trim() || e.matches('#wall-sos .wall-row > :last-child, #wall-units .wall-row > :last-child')) { continue; }
    // Inside what clips it: the tile's body (overflow hidden), else the tile.
    const clip = (e.closest('.wall-body') || tile).getBoundingClientRect();
    if (e.scrollWidth > e.clientWidth + 1 || !inside(e, clip)) { found.push(tile.id + ': ' + e.innerText.trim()); }
  }
}
return found;
"""


# A 1366×768 laptop: its browser window leaves about 1366×625 to the page; full screen (a kiosk on
# a projector) all 768 px. And the control room's usual 1920×1080 screen.
VIEWPORTS = [(1366, 625), (1366, 768), (1920, 1080)]


def _viewport(browser, width: int, height: int) -> None:
    """Make the page (not the window) `width`×`height`: the window's own bars differ by browser."""
    browser.set_window_size(width, height)
    inner = browser.driver.execute_script("return [window.innerWidth, window.innerHeight]")
    browser.set_window_size(width + width - inner[0], height + height - inner[1])


def _busy_city(session, people) -> None:
    """What makes the wall's tiles full: big bed figures, every blood group low, an unanswered SOS,
    an alert in force."""
    from datetime import timedelta

    from db import alerts, matching
    from db import sos as sos_ops
    from db.models import BLOOD_GROUPS, BloodStock, User
    from tests.builders import heatwave

    now = utcnow()
    give_beds(session, session.get(Hospital, people["hospital_a"].id), icu=387, oxygen=678, general=2497, now=now)
    for group in BLOOD_GROUPS:
        session.add(BloodStock(hospital_id=people["hospital_a"].id, blood_group=group, units=1, low_threshold=5,
                               updated_at=now, updated_by_id=people["admin_a"].id))
    sos_ops.create_sos(session, actor=session.get(User, people["citizen"].id), latitude=12.95, longitude=77.62,
                       now=now, emergency_type="stroke")
    matching.match_due(session, now=now, rings=(1.0,))
    alerts.publish(session, actor=session.get(User, people["officer"].id), now=now,
                   data=heatwave(expires=now + timedelta(hours=6)))


def test_no_text_of_the_wall_is_clipped(web_people, web_db, browser, tmp_path):
    with web_db.factory() as session:
        _busy_city(session, web_people)
        session.commit()
    browser.start()
    browser.log_in(web_people["display"].email, lands_on="/display", role_label="Wall display")
    browser.wait_for_contains_text("#wall-sos", "SOS-", timeout=15)
    browser.wait_for_contains_text("#wall-beds", "2,497", timeout=15)
    browser.wait_for_contains_text("#wall-alerts", "Heatwave", timeout=15)
    failures = {}
    for width, height in VIEWPORTS:
        _viewport(browser, width, height)
        until(lambda w=width: browser.driver.execute_script("return window.innerWidth") == w, 5)
        browser.driver.save_screenshot(str(tmp_path / f"wall-{width}x{height}.png"))
        clipped = browser.driver.execute_script(_CLIPPED)
        if clipped:
            failures[f"{width}x{height}"] = clipped
    assert failures == {}

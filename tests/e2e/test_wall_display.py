"""The wall display in a real browser at 1920×1080: live data, then a database outage (the
display keeps its data, greys it and says for how long), recovery by itself, a change shown
without a reload, and a screen whose session ended going to the login page."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from dash.testing.wait import until
from sqlalchemy import create_engine, select

from auth.context import EXTENSION_KEY
from db import matching, users
from db import sos as sos_ops
from db.clock import utcnow
from db.engine import make_session_factory
from db.models import User
from tests.builders import PASSWORD, give_beds

pytestmark = pytest.mark.e2e


def test_wall_display_shows_live_data_survives_an_outage_and_recovers(web_people, web_db, web_app, browser,
                                                                      tmp_path):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id), icu=7)
        citizen = session.get(User, web_people["citizen"].id)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.95, longitude=77.62, now=utcnow(),
                                    emergency_type="stroke")
        matching.match_due(session, now=utcnow(), rings=(1.0,))  # nobody within 1 km: unanswered
        # Another SOS, taken by a hospital with a long name.
        hospital = session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id)
        hospital.name = "Sri Jayadeva Institute of Cardiovascular Sciences and Research, Bannerghatta Road"
        taken, _ = sos_ops.create_sos(session, actor=session.get(User, web_people["citizen2"].id),
                                      latitude=hospital.latitude, longitude=hospital.longitude, now=utcnow())
        matching.match_due(session, now=utcnow(), sos_id=taken.id)
        sos_ops.accept_sos(session, actor=session.get(User, web_people["admin_a"].id), sos_id=taken.id, now=utcnow())
        session.commit()
    driver = browser.driver
    browser.set_window_size(1920, 1080)
    browser.start()
    browser.log_in("display@example.in", PASSWORD, lands_on="/display", role_label="Wall display")
    browser.wait_for_contains_text("#wall-sos", f"SOS-{sos.id:05d}", timeout=10)
    browser.wait_for_text_to_equal("#wall-unanswered .wall-huge", "1")
    assert "7" in browser.text("#wall-beds")
    assert "wall-alarm" in driver.find_element("css selector", "#wall-unanswered").get_attribute("class")
    # Every tile is on the screen, none cut off below the fold.
    height = driver.execute_script("return window.innerHeight")
    for tile in ("#wall-unanswered", "#wall-sos", "#wall-units", "#wall-response", "#wall-beds", "#wall-blood",
                 "#wall-alerts", "#wall-map"):
        bottom = driver.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().bottom", tile)
        assert bottom <= height + 1, tile
    # The long name ends in an ellipsis: it squeezes neither the map nor the times, and every
    # response-time row fits in its tile.
    browser.wait_for_contains_text("#wall-sos", f"SOS-{taken.id:05d}")
    map_width, grid_width = driver.execute_script(
        "return ['#wall-map', '.wall-grid'].map(s => document.querySelector(s).getBoundingClientRect().width)")
    assert map_width >= grid_width / 5
    clipped = driver.execute_script(
        "return [...document.querySelectorAll('#wall-sos .wall-row > :not(:last-child),"
        " #wall-response .wall-row > :not(:first-child)')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
    assert clipped == []
    body_bottom = driver.execute_script(
        "return document.querySelector('#wall-response .wall-body').getBoundingClientRect().bottom")
    rows = driver.execute_script("return [...document.querySelectorAll('#wall-response .wall-row')]"
                                 ".map(r => r.getBoundingClientRect().bottom)")
    assert len(rows) == 4 and max(rows) <= body_bottom + 1
    # Both SOS are on the map (their own layer, beside the hospitals' and the units').
    markers = "return document.querySelectorAll('#wall-map path.leaflet-interactive').length"
    until(lambda: driver.execute_script(markers) >= 3, 10, poll=0.5)  # a hospital and the two SOS
    on_map = driver.execute_script(markers)
    shot = tmp_path / "wall-1920x1080.png"
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 20_000

    # The database goes away.
    state = web_app.server.extensions[EXTENSION_KEY]
    working = state["session_factory"]
    state["session_factory"] = make_session_factory(create_engine(
        "postgresql+psycopg2://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 1}))
    try:
        until(lambda: "NO NEW DATA" in browser.text("#wall-outage"), 30, poll=0.5)
        assert "wall-stale" in driver.find_element("css selector", "#wall").get_attribute("class")
        assert f"SOS-{sos.id:05d}" in browser.text("#wall-sos")  # the last data stays on screen
        first = browser.text("#wall-outage")
        until(lambda: browser.text("#wall-outage") != first, 5, poll=0.5)  # the outage time counts up
    finally:
        state["session_factory"] = working
    # It comes back by itself, without a reload.
    until(lambda: browser.text("#wall-outage") == "", 20, poll=0.5)
    assert "wall-stale" not in driver.find_element("css selector", "#wall").get_attribute("class")
    browser.wait_for_contains_text("#wall-sos", f"SOS-{sos.id:05d}")

    # A cancelled SOS leaves the wall by itself: only the parts that show it are sent again.
    with web_db.factory() as session:
        sos_ops.cancel_sos(session, actor=session.get(User, web_people["citizen"].id), sos_id=sos.id, now=utcnow())
        session.commit()
    browser.wait_for_text_to_equal("#wall-unanswered .wall-huge", "0", timeout=15)
    assert f"SOS-{sos.id:05d}" not in browser.text("#wall-sos")
    assert "7" in browser.text("#wall-beds")  # the tiles that did not change are still there
    until(lambda: driver.execute_script(markers) == on_map - 1, 10, poll=0.5)  # its marker left the map too
    # The display account's sessions end (e.g. a super admin disables it): the screen goes to login.
    with web_db.factory() as session:
        display_account = session.execute(select(User).where(User.email == "display@example.in")).scalar_one()
        users.end_all_sessions(session, display_account)
        session.commit()
    until(lambda: "/login" in driver.current_url, 20, poll=0.5)


def test_a_quiet_wall_does_not_report_an_outage(web_people, web_app, browser, monkeypatch):
    """Nothing changes for longer than the outage threshold (three refreshes), while each worker
    keeps the wall's view for its cache period: every refresh still reaches the server, so the
    wall must not say "NO NEW DATA" (it once did, for a moment in every cache period)."""
    state = web_app.server.extensions[EXTENSION_KEY]
    monkeypatch.setitem(state, "config", replace(state["config"], display_cache_seconds=600))
    browser.set_window_size(1920, 1080)
    browser.start()
    browser.log_in("display@example.in", PASSWORD, lands_on="/display", role_label="Wall display")
    browser.wait_for_element("#wall-unanswered .wall-huge", timeout=10)
    shown = set()
    quiet_until = time.monotonic() + 9  # twice the 4.5 s threshold
    while time.monotonic() < quiet_until:
        shown.add(browser.text("#wall-outage"))
        time.sleep(0.25)
    assert shown == {""}, shown

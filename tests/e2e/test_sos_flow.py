"""SOS, end to end in a real browser: a citizen presses SOS, two hospitals see it offered, one
accepts, sends its ambulance and steps it through to handover; the citizen follows it live and
can cancel.

One browser is enough: the roles take turns in it, logging in and out as a person would on a
shared machine. Headless Chromium has no geolocation, so the citizen types coordinates, exactly
as someone without GPS would. The citizen's pages are plain HTML forms (issue 18): with
JavaScript (these tests), sent in the background and updated live; without it, see
test_sos_offline.py.

The `browser` fixture stops the browser and the server before the database is wiped.
"""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import func, select

from db import sos as sos_ops
from db.clock import utcnow
from db.models import Ambulance, Sos, SosOffer, User
from db.vocabulary import sos_number
from tests.builders import beds_and_an_ambulance, sos_nearby

pytestmark = pytest.mark.e2e

# Between Alpha (~2.3 km away) and Beta (~2.8 km away): both are in the first 5-km ring.
WHERE = "12.96, 77.63"
LIVE = 8  # seconds: the tracking page and the queue poll every 2 s


# ---- helpers ----------------------------------------------------------------------------------


def _as_citizen(browser) -> None:
    browser.log_in("citizen@example.in", lands_on="/citizen", role_label="Citizen")


def _press_sos(browser, *, coordinates: str, emergency: str | None = None) -> None:
    """On /citizen: type the location, choose the type, press the big button."""
    browser.wait_for_element("#sos-button")
    browser.type_into("#sos-coordinates", coordinates)
    if emergency:
        Select(browser.find_element("#sos-type")).select_by_visible_text(emergency)
    browser.click("#sos-button")


def _the_only_sos(web_db, citizen_id: int) -> Sos:
    with web_db.factory() as session:
        rows = list(session.execute(select(Sos).where(Sos.citizen_id == citizen_id)).scalars())
        assert len(rows) == 1, f"expected one SOS, the database has {len(rows)}"
        session.expunge_all()
        return rows[0]


def _offers(web_db, sos_id: int) -> dict[int, str]:
    with web_db.factory() as session:
        return dict(session.execute(
            select(SosOffer.hospital_id, SosOffer.status).where(SosOffer.sos_id == sos_id)
        ).all())


def _app_errors(browser) -> list[str]:
    """Errors the page's own scripts logged (not failed map-tile downloads: tests are offline)."""
    lines = [entry["message"].splitlines()[0] for entry in browser.get_logs() or []
             if entry.get("source") != "network"]
    return list(dict.fromkeys(lines))  # each distinct error once, without its stack


def _wait_for_status(browser, text: str, timeout: float = LIVE) -> None:
    """The tracking page's status badge, with the browser's errors if it never shows."""
    try:
        browser.wait_for_text_to_equal("#track-status", text, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - re-raised with what the browser shows
        body = browser.driver.execute_script("return document.body.innerText")
        raise AssertionError(f"status {text!r} not shown; page: {body!r}; "
                             f"console: {_app_errors(browser)}") from error


def _just_after_queue_refresh(browser) -> None:
    """Wait for the queue's next 2-s refresh to land ("Last updated HH:MM:SS" changes).

    The refresh re-renders the active cards; choosing right after one keeps the flow test's
    clicks away from a card being replaced under the cursor."""
    def shown() -> str:  # read in the page: the element is replaced on every refresh
        return browser.driver.execute_script(
            "const e = document.getElementById('last-updated'); return e ? e.textContent : ''")

    before = shown()
    until(lambda: shown() not in ("", before), 5, poll=0.05)


def _confirm_dialog(browser):
    try:
        return browser.driver.switch_to.alert
    except Exception:  # noqa: BLE001 - no dialog open yet
        return None


def _timeline(browser) -> list[str]:
    return [li.text for li in browser.find_elements("#track-timeline li")]


def _assert_in_order(lines: list[str], expected: list[str]) -> None:
    """Each expected fragment is in a later line than the one before it."""
    position = -1
    for fragment in expected:
        later = [i for i, line in enumerate(lines) if i > position and fragment in line]
        assert later, f"{fragment!r} not found after line {position} of the timeline {lines}"
        position = later[0]


# ---- tests ------------------------------------------------------------------------------------


def test_sos_from_press_to_resolved_across_citizen_and_two_hospitals(web_people, web_db, browser):
    beds_and_an_ambulance(web_db, web_people)
    hospital_a, hospital_b = web_people["hospital_a"], web_people["hospital_b"]
    base = browser.start()

    # 1. The citizen presses SOS, with a typed location and a type.
    _as_citizen(browser)
    _press_sos(browser, coordinates=WHERE, emergency="Breathing difficulty")
    browser.wait_for_contains_text("#sos-sent-number", "SOS-0000")
    sos = _the_only_sos(web_db, web_people["citizen"].id)
    number = sos_number(sos.id)
    browser.wait_for_text_to_equal("#sos-sent-number", f"{number} sent")
    assert (sos.latitude, sos.longitude, sos.location_source) == (12.96, 77.63, "typed")
    assert sos.emergency_type == "breathing_difficulty"
    # Matching ran inside the page's callback: both hospitals are offered it already.
    assert _offers(web_db, sos.id) == {hospital_a.id: "offered", hospital_b.id: "offered"}

    browser.wait_for_path(f"/citizen/sos/{sos.id}")  # the tracking page opens by itself

    # A second press finds the open SOS instead of sending another.
    browser.open("/citizen")
    browser.wait_for_contains_text("#sos-open", f"Your {number} is open")
    _press_sos(browser, coordinates=WHERE)
    browser.wait_for_text_to_equal("#sos-sent-number", f"You already have an open SOS: {number}")
    _the_only_sos(web_db, web_people["citizen"].id)
    browser.log_out()

    # 2. Beta sees it waiting in its queue.
    browser.open_queue_as("admin.b@example.in")
    card = f"#queue-{sos.id}"
    browser.wait_for_contains_text(card, number)
    browser.wait_for_contains_text(card, "Breathing difficulty")
    # Who and where, before accepting: the caller's first name and the place.
    browser.wait_for_contains_text(card, "Caller: Test · no phone number given")
    browser.wait_for_contains_text(card, "12.96000, 77.63000")
    browser.log_out()

    # 3. Alpha sees it too, and accepts first.
    browser.open_queue_as("admin.a@example.in")
    browser.wait_for_contains_text(card, number)
    browser.click_button(card, "Accept")
    browser.wait_for_text_to_equal("#queue-message", f"{number} is yours. Send an ambulance now.")
    browser.wait_for_no_elements(card)
    active = f"#active-{sos.id}"
    browser.wait_for_contains_text(active, "Accepted: no unit yet")  # the dispatcher's words
    # The hospital that took it sees the caller's full name.
    browser.wait_for_contains_text(active, "Caller: Test Citizen")
    assert browser.find_element(f"#queue-active {active}")  # under "Accepted by your hospital"
    assert _offers(web_db, sos.id) == {hospital_a.id: "accepted", hospital_b.id: "withdrawn"}
    browser.log_out()

    # 4. Beta's queue no longer shows it, and says who took it.
    browser.open_queue_as("admin.b@example.in")
    browser.wait_for_text_to_equal("#queue-empty", "No SOS waiting. New ones appear here by themselves.")
    browser.wait_for_text_to_equal("#queue-departed", f"{number} was taken by Alpha Hospital")
    assert browser.count(card) == 0
    browser.wait_for_element("#active-empty")
    browser.log_out()

    # 5. Alpha sends AMB-1 and steps it through to handover.
    browser.open_queue_as("admin.a@example.in")
    browser.wait_for_contains_text(active, "No ambulance assigned yet")
    unit_select = f"{active} select"
    browser.wait_for_element(unit_select)
    _just_after_queue_refresh(browser)
    Select(browser.find_element(unit_select)).select_by_visible_text("AMB-1 · BLS")
    browser.click_button(active, "Send ambulance")
    browser.wait_for_text_to_equal("#queue-message", f"Ambulance sent to {number}.")
    browser.wait_for_contains_text(active, "Ambulance AMB-1 (BLS)")
    browser.wait_for_contains_text(active, "Unit assigned")
    for label, message in [("Mark en route", "en route"), ("Mark on scene", "on scene"),
                           ("Mark transporting", "transporting"), ("Mark at hospital", "at hospital")]:
        browser.click_button(active, label)
        browser.wait_for_text_to_equal("#queue-message", f"{number}: {message}.")
    browser.wait_for_contains_text(active, "Unit at hospital")
    browser.click_button(active, "Resolve: handover done")
    # It asks first: a slip of the finger must not close the emergency.
    until(lambda: _confirm_dialog(browser) is not None, 5)
    dialog = _confirm_dialog(browser)
    assert "Handover done for" in dialog.text
    dialog.accept()
    browser.wait_for_no_elements(active)
    browser.wait_for_contains_text("#queue-message", "resolved")
    browser.wait_for_text_to_equal("#queue-message", f"{number} resolved. The ambulance is available again.")
    browser.wait_for_element("#active-empty")
    with web_db.factory() as session:
        assert session.get(Sos, sos.id).status == "resolved"
        unit = session.execute(select(Ambulance).where(Ambulance.call_sign == "AMB-1")).scalar_one()
        assert (unit.status, unit.current_sos_id) == ("available", None)
    browser.log_out()

    # 6. The citizen reads the whole story.
    _as_citizen(browser)
    browser.driver.get(f"{base}/citizen/sos/{sos.id}")
    _wait_for_status(browser, "Resolved")
    browser.wait_for_text_to_equal("#track-hospital", "Alpha Hospital")
    browser.wait_for_contains_text("#track-ambulance", "AMB-1")
    _assert_in_order(_timeline(browser), [
        "SOS sent (Breathing difficulty)",
        "Offered to 2 hospitals within 5 km",
        "Accepted by Alpha Hospital",
        "Ambulance AMB-1 assigned",
        "Ambulance AMB-1: ambulance on the way",
        "Ambulance AMB-1: ambulance with you",
        "Ambulance AMB-1: on the way to hospital",
        "Ambulance AMB-1: arrived at hospital",
        "Resolved",
    ])
    assert "Beta Hospital" not in browser.find_element("#track-body").text
    assert browser.count("#cancel-sos-button") == 0  # nothing left to cancel


def test_citizen_tracking_page_updates_itself_and_can_cancel(web_people, web_db, browser):
    beds_and_an_ambulance(web_db, web_people)
    browser.start()

    _as_citizen(browser)
    _press_sos(browser, coordinates=WHERE)
    browser.wait_for_contains_text("#sos-sent-number", "SOS-0000")
    sos = _the_only_sos(web_db, web_people["citizen"].id)
    browser.wait_for_path(f"/citizen/sos/{sos.id}")
    _wait_for_status(browser, "Waiting for a hospital")
    browser.wait_for_text_to_equal("h1", sos_number(sos.id))
    browser.wait_for_contains_text("#track-waiting", "Offered to 2 nearby hospitals")
    assert browser.count("#track-hospital") == 0

    # Alpha accepts elsewhere: the open page shows it within a poll or two, without a reload.
    marker = browser.driver.execute_script("return window.__sosTrackMarker = Math.random()")
    with web_db.factory() as session:
        admin_a = session.get(User, web_people["admin_a"].id)
        sos_ops.accept_sos(session, actor=admin_a, sos_id=sos.id, now=utcnow())
        session.commit()
    _wait_for_status(browser, "Accepted by a hospital")
    browser.wait_for_text_to_equal("#track-hospital", "Alpha Hospital", timeout=LIVE)
    browser.wait_for_contains_text("#track-timeline", "Accepted by Alpha Hospital", timeout=LIVE)
    assert browser.driver.execute_script("return window.__sosTrackMarker") == marker, "the page reloaded"

    # The citizen cancels, confirming in the browser's dialog.
    browser.click("#cancel-sos-button")
    WebDriverWait(browser.driver, 5).until(expected_conditions.alert_is_present())
    dialog = browser.driver.switch_to.alert
    assert dialog.text == "Cancel this SOS? The hospital and ambulance will stop coming."
    dialog.accept()
    browser.wait_for_text_to_equal(
        "#track-message", "Your SOS is cancelled. Press SOS again if you need help.")
    _wait_for_status(browser, "Cancelled")
    browser.wait_for_no_elements("#cancel-sos-button")
    _assert_in_order(_timeline(browser), ["SOS sent", "Offered to", "Accepted by Alpha Hospital",
                                           "Cancelled"])
    with web_db.factory() as session:
        assert session.get(Sos, sos.id).status == "cancelled"
        assert session.execute(select(func.count()).select_from(Sos)).scalar_one() == 1
    assert set(_offers(web_db, sos.id).values()) == {"accepted", "withdrawn"}


def test_chosen_ambulance_survives_the_queue_refresh(web_people, web_db, browser):
    """A dispatcher who takes more than a moment between choosing the ambulance and pressing
    "Send ambulance" must not lose the choice."""
    beds_and_an_ambulance(web_db, web_people)
    sos_id = sos_nearby(web_db, web_people, accepted_by="admin_a")
    browser.start()
    browser.open_queue_as("admin.a@example.in")
    active = f"#active-{sos_id}"
    browser.wait_for_element(f"{active} select")
    Select(browser.find_element(f"{active} select")).select_by_visible_text("AMB-1 · BLS")
    _just_after_queue_refresh(browser)  # the person takes a few seconds: a refresh lands
    chosen = Select(browser.find_element(f"{active} select")).first_selected_option.text
    assert chosen == "AMB-1 · BLS", f"the choice was lost: the select shows {chosen!r}"
    browser.click_button(active, "Send ambulance")
    browser.wait_for_text_to_equal("#queue-message", f"Ambulance sent to {sos_number(sos_id)}.")


def test_keyboard_focus_stays_on_the_held_card_through_dispatch_and_steps(web_people, web_db, browser):
    """A dispatcher on the keyboard: "Send ambulance" and each step redraw the card, and the focus
    lands on the card's next step instead of falling back to the top of the page."""
    beds_and_an_ambulance(web_db, web_people)
    sos_id = sos_nearby(web_db, web_people, accepted_by="admin_a")
    number = sos_number(sos_id)
    browser.start()
    browser.open_queue_as("admin.a@example.in")
    active = f"#active-{sos_id}"
    unit_select = browser.wait_for_element(f"{active} select")
    Select(unit_select).select_by_visible_text("AMB-1 · BLS")

    def focused() -> str:
        return browser.driver.execute_script("const e = document.activeElement; return e ? e.innerText.trim() : ''")

    def press(key) -> None:
        ActionChains(browser.driver).send_keys(key).perform()

    press(Keys.TAB)
    until(lambda: focused() == "Send ambulance", 5)
    press(Keys.ENTER)
    browser.wait_for_text_to_equal("#queue-message", f"Ambulance sent to {number}.")
    until(lambda: focused() == "Mark en route", 10)
    press(Keys.ENTER)
    browser.wait_for_text_to_equal("#queue-message", f"{number}: en route.")
    until(lambda: focused() == "Mark on scene", 10)
    _just_after_queue_refresh(browser)  # a refresh that changes nothing leaves the focus be
    assert focused() == "Mark on scene"


def test_a_new_sos_is_noticed_on_any_hospital_page_badge_title_and_one_sound(web_people, web_db, browser):
    """On the ambulances page, not the queue: the navbar badge and the tab title count the SOS
    waiting, and the alert sounds once per new SOS (on by default, once the person has touched
    the page); turning it off is remembered by the browser."""
    beds_and_an_ambulance(web_db, web_people)
    browser.start()
    browser.log_in("admin.a@example.in", lands_on="/hospital", role_label="Hospital admin")
    browser.open("/hospital/ambulances")
    browser.wait_for_text_to_equal("h1", "Ambulances")
    browser.driver.execute_script(  # count plays instead of making noise
        "window.__played = 0; HTMLMediaElement.prototype.play = function () {"
        " window.__played += 1; return Promise.resolve(); };")
    browser.click("h1")  # a person's first touch: browsers allow sound after it
    assert browser.find_element("#notice-badge").get_attribute("hidden") is not None
    sos_id = sos_nearby(web_db, web_people)
    until(lambda: browser.text("#notice-badge") == "1", LIVE)
    until(lambda: browser.driver.title.startswith("(1) "), LIVE)
    assert browser.driver.title == "(1) Ambulances · HealthFirst"
    until(lambda: browser.driver.execute_script("return window.__played") == 1, LIVE)
    time.sleep(4)  # more polls of the same count: no second alert
    assert browser.driver.execute_script("return window.__played") == 1
    # Another page keeps the count in its title.
    browser.click("#navbar .nav-link[href='/hospital/queue']")
    browser.wait_for_element(f"#queue-{sos_id}", timeout=LIVE)
    until(lambda: browser.driver.title == "(1) SOS queue · HealthFirst", LIVE)
    # Sound off is remembered by this browser.
    browser.click("#notice-sound")
    until(lambda: browser.driver.execute_script("return localStorage.getItem('healthfirst.sound')") == "off", 3)
    assert _app_errors(browser) == []

"""Alerts, guidance and feedback in real browsers.

1. A citizen is signed in on one browser; a health officer, on another, fills in the alert form,
   previews and publishes. The citizen's banner (on a Dash page) shows the alert within one
   refresh, without a reload, and the markup typed into the alert is shown as text: it never
   runs. The plain SOS page shows it too, as text, when opened.
2. After sending an SOS the citizen sees the first-aid steps for the type they chose, rendered
   from Markdown; a script an editor typed into guidance is shown as text and never runs.
3. Once the SOS is resolved the tracking page asks the standard question; the answer is stored
   once and the citizen is thanked.

The `browser` fixture stops the browsers and the server before the database is wiped.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from components.alerts import BANNER_REFRESH_MS
from db import guidance
from db.clock import utcnow
from db.models import Feedback, Sos, User

pytestmark = pytest.mark.e2e

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
ONE_REFRESH = BANNER_REFRESH_MS / 1000 + 5  # seconds


# ---- helpers ----------------------------------------------------------------------------------


def _field(driver, name: str):
    """An input of the alert form (pattern-matching ids render as JSON with sorted keys)."""
    element_id = json.dumps({"name": name, "type": "alert-field"}, separators=(",", ":"))
    locator = (By.XPATH, f"//*[@id='{element_id}']")  # By.ID builds a CSS selector the quotes would break
    return WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located(locator))


def _pwned(driver):
    return driver.execute_script("return window.__pwned === undefined ? null : window.__pwned")


# ---- tests ------------------------------------------------------------------------------------


def test_officer_publishes_and_citizens_banner_shows_it_without_reload(web_people, browser):
    browser.start()
    citizen = browser.driver
    browser.log_in(web_people["citizen"].email, lands_on="/citizen")
    browser.open("/beds")
    browser.wait_for_element("#alerts-banner")
    assert citizen.find_elements(By.CSS_SELECTOR, ".alert-banner-item") == []
    citizen.execute_script("window.__noReload = 'still here'")

    officer_browser = browser.another()
    officer = officer_browser.driver
    officer_browser.log_in(web_people["officer"].email, lands_on="/officer")
    officer_browser.open("/officer/alerts")
    headline = f"Boil water in Indiranagar {HOSTILE}"
    officer_browser.type_into(_field(officer, "event"), "Unsafe water")
    officer_browser.type_into(_field(officer, "headline"), headline)
    officer_browser.type_into(_field(officer, "description"), f"Pipes contaminated. {HOSTILE}")
    officer_browser.type_into(_field(officer, "instruction"), "Boil drinking water for one minute.")
    officer_browser.type_into(_field(officer, "centre"), "12.9784, 77.6408")
    officer_browser.type_into(_field(officer, "radius"), "4")
    Select(officer.find_element(By.ID, "alert-severity")).select_by_visible_text("Extreme")
    assert _field(officer, "expires").get_attribute("value")  # an expiry is filled in by default
    wait = WebDriverWait(officer, 10)
    officer_browser.click(officer.find_element(By.ID, "alert-preview-button"))
    preview = wait.until(expected_conditions.presence_of_element_located((By.ID, "alert-preview-card")))
    wait.until(lambda d: "Boil water in Indiranagar" in preview.text)
    assert HOSTILE in preview.text  # the markup is text in the preview too
    officer_browser.click(officer.find_element(By.ID, "alert-publish-button"))
    wait.until(lambda d: "Alert published" in d.find_element(By.ID, "alert-message").text)
    assert _pwned(officer) is None

    # The citizen's page was never reloaded: the banner updates by itself.
    until(lambda: "Boil water in Indiranagar" in citizen.find_element(By.ID, "alerts-banner").text,
          timeout=ONE_REFRESH)
    banner = citizen.find_element(By.ID, "alerts-banner").text
    assert "EXTREME" in banner and HOSTILE in banner
    assert citizen.execute_script("return window.__noReload") == "still here"
    assert _pwned(citizen) is None
    assert citizen.find_elements(By.CSS_SELECTOR, "#alerts-banner img, #alerts-banner script") == []

    # The alerts page has the full alert, with the description as text.
    browser.click(citizen.find_element(By.CSS_SELECTOR, "#alerts-banner a[href='/alerts']"))
    browser.wait_for_contains_text("#alerts-active", "Pipes contaminated.")
    assert HOSTILE in citizen.find_element(By.ID, "alerts-active").text
    assert _pwned(citizen) is None

    # The SOS page (plain HTML) names it above the SOS button, as text.
    browser.open("/citizen")
    browser.wait_for_contains_text(".alert-banner-item", "Boil water in Indiranagar")
    assert HOSTILE in citizen.find_element(By.CSS_SELECTOR, ".alert-banner-item").text
    assert _pwned(citizen) is None


def _hostile_guidance(web_db, web_people) -> None:
    with web_db.factory() as session:
        guidance.ensure_default_guidance(session, utcnow())
        officer = session.get(User, web_people["officer"].id)
        guidance.save_guidance(session, actor=officer, emergency_type="choking", title="Choking",
                               body_markdown=f"1. **Five back blows** between the shoulder blades.\n2. {HOSTILE}\n"
                                             "3. [Press here](javascript:window.__pwned=3)",
                               now=utcnow())
        session.commit()


def test_sos_shows_guidance_for_the_chosen_type_and_scripts_never_run(web_people, web_db, browser):
    _hostile_guidance(web_db, web_people)
    base = browser.start()
    citizen = browser.driver
    browser.log_in(web_people["citizen"].email, lands_on="/citizen")
    Select(browser.wait_for_element("#sos-type")).select_by_value("choking")
    browser.type_into(browser.wait_for_element("#sos-coordinates"), "12.96, 77.63")
    browser.click(citizen.find_element(By.ID, "sos-button"))
    browser.wait_for_contains_text("#sos-sent-number", "sent")
    browser.wait_for_contains_text("#sos-guidance", "Choking")
    steps = citizen.find_element(By.ID, "sos-guidance")
    assert citizen.find_elements(By.CSS_SELECTOR, "#sos-guidance ol li strong")[0].text == "Five back blows"
    assert HOSTILE in steps.text  # shown as text
    assert citizen.find_elements(By.CSS_SELECTOR, "#sos-guidance img, #sos-guidance script") == []
    # A javascript: link is not a link at all (the steps are rendered on the server, issue 18).
    assert "Press here" in steps.text
    assert [a.get_attribute("href") for a in citizen.find_elements(By.CSS_SELECTOR, "#sos-guidance a")
            if (a.get_attribute("href") or "").lower().startswith("javascript:")] == []
    assert _pwned(citizen) is None

    # The guidance pages show the same, chosen by type.
    citizen.get(base + "/guidance?type=cardiac_arrest")
    browser.wait_for_contains_text("#guidance-card", "Push hard and fast in the centre of the chest")
    first_step = citizen.find_elements(By.CSS_SELECTOR, "#guidance-card ol li")[0].text
    assert first_step.startswith("Push hard and fast in the centre of the chest")


def test_resolved_sos_asks_for_feedback_once(web_people, web_db, browser):
    with web_db.factory() as session:
        hospital = web_people["hospital_a"]
        at = utcnow() - timedelta(minutes=20)
        sos = Sos(citizen_id=web_people["citizen"].id, status="resolved", priority="emergent", latitude=12.97,
                  longitude=77.64, hospital_id=hospital.id, created_at=at, accepted_at=at, closed_at=at,
                  updated_at=at, note="")
        session.add(sos)
        session.commit()
        sos_id = sos.id
    base = browser.start()
    citizen = browser.driver
    browser.log_in(web_people["citizen"].email, lands_on="/citizen")
    citizen.get(f"{base}/citizen/sos/{sos_id}")
    browser.wait_for_text_to_equal("#feedback-question", "Overall, how was your experience of our service?")
    browser.click(citizen.find_element(By.ID, "feedback-submit"))  # nothing chosen yet
    browser.wait_for_contains_text("#feedback-rating-message", "Choose one of the five answers")
    # The page comes back at the question, not the top: the focus is on the first answer, which
    # a screen reader announces with the message.
    focused = citizen.switch_to.active_element
    assert focused.get_attribute("id") == "feedback-rating-5", focused.get_attribute("outerHTML")[:120]
    assert focused.get_attribute("aria-describedby") == "feedback-rating-message"
    assert focused.get_attribute("aria-invalid") == "true"
    browser.click(citizen.find_element(By.XPATH, "//label[normalize-space()='Good']"))
    browser.type_into(citizen.find_element(By.ID, "feedback-comment"), "The crew was kind.")
    browser.click(citizen.find_element(By.ID, "feedback-submit"))
    browser.wait_for_contains_text("#track-message", "Thank you for your feedback. You answered: Good.")
    with web_db.factory() as session:
        stored = session.execute(select(Feedback)).scalar_one()
        assert (stored.sos_id, stored.rating, stored.comment) == (sos_id, 4, "The crew was kind.")
    citizen.refresh()
    browser.wait_for_contains_text("#feedback-thanks", "Thank you for your feedback.")
    assert citizen.find_elements(By.ID, "feedback-submit") == []

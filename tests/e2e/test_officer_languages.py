"""The officer writes an alert in English and Hindi in a real browser (issue 16): the two columns
are labelled in their languages, the preview shows each language's block, and after publishing a
citizen who reads Hindi sees the Hindi headline in the banner, without a reload, and
on the plain SOS page. (The citizen picks Hindi with the navbar's switch.) The `browser` fixture stops the browsers and the server before the
database is wiped."""

from __future__ import annotations

import json

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from components.alerts import BANNER_REFRESH_MS

pytestmark = pytest.mark.e2e

ONE_REFRESH = BANNER_REFRESH_MS / 1000 + 5  # seconds
HINDI_HEADLINE = "लू: दोपहर 12 से 4 बजे तक घर के अंदर रहें"


def _field(driver, name: str):
    """An input of the alert form (pattern-matching ids render as JSON with sorted keys)."""
    element_id = json.dumps({"name": name, "type": "alert-field"}, separators=(",", ":"))
    locator = (By.XPATH, f"//*[@id='{element_id}']")
    return WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located(locator))


def _label_of(driver, name: str) -> str:
    element_id = json.dumps({"name": name, "type": "alert-field"}, separators=(",", ":"))
    return driver.find_element(By.XPATH, f"//label[@for='{element_id}']").text


def test_officer_writes_both_languages_and_a_hindi_reader_sees_the_hindi_headline(web_people, browser):
    browser.start()
    citizen = browser.another()
    citizen.log_in(web_people["citizen"].email, lands_on="/citizen")
    citizen.open("/beds")
    citizen.click("#language-hi")  # the switch in the navbar: Hindi, remembered on the account
    until(lambda: citizen.driver.execute_script("return document.documentElement.lang") == "hi", 15)
    citizen.wait_for_path("/beds")
    WebDriverWait(citizen.driver, 10).until(
        expected_conditions.presence_of_element_located((By.ID, "alerts-banner")))
    citizen.driver.execute_script("window.__noReload = 'still here'")

    officer = browser.driver
    browser.log_in(web_people["officer"].email, lands_on="/officer")
    browser.open("/officer/alerts")
    # Two columns, each headed and labelled in its own language.
    hindi_column = WebDriverWait(officer, 10).until(
        expected_conditions.presence_of_element_located((By.ID, "alert-words-hi")))
    assert hindi_column.get_attribute("lang") == "hi" and "हिन्दी" in hindi_column.text
    assert officer.find_element(By.ID, "alert-words-en").get_attribute("lang") == "en"
    assert _label_of(officer, "headline:hi").startswith("शीर्षक")
    assert _label_of(officer, "headline").startswith("Headline")

    browser.type_into(_field(officer, "event"), "Heatwave")
    browser.type_into(_field(officer, "headline"), "Heatwave: stay indoors 12:00-16:00")
    browser.type_into(_field(officer, "description"), "Temperatures up to 44 °C.")
    browser.type_into(_field(officer, "event:hi"), "लू")
    browser.type_into(_field(officer, "headline:hi"), HINDI_HEADLINE)
    browser.type_into(_field(officer, "centre"), "12.9784, 77.6408")
    browser.type_into(_field(officer, "radius"), "6")
    Select(officer.find_element(By.ID, "alert-severity")).select_by_visible_text("Severe")
    wait = WebDriverWait(officer, 10)

    # The Hindi lacks the description the English has: shown at its field, nothing previewed.
    browser.click("#alert-preview-button")
    feedback = json.dumps({"name": "description:hi", "type": "alert-feedback"}, separators=(",", ":"))
    wait.until(lambda d: "write it in this language too" in d.find_element(By.XPATH, f"//*[@id='{feedback}']").text)
    assert officer.find_elements(By.ID, "alert-preview-card-hi") == []

    browser.type_into(_field(officer, "description:hi"), "तापमान 44 °C तक पहुँच सकता है।")
    browser.click("#alert-preview-button")
    hindi_preview = wait.until(expected_conditions.presence_of_element_located((By.ID, "alert-preview-card-hi")))
    wait.until(lambda d: HINDI_HEADLINE in hindi_preview.text)
    assert "Heatwave: stay indoors" in officer.find_element(By.ID, "alert-preview-card").text
    assert officer.find_element(By.ID, "alert-preview-hi").get_attribute("lang") == "hi"
    browser.click("#alert-publish-button")
    wait.until(lambda d: "Alert published" in d.find_element(By.ID, "alert-message").text)

    # The Hindi reader's banner changes by itself, in Hindi.
    until(lambda: HINDI_HEADLINE in citizen.driver.find_element(By.ID, "alerts-banner").text, timeout=ONE_REFRESH)
    banner = citizen.driver.find_element(By.ID, "alerts-banner").text
    assert "Heatwave: stay indoors" not in banner
    assert citizen.driver.execute_script("return window.__noReload") == "still here"
    headline = citizen.driver.find_element(By.CSS_SELECTOR, "#alerts-banner .banner-headline")
    assert headline.get_attribute("lang") == "hi"
    # The plain SOS page names it in Hindi too.
    citizen.open("/citizen")
    until(lambda: HINDI_HEADLINE in " ".join(e.text for e in citizen.driver.find_elements(
        By.CSS_SELECTOR, ".alert-banner-item")), timeout=10)

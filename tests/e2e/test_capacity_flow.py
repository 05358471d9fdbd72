"""Beds, end to end in two real browsers: a hospital admin saves new bed figures and a citizen's
open "Find a bed" page shows them without a reload; a bad figure gets a message at the field."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium import webdriver
from selenium.webdriver.common.by import By
from sqlalchemy import select

from db.models import BedType, HospitalBeds
from tests.builders import PASSWORD, give_beds
from tests.conftest import pytest_setup_options

pytestmark = pytest.mark.e2e
LIVE = 15  # the bed search refreshes every 10 s


def _log_in(driver, base: str, email: str, path: str) -> None:
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    until(lambda: driver.current_url.endswith(path), 10)


def _text(driver, css: str) -> str:
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", css)


def _set_field(driver, css: str, value: str) -> None:
    field = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", field)
    field.clear()
    field.send_keys(value)


def _press(driver, css: str) -> None:
    button = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()


def _icu_of(web_db, hospital_id):
    with web_db.factory() as session:
        return session.execute(
            select(HospitalBeds.total, HospitalBeds.available).join(BedType, BedType.id == HospitalBeds.bed_type_id)
            .where(HospitalBeds.hospital_id == hospital_id, BedType.code == "ICU")).one()


def test_admin_saves_beds_and_citizen_sees_them_without_reload(web_people, web_db, web_app, dash_duo):
    alpha = web_people["hospital_a"]
    with web_db.factory() as session:
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(type(web_people[key]), web_people[key].id), icu=3, oxygen=2, general=10)
        session.commit()
    dash_duo.start_server(web_app, navigate=False)
    base = dash_duo.server.url

    citizen = dash_duo.driver
    _log_in(citizen, base, "citizen@example.in", "/citizen")
    citizen.get(base + "/beds")
    card = f"#bed-result-{alpha.id}"
    until(lambda: "ICU: 3 free of 3" in _text(citizen, card), 10)

    admin = webdriver.Chrome(options=pytest_setup_options())
    try:
        _log_in(admin, base, "admin.a@example.in", "/hospital")
        admin.get(base + "/hospital/capacity")
        until(lambda: "free of 3" in _text(admin, "#bed-card-ICU"), 10)
        # A bad figure: the message is at the field, nothing is saved.
        _set_field(admin, "#bed-card-ICU input[id*='bed-total']", "12")
        _set_field(admin, "#bed-card-ICU input[id*='bed-available']", "15")
        _press(admin, "#bed-card-ICU button[id*='bed-save']")
        until(lambda: "cannot be more than the total" in _text(admin, "#bed-card-ICU"), 10)
        assert "is-invalid" in admin.find_element(By.CSS_SELECTOR, "#bed-card-ICU input[id*='bed-available']").get_attribute("class")
        assert _icu_of(web_db, alpha.id) == (3, 3)
        # The right figures are saved ...
        _set_field(admin, "#bed-card-ICU input[id*='bed-available']", "7")
        _press(admin, "#bed-card-ICU button[id*='bed-save']")
        until(lambda: "Saved: 7 free of 12." in _text(admin, "#bed-card-ICU"), 10)
        assert _icu_of(web_db, alpha.id) == (12, 7)
        # ... and a patient admitted with the stepper.
        _press(admin, "#bed-card-ICU button[id*='bed-step'][id*='-1']")
        until(lambda: "Now 6 free of 12." in _text(admin, "#bed-card-ICU"), 10)
    finally:
        admin.quit()

    # The citizen's page, never reloaded, shows the new figures within one refresh.
    until(lambda: "ICU: 6 free of 12" in _text(citizen, card), LIVE)
    assert _icu_of(web_db, alpha.id) == (12, 6)

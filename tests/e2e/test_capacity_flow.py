"""Beds, end to end in two real browsers: a hospital admin saves new bed figures and a citizen's
open "Find a bed" page shows them without a reload; a bad figure gets a message at the field."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from sqlalchemy import select

from db.models import BedType, HospitalBeds
from tests.builders import give_beds

pytestmark = pytest.mark.e2e
LIVE = 15  # the bed search refreshes every 10 s


def _icu_of(web_db, hospital_id):
    with web_db.factory() as session:
        return session.execute(
            select(HospitalBeds.total, HospitalBeds.available).join(BedType, BedType.id == HospitalBeds.bed_type_id)
            .where(HospitalBeds.hospital_id == hospital_id, BedType.code == "ICU")).one()


def test_admin_saves_beds_and_citizen_sees_them_without_reload(web_people, web_db, browser):
    alpha = web_people["hospital_a"]
    with web_db.factory() as session:
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(type(web_people[key]), web_people[key].id), icu=3, oxygen=2, general=10)
        session.commit()
    browser.start()

    citizen = browser
    citizen.log_in("citizen@example.in", lands_on="/citizen")
    citizen.open("/beds")
    card = f"#bed-result-{alpha.id}"
    until(lambda: "ICU: 3 free of 3" in citizen.text(card), 10)

    admin = browser.another()
    try:
        admin.log_in("admin.a@example.in", lands_on="/hospital")
        admin.open("/hospital/capacity")
        until(lambda: "free of 3" in admin.text("#bed-card-ICU"), 10)
        # A bad figure: the message is at the field, nothing is saved.
        admin.type_into("#bed-card-ICU input[id*='bed-total']", "12")
        admin.type_into("#bed-card-ICU input[id*='bed-available']", "15")
        admin.click("#bed-card-ICU button[id*='bed-save']")
        until(lambda: "cannot be more than the total" in admin.text("#bed-card-ICU"), 10)
        available = admin.driver.find_element(By.CSS_SELECTOR, "#bed-card-ICU input[id*='bed-available']")
        assert "is-invalid" in available.get_attribute("class")
        assert _icu_of(web_db, alpha.id) == (3, 3)
        # The right figures are saved ...
        admin.type_into("#bed-card-ICU input[id*='bed-available']", "7")
        admin.click("#bed-card-ICU button[id*='bed-save']")
        until(lambda: "Saved: 7 free of 12." in admin.text("#bed-card-ICU"), 10)
        assert _icu_of(web_db, alpha.id) == (12, 7)
        # ... and a patient admitted with the stepper.
        admin.click("#bed-card-ICU button[id*='bed-step'][id*='-1']")
        until(lambda: "Now 6 free of 12." in admin.text("#bed-card-ICU"), 10)
        # The blood grid writes at the page's text size, not its theme's smaller one.
        until(lambda: admin.count("#hospital-capacity-blood-grid .ag-cell") > 0, 10)
        sizes = admin.driver.execute_script(
            "const size = e => getComputedStyle(e).fontSize;"
            "return [size(document.body), size(document.querySelector('#hospital-capacity-blood-grid .ag-cell')),"
            " size(document.querySelector('#hospital-capacity-blood-grid .ag-header-cell-text'))]")
        assert len(set(sizes)) == 1, sizes
    finally:
        admin.close()

    # The citizen's page, never reloaded, shows the new figures within one refresh.
    until(lambda: "ICU: 6 free of 12" in citizen.text(card), LIVE)
    assert _icu_of(web_db, alpha.id) == (12, 6)

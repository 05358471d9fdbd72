"""Reports in a real browser: a citizen uploads a PDF with the form (progress and result shown),
the list shows it being checked, the verifier runs, and the badge turns Verified by itself."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from auth.context import EXTENSION_KEY
from db import reports
from db.clock import utcnow
from tests.builders import pdf_bytes

pytestmark = pytest.mark.e2e


def test_citizen_uploads_a_report_and_sees_it_verified(web_people, web_db, web_app, browser, tmp_path):
    base, driver = browser.start(), browser.driver
    browser.log_in("citizen@example.in", lands_on="/citizen")

    sample = tmp_path / "discharge-summary.pdf"
    sample.write_bytes(pdf_bytes())
    driver.get(base + "/reports/upload")
    driver.find_element(By.ID, "title").send_keys("Discharge summary")
    driver.find_element(By.ID, "file").send_keys(str(sample))
    driver.find_element(By.ID, "upload-submit").click()
    until(lambda: "Uploaded." in browser.text("#upload-result"), 10)
    assert "SHA-256" in driver.find_element(By.ID, "upload-result").text
    assert driver.find_element(By.CSS_SELECTOR, "#upload-progress .progress-bar").text == "100%"

    driver.get(base + "/reports")
    browser.wait_for_contains_text("#reports-list", "Discharge summary")
    browser.wait_for_contains_text("#reports-list", "Being checked")
    assert not driver.find_elements(By.CSS_SELECTOR, "a[id^='reports-download-']")

    config = web_app.server.extensions[EXTENSION_KEY]["config"]
    with web_db.factory() as session:  # what the job process does every 5 s
        assert reports.verify_due(session, now=utcnow(), upload_dir=config.upload_dir,
                                  hmac_key=config.report_hmac_key).verified == 1
        session.commit()
    browser.wait_for_contains_text("#reports-list", "Verified", timeout=10)
    link = browser.wait_for_element("a[id^='reports-download-']")
    assert link.get_attribute("href").endswith("/download")

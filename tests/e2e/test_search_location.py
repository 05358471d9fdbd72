"""The place typed on one search page ("Find a bed", "Find blood") is already there on the other,
moving through the navbar or loading the page afresh in the same tab."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.e2e
PLACE = "#location-place"


def _value(browser) -> str:
    return browser.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.value : null", PLACE)


def test_the_place_typed_on_one_search_page_is_kept_on_the_other(web_people, browser):
    browser.start()
    browser.set_window_size(1920, 1080)
    browser.log_in("citizen@example.in", lands_on="/citizen")
    browser.open("/beds")
    until(lambda: "from the city centre" in browser.text("#beds-where"), 10)
    field = browser.driver.find_element(By.CSS_SELECTOR, PLACE)
    field.send_keys("12.9784, 77.6408\n")
    until(lambda: "from 12.9784, 77.6408" in browser.text("#beds-where"), 10)
    # Through the navbar, as a person moves (no page load) ...
    browser.go_by_navbar("/blood")
    browser.wait_for_path("/blood")
    until(lambda: "from 12.9784, 77.6408" in browser.text("#blood-where"), 10)
    assert _value(browser) == "12.9784, 77.6408"
    # ... and after loading the other page afresh in the same tab.
    browser.open("/beds")
    until(lambda: "from 12.9784, 77.6408" in browser.text("#beds-where"), 10)
    assert _value(browser) == "12.9784, 77.6408"

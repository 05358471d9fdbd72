"""Every role's navigation fits the screens people have: at 1366×768 (the most common laptop) and
at 1920×1080 the navbar is open (no menu button), on one line, nothing cut off at the right; every
page of the role is reached with the keyboard alone (Tab, Enter, the arrow keys in a group); below
992 px the pages fold behind the menu button."""

from __future__ import annotations

import json

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from pages.shell import navigation_for

pytestmark = pytest.mark.e2e

HOMES = {"citizen": "/citizen", "admin_a": "/hospital", "officer": "/officer", "super": "/admin"}
# The citizen's home is the plain SOS page (no Dash, its own light frame): the Dash navbar is
# measured on the citizen's Dash pages.
DASH_START = {"citizen": "/beds"}

_LAYOUT = """
const bar = document.getElementById('navbar');
const toggler = document.getElementById('navbar-toggler');
const tops = [...document.querySelectorAll('#navbar-links .navbar-nav > .nav-item > .nav-link,'
                                         + '#navbar-links .navbar-nav > .nav-item > a.nav-link,'
                                         + '#navbar-links .navbar-nav > .dropdown > .nav-link')]
  .map(e => e.getBoundingClientRect());
const logout = document.getElementById('logout-button').getBoundingClientRect();
const person = document.getElementById('navbar-role').getBoundingClientRect();
return {
  toggler: !!toggler && toggler.offsetParent !== null,
  links: tops.length,
  lines: new Set(tops.map(r => Math.round(r.top))).size,
  visible: tops.every(r => r.width > 0 && r.right <= window.innerWidth),
  overflow: bar.scrollWidth - bar.clientWidth,
  height: Math.round(bar.getBoundingClientRect().height),
  logoutRight: Math.round(logout.right), personWidth: Math.round(person.width),
  width: window.innerWidth,
};
"""


def _layout(browser) -> dict:
    return browser.driver.execute_script(_LAYOUT)


def _expected_paths(role: str) -> list[str]:
    paths = []
    for item in navigation_for(role):
        paths += [i.href for i in item.items] if hasattr(item, "items") else [item.href]
    return paths


def _focused() -> str:
    return """
const e = document.activeElement; if (!e) return JSON.stringify({});
const group = e.closest('[id*="nav-group"]');
return JSON.stringify({href: e.getAttribute('href') || '', group: group ? JSON.parse(group.id).pages : '',
                       toggle: e.classList.contains('dropdown-toggle')});
"""


def _press(browser, key) -> dict:
    ActionChains(browser.driver).send_keys(key).perform()
    return json.loads(browser.driver.execute_script(_focused()))


def _keyboard_to(browser, path: str) -> None:
    """From the top of the page, Tab to the link (or to its group, open it with Enter and walk
    down with the arrow keys), then Enter: as a keyboard user moves."""
    browser.driver.execute_script("document.activeElement && document.activeElement.blur();"
                                  "document.body.focus(); window.scrollTo(0, 0);")
    for _ in range(40):
        focused = _press(browser, Keys.TAB)
        if focused.get("href") == path:
            _press(browser, Keys.ENTER)
            return
        if focused.get("toggle") and path in focused.get("group", "").split(" "):
            _press(browser, Keys.ENTER)
            for _ in range(8):
                focused = _press(browser, Keys.ARROW_DOWN)
                if focused.get("href") == path:
                    _press(browser, Keys.ENTER)
                    return
            raise AssertionError(f"{path}: not reached with the arrow keys in its group")
    raise AssertionError(f"{path}: not reached with the Tab key")


@pytest.mark.parametrize("role", list(HOMES))
def test_navigation_fits_on_one_line_and_every_page_is_reached_by_keyboard(web_people, browser, role):
    person = web_people[role]
    browser.start()
    browser.set_window_size(1366, 768)
    browser.log_in(person.email, lands_on=HOMES[role])
    if role in DASH_START:
        browser.open(DASH_START[role])
        browser.wait_for_element("#navbar-links")

    for width, height in ((1366, 768), (1920, 1080)):
        browser.set_window_size(width, height)
        until(lambda w=width: _layout(browser)["width"] <= w, 5)
        shown = _layout(browser)
        assert not shown["toggler"], f"{role} at {width}: the pages are folded behind the menu button"
        assert shown["lines"] == 1, f"{role} at {width}: the navbar wraps onto {shown['lines']} lines: {shown}"
        assert shown["visible"] and shown["overflow"] <= 0, f"{role} at {width}: a link is cut off: {shown}"
        assert shown["logoutRight"] <= width, f"{role} at {width}: Log out is off the screen: {shown}"
        assert shown["height"] <= 90, f"{role} at {width}: the navbar is {shown['height']} px high"

    browser.set_window_size(1366, 768)
    for path in _expected_paths(person.role):
        if path == "/display":
            continue  # the wall display covers the whole screen, navbar included
        _keyboard_to(browser, path)
        browser.wait_for_path(path)

    # A phone or a narrow window: one menu button, which opens the same pages.
    browser.set_window_size(800, 900)
    until(lambda: _layout(browser)["toggler"], 5)
    browser.open_menu()
    assert browser.find_element("#logout-button").is_displayed()

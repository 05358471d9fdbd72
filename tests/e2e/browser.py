"""The one place for what the browser tests do in a browser: start the server, read where the
browser is, click safely, type, log in and out, open a second person's browser.

Tests get a `Browser` from the `browser` fixture (conftest.py). It wraps dash_duo: anything
dash_duo offers (wait_for_text_to_equal, wait_for_element, find_element, get_logs …) is there
too, e.g. `browser.wait_for_contains_text("#x", "y")`.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from dash.testing.wait import until
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.builders import PASSWORD

LOGGED_OUT = "You are logged out."


def chrome_options(*, accept_language: str | None = None) -> Options:
    """Headless Chromium as root, without the --headless flag on every run; `accept_language`:
    what the browser asks pages for ("hi,en;q=0.5": a Hindi browser)."""
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--window-size=1600,1000"):
        options.add_argument(arg)
    # A browser that refuses to share its location at once (headless Chromium would otherwise
    # leave the question unanswered): the SOS page opens its typed place, as for such a person.
    # A test that needs a position grants it (Browser.grantPermissions, setGeolocationOverride);
    # Browser.start() says the same for dash_duo's browser, whose prefs dash replaces.
    prefs = {"profile.default_content_setting_values.geolocation": 2}
    if accept_language:
        prefs["intl.accept_languages"] = accept_language  # one "prefs" option: a second replaces the first
    options.add_experimental_option("prefs", prefs)
    return options


class Browser:
    """One person's browser. The fixture's is dash_duo's; `another()` opens a second one (its own
    cookies) on the same server, a plain selenium window without dash_duo's waits."""

    def __init__(self, driver, *, duo=None, app=None, opened_by: Browser | None = None):
        self.driver = driver
        self._duo = duo
        self._app = app
        self._opened_by = opened_by
        self._others: list[Browser] = []
        self._base = ""

    @property
    def base(self) -> str:
        """The server's address (set by `start()`; a second browser shares its opener's)."""
        return self._opened_by.base if self._opened_by else self._base

    def __getattr__(self, name):
        # Only called for names this class does not define: dash_duo's own API.
        duo = self.__dict__.get("_duo")
        if duo is None:
            raise AttributeError(f"{name!r}: a second browser has no dash_duo helpers")
        return getattr(duo, name)

    # ---- the server and other browsers ----

    def start(self) -> str:
        """Start the app without dash_duo's automatic navigation: `/` redirects an anonymous
        visitor to the plain-HTML login page, which has no Dash entry point to wait for."""
        self._duo.start_server(self._app, navigate=False)
        self._base = self._duo.server.url
        # A browser that refuses to share its location at once (dash_duo replaces the prefs of
        # chrome_options): the SOS page opens its typed place, as for such a person.
        self.driver.execute_cdp_cmd("Browser.setPermission", {
            "permission": {"name": "geolocation"}, "setting": "denied", "origin": self._base})
        return self._base

    def another(self, *, accept_language: str | None = None) -> Browser:
        """Another person's browser (its own cookies), headless like this one. It closes with
        this one at the end of the test, or earlier with `close()`."""
        driver = webdriver.Chrome(options=chrome_options(accept_language=accept_language))
        driver.implicitly_wait(0)
        other = Browser(driver, opened_by=self)
        self._others.append(other)
        return other

    def close(self) -> None:
        """Close a browser opened with `another()`, and those it opened."""
        self.close_others()
        self.driver.quit()
        if self._opened_by:
            self._opened_by._others.remove(self)

    def close_others(self) -> None:
        """Close the browsers opened with `another()` (dash_duo closes its own)."""
        for other in list(self._others):
            other.close()

    def set_window_size(self, width: int, height: int) -> None:
        self.driver.set_window_size(width, height)

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    # ---- reading the page ----

    def path_of(self) -> str:
        return urlsplit(self.driver.current_url).path

    def wait_for_path(self, path: str, timeout: float = 10) -> None:
        try:
            until(lambda: self.path_of() == path, timeout)
        except Exception as error:  # noqa: BLE001 - re-raised with what the browser shows
            raise AssertionError(f"expected {path}, browser is on {self.driver.current_url}") from error

    def count(self, selector: str) -> int:
        """How many elements match now, without selenium's 2-s implicit wait for absent ones."""
        return self.driver.execute_script("return document.querySelectorAll(arguments[0]).length", selector)

    def text(self, selector: str) -> str:
        """The element's innerText now, '' when it is absent."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", selector)

    def _wait_for_shown_text(self, selector: str, wanted, timeout: float = 10) -> None:
        """Wait until the element's text as selenium shows it (what dash_duo's wait_for_text_*
        compare) passes `wanted`, a test of that text."""
        def shown() -> str:
            # The page may be replaced between finding the element and reading it (a redirect
            # after logging out): a stale element counts as nothing shown yet, and is asked again.
            try:
                found = self.driver.find_elements(By.CSS_SELECTOR, selector)
                return found[0].text if found else ""
            except StaleElementReferenceException:
                return ""

        try:
            until(lambda: wanted(shown()), timeout)
        except Exception as error:  # noqa: BLE001 - re-raised with what the browser shows
            raise AssertionError(f"{selector} shows {shown()!r}") from error

    # ---- acting ----

    def _element(self, target):
        if not isinstance(target, str):
            return target
        return WebDriverWait(self.driver, 10).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, target)))

    def click(self, target) -> None:
        """A real click, after scrolling the element into view at once: Bootstrap's
        `scroll-behavior: smooth` makes selenium's own scrolling animate, and its click then
        lands where the element is not yet (ElementClickInterceptedException below the fold).
        `target`: a CSS selector or an element. A selector is found again if the page replaced
        the element between finding and clicking it (a page that redraws itself as it loads)."""
        for attempt in (1, 2, 3):
            element = self._element(target)
            try:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                                           element)
                element.click()
                return
            except StaleElementReferenceException:
                if not isinstance(target, str) or attempt == 3:
                    raise

    def type_into(self, target, text: str) -> None:
        """Replace what a field holds (a CSS selector or an element), scrolled into view."""
        field = self._element(target)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", field)
        field.clear()
        field.send_keys(text)

    def click_button(self, container: str, label: str, timeout: float = 10) -> None:
        """Click the button labelled `label` inside `container`, once it is there. A live page
        redraws itself: a button found a moment ago may have been replaced, so find it again and
        retry rather than click a detached node."""
        xpath = f".//button[normalize-space()='{label}']"

        def attempt() -> bool:
            try:
                box = self.driver.find_elements(By.CSS_SELECTOR, container)
                buttons = box[0].find_elements(By.XPATH, xpath) if box else []
                if not buttons:
                    return False
                self.click(buttons[0])
                return True
            except StaleElementReferenceException:
                return False

        try:
            until(attempt, timeout, poll=0.1)
        except Exception as error:  # noqa: BLE001
            shown = self.driver.execute_script(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '(absent)'", container)
            raise AssertionError(f"no button {label!r} in {container}; it shows: {shown!r}") from error

    # ---- logging in and out ----

    def submit_login(self, email: str, password: str = PASSWORD) -> None:
        self.open("/login")
        self.type_into("#email", email)
        self.type_into("#password", password)
        self.click("#login-submit")

    def log_in(self, email: str, password: str = PASSWORD, *, lands_on: str, role_label: str | None = None) -> None:
        """Log in and wait for the home page `lands_on` with its navbar (showing `role_label`)."""
        self.submit_login(email, password)
        self.wait_for_path(lands_on)
        self._element("#navbar-role")
        if role_label is not None:
            self._wait_for_shown_text("#navbar-role", lambda shown: shown == f"· {role_label}")

    def open_menu(self) -> None:
        """On a narrow window the menu folds behind the toggler: open it, as a person would."""
        toggler = self.driver.find_elements(By.CSS_SELECTOR, "#navbar-toggler")
        if toggler and toggler[0].is_displayed():
            self.click(toggler[0])
            until(lambda: self.driver.find_element(By.CSS_SELECTOR, "#logout-button").is_displayed(), 5)

    def go_by_navbar(self, path: str) -> None:
        """Open a page through the navbar, as a person does: its link, or the group (dropdown)
        holding it, then the page in the group."""
        self.open_menu()
        groups = self.driver.find_elements(By.CSS_SELECTOR, f"#navbar [id*='nav-group'][id*='{path}']")
        group = next((g for g in groups if path in json.loads(g.get_attribute("id"))["pages"].split(" ")), None)
        if group is None:
            self.click(f"#navbar a.nav-link[href='{path}']")
            return
        self.click(group.find_element(By.CSS_SELECTOR, ".dropdown-toggle"))
        self.click(f"#navbar .dropdown-item[href='{path}']")

    def open_queue_as(self, email: str) -> None:
        """Log in as a hospital admin and open the SOS queue."""
        self.log_in(email, lands_on="/hospital", role_label="Hospital admin")
        self.open("/hospital/queue")
        self.wait_for_text_to_equal("h1", "SOS queue")

    def log_out(self) -> None:
        self.open_menu()
        self.click("#logout-button")
        self._wait_for_shown_text("main", lambda shown: LOGGED_OUT in shown)
        assert self.path_of() == "/login"
        assert self.count("#navbar-role") == 0

"""Helpers the browser tests share: start the server, read where the browser is, click safely."""

from __future__ import annotations

from urllib.parse import urlsplit

from dash.testing.wait import until


def start(dash_duo, web_app) -> str:
    """Start the app without dash_duo's automatic navigation: `/` redirects an anonymous visitor
    to the plain-HTML login page, which has no Dash entry point to wait for."""
    dash_duo.start_server(web_app, navigate=False)
    return dash_duo.server.url


def path_of(dash_duo) -> str:
    return urlsplit(dash_duo.driver.current_url).path


def wait_for_path(dash_duo, path: str, timeout: float = 10) -> None:
    try:
        until(lambda: path_of(dash_duo) == path, timeout)
    except Exception as error:  # noqa: BLE001 - re-raised with what the browser shows
        raise AssertionError(f"expected {path}, browser is on {dash_duo.driver.current_url}") from error


def count(dash_duo, selector: str) -> int:
    """How many elements match now, without selenium's 2-s implicit wait for absent ones."""
    return dash_duo.driver.execute_script("return document.querySelectorAll(arguments[0]).length", selector)


def click(dash_duo, target) -> None:
    """A real click, after scrolling the element into view at once: Bootstrap's
    `scroll-behavior: smooth` makes selenium's own scrolling animate, and its click then lands
    where the element is not yet (ElementClickInterceptedException below the fold)."""
    element = dash_duo.find_element(target) if isinstance(target, str) else target
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


LOGGED_OUT = "You are logged out."


def type_into(dash_duo, selector: str, text: str) -> None:
    field = dash_duo.wait_for_element(selector)
    field.clear()
    field.send_keys(text)


def submit_login(dash_duo, base: str, email: str, password: str) -> None:
    dash_duo.driver.get(base + "/login")
    type_into(dash_duo, "#email", email)
    type_into(dash_duo, "#password", password)
    click(dash_duo, "#login-submit")


def log_in(dash_duo, base: str, email: str, password: str, *, lands_on: str, role_label: str) -> None:
    submit_login(dash_duo, base, email, password)
    wait_for_path(dash_duo, lands_on)
    dash_duo.wait_for_text_to_equal("#navbar-role", f"· {role_label}")


def open_menu(dash_duo) -> None:
    """On a narrow window the menu folds behind the toggler: open it, as a person would."""
    toggler = dash_duo.driver.find_elements("css selector", "#navbar-toggler")
    if toggler and toggler[0].is_displayed():
        click(dash_duo, toggler[0])
        until(lambda: dash_duo.driver.find_element("css selector", "#logout-button").is_displayed(), 5)


def log_out(dash_duo) -> None:
    open_menu(dash_duo)
    click(dash_duo, "#logout-button")
    dash_duo.wait_for_contains_text("main", LOGGED_OUT)
    assert path_of(dash_duo) == "/login"
    assert count(dash_duo, "#navbar-role") == 0

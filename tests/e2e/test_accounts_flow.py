"""Accounts, end to end in a real browser: log in per role, wrong password, registration,
approval of a hospital admin, and a citizen refused the approvals page.

Each test asserts what a person sees. The server is started without dash_duo's automatic
navigation: `/` redirects an anonymous visitor to the plain-HTML login page, which has no Dash
entry point, so `start_server(app)` would wait 10 s for one and fail.

Fixture order matters: `web_people` comes before `dash_duo`, so the browser and the server
stop before the database is wiped.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from db import users
from tests.builders import PASSWORD, add_user

from tests.e2e.browser import LOGGED_OUT, click as _click, count as _count, log_out as _log_out, \
    path_of as _path, start as _start, submit_login, type_into as _type, wait_for_path as _wait_for_path
from tests.e2e import browser

pytestmark = pytest.mark.e2e


# ---- helpers ----------------------------------------------------------------------------------


def _buttons_labelled(dash_duo, label: str) -> int:
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('button')]"
        ".filter(b => b.textContent.trim() === arguments[0]).length",
        label,
    )


def _nav_labels(dash_duo) -> list[str]:
    # textContent: the links may be folded behind the menu button on a narrow window.
    return [link.get_attribute("textContent").strip() for link in dash_duo.find_elements("#navbar .nav-link")]


def _register(dash_duo, base: str, *, full_name: str, email: str, role: str,
              hospital: str = "", phone: str = "") -> None:
    dash_duo.driver.get(base + "/register")
    _type(dash_duo, "#full_name", full_name)
    _type(dash_duo, "#email", email)
    if phone:
        _type(dash_duo, "#phone", phone)
    _type(dash_duo, "#password", PASSWORD)
    _type(dash_duo, "#confirm", PASSWORD)
    _click(dash_duo, f"input[name='role'][value='{role}']")
    if hospital:
        _type(dash_duo, "#hospital", hospital)
    _click(dash_duo, "#register-submit")


def _user_id(web_db, email: str) -> int:
    with web_db.factory() as session:
        user = users.get_by_email(session, email)
        assert user is not None, f"no account {email} in the database"
        return user.id


def _menu_for(role: str) -> list[str]:
    """The menu a role should see: every page that declares the role, in its nav order."""
    import dash

    pages = [p for p in dash.page_registry.values() if role in p.get("allowed_roles", ()) and p.get("nav_label")]
    return [p["nav_label"] for p in sorted(pages, key=lambda p: p.get("nav_order", 100))]


# ---- tests ------------------------------------------------------------------------------------

# (fixture key, home path, navbar role label, a selector and text only that home page shows,
#  nav links that role must see, in this order)
ROLES = [
    ("citizen", "/citizen", "Citizen", "h1", "Hello, Test Citizen", ["Home"]),
    ("admin_a", "/hospital", "Hospital admin", "#hospital-summary h1", "Alpha Hospital",
     ["Dashboard", "SOS queue", "Ambulances"]),
    ("officer", "/officer", "Health officer", "h1", "Region overview",
     ["Region", "Unanswered SOS"]),
    ("super", "/admin", "Super admin", "#kpi-pending", "WAITING FOR APPROVAL",
     ["Console", "Unanswered SOS", "Approvals"]),
    ("display", "/display", "Wall display", ".wall-brand", "Control room", ["Wall display"]),
]


def test_each_role_lands_on_its_own_dashboard(web_people, web_app, dash_duo):
    base = _start(dash_duo, web_app)
    for key, home, role_label, selector, text, nav in ROLES:
        person = web_people[key]
        _log_in(dash_duo, base, person.email, lands_on=home, role_label=role_label)
        dash_duo.wait_for_text_to_equal("#navbar-user", person.full_name)
        dash_duo.wait_for_contains_text(selector, text)
        shown = _nav_labels(dash_duo)
        assert [label for label in shown if label in nav] == nav, f"{key} sees the menu {shown}"
        # Exactly the pages open to this role, and none of another role's.
        assert shown == _menu_for(person.role), f"{key} sees the menu {shown}"
        if key == "super":
            dash_duo.wait_for_contains_text("#kpi-pending .kpi-value", "0")
        if key == "admin_a":  # the admin's own hospital, not the other one
            assert "Beta Hospital" not in dash_duo.find_element("#hospital-summary").text
        assert _count(dash_duo, "#forbidden") == 0
        if key == "display":
            # The wall covers the whole screen, menu included: a display logs out at /logout.
            dash_duo.driver.get(base + "/logout")
            _click(dash_duo, "#logout-confirm")
            dash_duo.wait_for_contains_text("main", "You are logged out.")
            continue
        _log_out(dash_duo)
    # The page's own scripts raised nothing (network errors of a machine without internet, such
    # as the browser's geolocation lookup, are not the page's).
    assert [e for e in dash_duo.get_logs() if e.get("source") != "network"] == []


def test_wrong_password_shows_message_and_stays_on_login(web_people, web_app, dash_duo):
    base = _start(dash_duo, web_app)
    _submit_login(dash_duo, base, web_people["citizen"].email, "Not-the-password-1")
    dash_duo.wait_for_text_to_equal("#login-error", users.WRONG_CREDENTIALS)
    assert _path(dash_duo) == "/login"
    assert _count(dash_duo, "#navbar-role") == 0
    # Still not in: a dashboard sends the visitor back to the login page.
    dash_duo.driver.get(base + "/citizen")
    _wait_for_path(dash_duo, "/login")
    dash_duo.wait_for_element("#login-submit")
    assert _count(dash_duo, "#login-error") == 0


def test_citizen_registers_and_is_in_at_once(web_people, web_app, dash_duo):
    base = _start(dash_duo, web_app)
    _register(dash_duo, base, full_name="Asha Rao", email="asha.rao@example.in",
              role="citizen", phone="+91 98450 12345")
    _wait_for_path(dash_duo, "/citizen")
    dash_duo.wait_for_text_to_equal("#navbar-role", "· Citizen")
    dash_duo.wait_for_text_to_equal("#navbar-user", "Asha Rao")
    dash_duo.wait_for_text_to_equal("h1", "Hello, Asha Rao")
    assert _nav_labels(dash_duo) == _menu_for("citizen")


def test_hospital_admin_registration_needs_approval(web_people, web_db, web_app, dash_duo):
    base = _start(dash_duo, web_app)
    hospital = web_people["hospital_a"]
    email = "ravi.kumar@example.in"

    _register(dash_duo, base, full_name="Ravi Kumar", email=email, role="hospital_admin",
              hospital=f"#{hospital.id} Alpha Hospital")
    dash_duo.wait_for_contains_text("#registered-pending", "waiting for approval")
    dash_duo.wait_for_contains_text("#registered-pending", email)
    assert _count(dash_duo, "#navbar-role") == 0

    _submit_login(dash_duo, base, email)
    dash_duo.wait_for_contains_text("#login-error", "waiting for approval")
    assert _path(dash_duo) == "/login"

    new_id = _user_id(web_db, email)
    _log_in(dash_duo, base, web_people["super"].email, lands_on="/admin", role_label="Super admin")
    dash_duo.wait_for_text_to_equal("#kpi-pending .kpi-value", "1")
    _click(dash_duo, "#navbar .nav-link[href='/admin/approvals']")
    _wait_for_path(dash_duo, "/admin/approvals")
    row = dash_duo.wait_for_element(f"#pending-{new_id}")
    dash_duo.wait_for_contains_text(f"#pending-{new_id}", "Ravi Kumar · Hospital admin")
    dash_duo.wait_for_contains_text(f"#pending-{new_id}", "Hospital: Alpha Hospital")
    _click(dash_duo, row.find_element(By.XPATH, ".//button[normalize-space()='Approve']"))
    dash_duo.wait_for_text_to_equal("#approvals-message", f"{email} approved: they can log in now.")
    dash_duo.wait_for_no_elements(f"#pending-{new_id}")
    dash_duo.wait_for_text_to_equal("#approvals-empty", "Nobody is waiting for approval.")
    _log_out(dash_duo)

    _log_in(dash_duo, base, email, lands_on="/hospital", role_label="Hospital admin")
    dash_duo.wait_for_text_to_equal("#navbar-user", "Ravi Kumar")
    dash_duo.wait_for_text_to_equal("#hospital-summary h1", "Alpha Hospital")
    assert _nav_labels(dash_duo)[0] == "Dashboard"


def test_citizen_cannot_open_admin_page(web_people, web_db, web_app, dash_duo):
    # Someone is waiting, so the page would show Approve buttons if it let the citizen in.
    with web_db.factory() as session:
        add_user(session, "health_officer", email="pending.officer@example.in", status="pending")
        session.commit()
    base = _start(dash_duo, web_app)
    _log_in(dash_duo, base, web_people["citizen"].email, lands_on="/citizen",
            role_label="Citizen")
    dash_duo.driver.get(base + "/admin/approvals")
    dash_duo.wait_for_contains_text("#forbidden", "You do not have access to this page")
    assert _path(dash_duo) == "/admin/approvals"
    assert _buttons_labelled(dash_duo, "Approve") == 0
    assert _count(dash_duo, ".pending-user") == 0
    assert "pending.officer@example.in" not in dash_duo.find_element("body").text
    assert "Approvals" not in _nav_labels(dash_duo)


def _submit_login(dash_duo, base: str, email: str, password: str = PASSWORD) -> None:
    submit_login(dash_duo, base, email, password)


def _log_in(dash_duo, base: str, email: str, *, lands_on: str, role_label: str) -> None:
    browser.log_in(dash_duo, base, email, PASSWORD, lands_on=lands_on, role_label=role_label)

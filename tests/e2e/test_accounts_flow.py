"""Accounts, end to end in a real browser: log in per role, wrong password, registration,
approval of a hospital admin, and a citizen refused the approvals page.

Each test asserts what a person sees. `browser.start()` starts the server without dash_duo's
automatic navigation: `/` redirects an anonymous visitor to the plain-HTML login page, which has
no Dash entry point, so `start_server(app)` would wait 10 s for one and fail.
"""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from db import users
from tests.builders import PASSWORD, add_user

pytestmark = pytest.mark.e2e


# ---- helpers ----------------------------------------------------------------------------------


def _buttons_labelled(browser, label: str) -> int:
    return browser.driver.execute_script(
        "return [...document.querySelectorAll('button')]"
        ".filter(b => b.textContent.trim() === arguments[0]).length",
        label,
    )


_NAV_PATHS = (
    "return [...document.querySelectorAll('#navbar .nav-link')].flatMap(link => {"
    "  const group = link.closest('[id*=\"nav-group\"]');"
    "  return group ? JSON.parse(group.id).pages.split(' ') : [link.getAttribute('href')];"
    "}).filter((path, i, all) => all.indexOf(path) === i);")


def _nav_labels(browser) -> list[str]:
    """Every page the navbar offers, in order: its links, and the pages inside each group (a
    dropdown, whose items are drawn once opened: read from the group's own list of paths). Read
    from the page, not from what is shown: the links may be folded behind the menu button."""
    import dash

    labels = {p["relative_path"]: p["nav_label"] for p in dash.page_registry.values() if p.get("nav_label")}
    return [labels[path] for path in browser.driver.execute_script(_NAV_PATHS)]


def _register(browser, base: str, *, full_name: str, email: str, role: str,
              hospital: str = "", phone: str = "") -> None:
    browser.driver.get(base + "/register")
    browser.type_into("#full_name", full_name)
    browser.type_into("#email", email)
    if phone:
        browser.type_into("#phone", phone)
    browser.type_into("#password", PASSWORD)
    browser.type_into("#confirm", PASSWORD)
    browser.click(f"input[name='role'][value='{role}']")
    if hospital:
        browser.type_into("#hospital", hospital)
    browser.click("#register-submit")


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


def test_each_role_lands_on_its_own_dashboard(web_people, browser):
    base = browser.start()
    for key, home, role_label, selector, text, nav in ROLES:
        person = web_people[key]
        browser.log_in(person.email, lands_on=home, role_label=role_label)
        browser.wait_for_text_to_equal("#navbar-user", person.full_name)
        browser.wait_for_contains_text(selector, text)
        shown = _nav_labels(browser)
        assert [label for label in shown if label in nav] == nav, f"{key} sees the menu {shown}"
        # Exactly the pages open to this role, and none of another role's.
        assert sorted(shown) == sorted(_menu_for(person.role)), f"{key} sees the menu {shown}"
        if key == "super":
            browser.wait_for_contains_text("#kpi-pending .kpi-value", "0")
        if key == "admin_a":  # the admin's own hospital, not the other one
            assert "Beta Hospital" not in browser.find_element("#hospital-summary").text
        assert browser.count("#forbidden") == 0
        if key == "display":
            # The wall covers the whole screen, menu included: a display logs out at /logout.
            browser.driver.get(base + "/logout")
            browser.click("#logout-confirm")
            browser.wait_for_contains_text("main", "You are logged out.")
            continue
        browser.log_out()
    # The page's own scripts raised nothing (network errors of a machine without internet, such
    # as the browser's geolocation lookup, are not the page's).
    assert [e for e in browser.get_logs() if e.get("source") != "network"] == []


def test_wrong_password_shows_message_and_stays_on_login(web_people, browser):
    base = browser.start()
    browser.submit_login(web_people["citizen"].email, "Not-the-password-1")
    browser.wait_for_text_to_equal("#login-error", users.WRONG_CREDENTIALS)
    assert browser.path_of() == "/login"
    assert browser.count("#navbar-role") == 0
    # Still not in: a dashboard sends the visitor back to the login page.
    browser.driver.get(base + "/citizen")
    browser.wait_for_path("/login")
    browser.wait_for_element("#login-submit")
    assert browser.count("#login-error") == 0


def test_citizen_registers_and_is_in_at_once(web_people, browser):
    base = browser.start()
    _register(browser, base, full_name="Asha Rao", email="asha.rao@example.in",
              role="citizen", phone="+91 98450 12345")
    browser.wait_for_path("/citizen")
    browser.wait_for_text_to_equal("#navbar-role", "· Citizen")
    browser.wait_for_text_to_equal("#navbar-user", "Asha Rao")
    browser.wait_for_text_to_equal("h1", "Hello, Asha Rao")
    assert _nav_labels(browser) == _menu_for("citizen")


def test_hospital_admin_registration_needs_approval(web_people, web_db, browser):
    base = browser.start()
    hospital = web_people["hospital_a"]
    email = "ravi.kumar@example.in"

    _register(browser, base, full_name="Ravi Kumar", email=email, role="hospital_admin",
              hospital=f"#{hospital.id} Alpha Hospital")
    browser.wait_for_contains_text("#registered-pending", "waiting for approval")
    browser.wait_for_contains_text("#registered-pending", email)
    assert browser.count("#navbar-role") == 0

    browser.submit_login(email)
    browser.wait_for_contains_text("#login-error", "waiting for approval")
    assert browser.path_of() == "/login"

    new_id = _user_id(web_db, email)
    browser.log_in(web_people["super"].email, lands_on="/admin", role_label="Super admin")
    browser.wait_for_text_to_equal("#kpi-pending .kpi-value", "1")
    browser.click("#navbar .nav-link[href='/admin/approvals']")
    browser.wait_for_path("/admin/approvals")
    row = browser.wait_for_element(f"#pending-{new_id}")
    browser.wait_for_contains_text(f"#pending-{new_id}", "Ravi Kumar · Hospital admin")
    browser.wait_for_contains_text(f"#pending-{new_id}", "Hospital: Alpha Hospital")
    browser.click(row.find_element(By.XPATH, ".//button[normalize-space()='Approve']"))
    browser.wait_for_text_to_equal("#approvals-message", f"{email} approved: they can log in now.")
    browser.wait_for_no_elements(f"#pending-{new_id}")
    browser.wait_for_text_to_equal("#approvals-empty", "Nobody is waiting for approval.")
    browser.log_out()

    browser.log_in(email, lands_on="/hospital", role_label="Hospital admin")
    browser.wait_for_text_to_equal("#navbar-user", "Ravi Kumar")
    browser.wait_for_text_to_equal("#hospital-summary h1", "Alpha Hospital")
    assert _nav_labels(browser)[0] == "Dashboard"


def test_citizen_cannot_open_admin_page(web_people, web_db, browser):
    # Someone is waiting, so the page would show Approve buttons if it let the citizen in.
    with web_db.factory() as session:
        add_user(session, "health_officer", email="pending.officer@example.in", status="pending")
        session.commit()
    base = browser.start()
    browser.log_in(web_people["citizen"].email, lands_on="/citizen",
            role_label="Citizen")
    browser.driver.get(base + "/admin/approvals")
    browser.wait_for_contains_text("#forbidden", "You do not have access to this page")
    assert browser.path_of() == "/admin/approvals"
    assert _buttons_labelled(browser, "Approve") == 0
    assert browser.count(".pending-user") == 0
    assert "pending.officer@example.in" not in browser.find_element("body").text
    assert "Approvals" not in _nav_labels(browser)



def test_register_shows_hospital_fields_only_for_a_hospital_admin(web_people, browser):
    base = browser.start()
    browser.driver.get(base + "/register")
    fields = browser.driver.find_element(By.CSS_SELECTOR, "#hospital-fields")
    until(lambda: not fields.is_displayed(), 5)  # a citizen, chosen by default
    browser.click("input[name='role'][value='hospital_admin']")
    until(fields.is_displayed, 5)
    browser.click("input[name='role'][value='health_officer']")
    until(lambda: not fields.is_displayed(), 5)
    # The form sent back with its errors keeps the role chosen, and the fields with it.
    browser.click("input[name='role'][value='hospital_admin']")
    browser.click("#register-submit")
    until(lambda: browser.count(".invalid-feedback") > 0, 5)
    until(browser.driver.find_element(By.CSS_SELECTOR, "#hospital-fields").is_displayed, 5)

"""Login, logout, cookies, redirects and throttling, through the HTTP interface."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from auth.routes import safe_next
from db.models import User
from tests.builders import PASSWORD


def test_page_get_redirects_anonymous_to_login_with_next(client):
    response = client.get("/hospital")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/hospital")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/_reload-hash"])
def test_dash_routes_refuse_anonymous(client, path):
    assert client.get(path).status_code == 401


def test_login_lands_on_role_home(auth, web_people):
    assert auth.login("admin.a@example.in").headers["Location"] == "/hospital"


def test_login_follows_a_local_next(client, auth, web_people):
    page = client.get("/login?next=/admin/approvals")
    response = client.post("/login?next=/admin/approvals", data={
        "email": "super@example.in", "password": PASSWORD,
        "csrf_token": auth.csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/approvals"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/hospital", "/hospital"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_next_is_only_ever_a_local_path(target, expected):
    assert safe_next(target) == expected


def test_login_with_external_next_goes_home(client, auth, web_people):
    page = client.get("/login?next=https://evil.example/")
    response = client.post("/login?next=https://evil.example/", data={
        "email": "citizen@example.in", "password": PASSWORD,
        "csrf_token": auth.csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/citizen"


def test_login_form_without_csrf_token_is_refused(client, web_people):
    response = client.post("/login", data={"email": "citizen@example.in", "password": PASSWORD})
    assert response.status_code == 401
    assert client.get("/citizen").status_code == 302  # still anonymous


def test_session_cookie_flags(client, auth, web_people):
    response = auth.login("citizen@example.in", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in session_cookie  # plain HTTP in tests ...
    https = client.get("/citizen", base_url="https://localhost")
    secure = [c for c in https.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert all("Secure" in c for c in secure)  # ... Secure as soon as the request is HTTPS


def test_remember_me_lasts_days_not_a_year(web_app):
    assert web_app.server.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=14)


def test_logout_ends_the_session_even_for_a_copied_cookie(client, auth, web_people):
    auth.login("citizen@example.in")
    stolen = client.get_cookie("session").value
    response = auth.logout()
    assert response.headers["Location"].endswith("/login")
    assert client.get("/citizen").status_code == 302
    # Replaying the cookie copied before logout does not bring the session back.
    client.set_cookie("session", stolen)
    assert client.get("/citizen").status_code == 302


def test_logout_needs_the_form_post(client, auth, web_people):
    auth.login("citizen@example.in")
    assert "Log out?" in client.get("/logout").get_data(as_text=True)
    assert client.post("/logout", data={}).status_code == 200  # no CSRF token: asks again
    assert client.get("/citizen").status_code == 200  # still logged in


def test_pending_account_cannot_log_in(auth, web_people, web_db):
    with web_db.factory() as session:
        user = session.execute(select(User).where(User.email == "officer@example.in")).scalar_one()
        user.status = "pending"
        session.commit()
    response = auth.login("officer@example.in")
    assert response.status_code == 401
    assert "waiting for approval" in response.get_data(as_text=True)


def test_disabled_account_is_logged_out_at_once(client, auth, web_people, web_db):
    auth.login("citizen@example.in")
    assert client.get("/citizen").status_code == 200
    with web_db.factory() as session:
        session.execute(select(User).where(User.email == "citizen@example.in")).scalar_one().status = "disabled"
        session.commit()
    assert client.get("/citizen").status_code == 302
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_login_is_throttled_per_client(web_app, auth, web_people):
    auth.set_login_limit("3 per minute")
    try:
        codes = [auth.login("citizen@example.in", "wrong-password").status_code for _ in range(4)]
    finally:
        auth.set_login_limit("1000 per minute")
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_registration_shows_field_errors_and_stores_nothing(client, auth, web_db):
    page = client.get("/register")
    response = client.post("/register", data={
        "csrf_token": auth.csrf_from(page.get_data(as_text=True)), "full_name": "Weak",
        "email": "weak@example.in", "password": "short", "confirm": "short", "role": "citizen"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    with web_db.factory() as session:
        assert session.execute(select(User).where(User.email == "weak@example.in")).first() is None
    # The form comes back with the focus on its first field in error (the page scrolls to it) and
    # only there.
    focused = re.findall(r'<input[^>]*\bautofocus\b[^>]*>', response.get_data(as_text=True))
    assert len(focused) == 1 and 'id="password"' in focused[0] and 'aria-invalid="true"' in focused[0]


def test_a_login_sent_back_with_an_empty_password_focuses_the_password(client, auth, web_people):
    page = client.get("/login").get_data(as_text=True)
    assert re.findall(r'<input[^>]*\bautofocus\b[^>]*>', page)[0].count('id="email"') == 1
    response = client.post("/login", data={"csrf_token": auth.csrf_from(page), "email": "citizen@example.in",
                                           "password": ""})
    focused = re.findall(r'<input[^>]*\bautofocus\b[^>]*>', response.get_data(as_text=True))
    assert len(focused) == 1 and 'id="password"' in focused[0]


def test_registering_for_a_hospital_grants_nothing(client, auth, web_people, web_db):
    hospital = web_people["hospital_a"]
    page = client.get("/register")
    response = client.post("/register", data={
        "csrf_token": auth.csrf_from(page.get_data(as_text=True)), "full_name": "Taker",
        "email": "taker@example.in", "password": "Strong-pass-77", "confirm": "Strong-pass-77",
        "role": "hospital_admin", "hospital": f"#{hospital.id} {hospital.name}"})
    assert response.status_code == 200
    assert "waiting for approval" in response.get_data(as_text=True)
    assert client.get("/hospital").status_code == 302  # not logged in
    assert auth.login("taker@example.in", "Strong-pass-77").status_code == 401

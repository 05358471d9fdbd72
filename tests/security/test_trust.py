"""What an outside security review found (issue 15), each proved through the HTTP interface as an
attacker, a careless operator or a partner system would meet it."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from auth.context import EXTENSION_KEY
from config import Config
from db.models import AuditEntry, User
from tests.builders import PASSWORD, add_user

ROOT = Path(__file__).resolve().parents[2]


def _state(web_app) -> dict:
    return web_app.server.extensions[EXTENSION_KEY]


@pytest.fixture
def config_change(web_app):
    """Change the running app's configuration for one test."""
    state = _state(web_app)
    before = state["config"]

    def change(**values):
        state["config"] = replace(state["config"], **values)

    yield change
    state["config"] = before


# ---- accounts and sessions -------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(auth, client, web_people, web_db):
    for _ in range(5):
        assert auth.login("citizen@example.in", "wrong-password").status_code == 401
    response = auth.login("citizen@example.in", PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 401, "the right password must not open a locked account"
    assert re.search(r"locked until \d\d:\d\d", page)
    assert client.get("/citizen").status_code == 302  # not logged in
    with web_db.factory() as session:
        user = session.execute(select(User).where(User.email == "citizen@example.in")).scalar_one()
        assert user.locked_until is not None
        locks = session.execute(select(AuditEntry).where(AuditEntry.action == "user.locked")).scalars().all()
        assert len(locks) == 1  # audited once, however often the locked account is tried


def test_demo_accounts_cannot_log_in_where_demo_data_is_off(auth, client, web_db):
    with web_db.factory() as session:
        add_user(session, "super_admin", email="superadmin@demo.healthfirst.in")
        session.commit()
    response = auth.login("superadmin@demo.healthfirst.in")
    assert response.status_code == 401
    assert "Demo accounts are switched off" in response.get_data(as_text=True)


def test_demo_data_is_off_unless_asked_for(monkeypatch, tmp_path):
    monkeypatch.delenv("HEALTHFIRST_DEMO_DATA", raising=False)
    monkeypatch.setenv("HEALTHFIRST_INSTANCE_DIR", str(tmp_path))
    assert Config.from_env().demo_data is False
    assert 'HEALTHFIRST_DEMO_DATA="${HEALTHFIRST_DEMO_DATA:-1}"' in (ROOT / "scripts" / "run.sh").read_text()


def _wrong_login_via(auth, client, forwarded_for: str) -> int:
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", headers={"X-Forwarded-For": forwarded_for}, data={
        "email": "officer@example.in", "password": "wrong-password", "csrf_token": auth.csrf_from(page)}).status_code


def test_login_throttling_counts_per_client_behind_trusted_proxies(auth, web_app, client, web_people, config_change):
    auth.set_login_limit("3 per minute")
    config_change(trusted_proxy_hops=1)

    def attempt(client_address):
        # The load balancer appends the address it saw; anything before it is the client's own claim.
        return _wrong_login_via(auth, client, f"6.6.6.6, {client_address}")

    try:
        assert [attempt("203.0.113.7") for _ in range(4)] == [401, 401, 401, 429]
        assert attempt("198.51.100.9") == 401  # another client behind the same balancer
    finally:
        auth.set_login_limit("1000 per minute")


def test_forwarded_addresses_are_ignored_without_trusted_proxies(auth, web_app, client, web_people):
    auth.set_login_limit("3 per minute")
    try:
        codes = [_wrong_login_via(auth, client, f"10.0.0.{i}") for i in range(4)]
    finally:
        auth.set_login_limit("1000 per minute")
    assert codes[3] == 429  # a forged header does not buy a fresh bucket


# ---- requests and headers --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/citizen", "/cap/alerts.xml"])
def test_every_response_carries_the_security_headers(auth, client, web_people, path):
    auth.login("citizen@example.in")
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_dash_pages_inline_script_is_allowed_by_its_hash(auth, client, web_people):
    auth.login("citizen@example.in")
    csp = client.get("/citizen").headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+", csp)


def test_only_the_wall_display_may_be_framed_and_only_where_configured(auth, client, web_people, config_change):
    config_change(display_frame_ancestors="https://kiosk.example.org")
    auth.login("display@example.in")
    wall = client.get("/display")
    assert "frame-ancestors https://kiosk.example.org" in wall.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in wall.headers
    assert client.get("/login").headers["X-Frame-Options"] == "DENY"
    for look_alike in ("/displayXYZ", "/display-admin", "/kiosk/crew/some-token"):
        answer = client.get(look_alike)
        assert answer.headers["X-Frame-Options"] == "DENY", look_alike
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], look_alike


def test_hsts_over_https_only(client, web_people, config_change):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "max-age=" in client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]


def _queue_body(web_app) -> tuple[str, dict]:
    key = next(k for k, spec in web_app.callback_map.items() if "callback" in spec
               and any(i["id"] == "queue-live" for i in spec["inputs"]))
    return key, web_app.callback_map[key]


@pytest.mark.parametrize("mangle,reason", [
    (lambda body: {**body, "output": "..no-such-thing.children.."}, "no such callback output"),
    (lambda body: {k: v for k, v in body.items() if k != "inputs"}, "'inputs' must list"),
    (lambda body: {**body, "inputs": body["inputs"][:-1]}, "'inputs' must list"),
    (lambda body: {**body, "inputs": [{"id": "x", "property": "n_intervals", "value": 1}]
                   + body["inputs"][1:]}, "expected property 'data'"),
    (lambda body: ["not", "an", "object"], "JSON object"),
])
def test_malformed_callback_bodies_are_bad_requests_not_server_errors(auth, web_app, client, web_people, caplog,
                                                                       mangle, reason):
    from tests.security.callbacks import body_for

    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    key, spec = _queue_body(web_app)
    body = body_for(key, spec)
    with caplog.at_level(logging.WARNING):
        response = client.post("/_dash-update-component", json=mangle(body), headers=headers)
    assert response.status_code == 400
    assert reason in response.get_json()["reason"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_timer_count_that_is_not_a_whole_number_is_a_bad_request(auth, web_app, client, web_people, caplog):
    from tests.security.callbacks import body_for

    auth.login("admin.a@example.in")
    key = next(k for k, spec in web_app.callback_map.items() if "callback" in spec
               and any(i["id"] == "hospital-capacity-blood-refresh" for i in spec["inputs"]))
    body = body_for(key, web_app.callback_map[key])
    body["inputs"] = [{**dep, "value": "many"} if dep["property"] == "n_intervals" else dep for dep in body["inputs"]]
    with caplog.at_level(logging.WARNING):
        response = client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 400
    assert "whole number" in response.get_json()["reason"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---- outages ---------------------------------------------------------------------------------


def test_an_action_during_an_outage_answers_not_saved_at_once(auth, web_app, client, web_people, caplog, request):
    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    from tests.security.callbacks import body_for

    key, spec = _queue_body(web_app)
    request.getfixturevalue("database_cut")
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        response = client.post("/_dash-update-component", json=body_for(key, spec), headers=headers)
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.get_json()["message"].startswith("Not saved")
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "database unreachable" in lines[0].getMessage()


def test_a_page_during_an_outage_says_so_and_retries(auth, client, web_people, request):
    auth.login("citizen@example.in")
    request.getfixturevalue("database_cut")
    response = client.get("/citizen")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page and 'http-equiv="refresh"' in page


# ---- absolute URLs ---------------------------------------------------------------------------


def _publish_alert(web_db, web_people):
    from datetime import timedelta

    from db import alerts
    from db.clock import utcnow

    with web_db.factory() as session:
        officer = session.get(User, web_people["officer"].id)
        alerts.publish(session, actor=officer, now=utcnow(), data=alerts.AlertInput(
            headline="Heatwave warning", event="Heatwave", severity="Severe", area_desc="Bengaluru",
            expires=utcnow() + timedelta(hours=6)))
        session.commit()


def test_the_cap_feed_never_takes_its_links_from_the_host_header(client, web_db, web_people, config_change):
    config_change(public_base_url="https://alerts.healthfirst.example")
    _publish_alert(web_db, web_people)
    feed = client.get("/cap/alerts.xml", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in feed
    assert "<id>https://alerts.healthfirst.example/cap/alerts.xml</id>" in feed
    identifier = re.search(r"/cap/alerts/([^\"<]+)\.xml", feed).group(1)
    one = client.get(f"/cap/alerts/{identifier}.xml", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in one and "https://alerts.healthfirst.example/alerts" in one


def test_kiosk_links_are_built_from_the_public_address(web_app, client, auth, web_people, config_change):
    config_change(public_base_url="https://healthfirst.example")
    auth.login("officer@example.in")
    key = next(k for k in web_app.callback_map if "kiosk-message.children" in k
               and any(i["id"] == "kiosk-issue" for i in web_app.callback_map[k]["inputs"]))
    body = {"output": key, "outputs": [{"id": "kiosk-message", "property": "children"},
                                       {"id": "kiosk-changed", "property": "data"}],
            "inputs": [{"id": "kiosk-issue", "property": "n_clicks", "value": 1}],
            "state": [{"id": "kiosk-label", "property": "value", "value": "Control room 2"},
                      {"id": "kiosk-changed", "property": "data", "value": None}],
            "changedPropIds": ["kiosk-issue.n_clicks"]}
    # The request itself comes to http://localhost/: the link must not.
    response = client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    text = json.dumps(response.get_json())  # the answer escapes "/" as "\\u002f"; read it decoded
    assert response.status_code == 200, text
    assert "https://healthfirst.example/kiosk/" in text and "localhost" not in text


def test_a_form_post_during_an_outage_gets_a_page_not_json(client, web_people, request):
    page = client.get("/login").get_data(as_text=True)
    request.getfixturevalue("database_cut")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": "citizen@example.in", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "cannot reach its database" in response.get_data(as_text=True)

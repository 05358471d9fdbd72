"""Crew links over HTTP: a crew sees and acts for its own unit only, its phone's positions are
checked (and can never be posted for another unit), a revoked link stops at its next request."""

from __future__ import annotations

from sqlalchemy import select

from db.clock import utcnow
from db.models import Ambulance, User
from db.vocabulary import sos_number
from tests.builders import two_crew_jobs
from tests.security.callbacks import body_for, crew_sign_in, server_callbacks


def _refresh_job(web_app, client, headers) -> str:
    key, spec = next((k, v) for k, v in server_callbacks(web_app, client).items()
                     if v["callback"].__name__ == "refresh_job")
    response = client.post("/_dash-update-component", json=body_for(key, spec), headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_crew_sees_only_its_own_units_job(web_app, web_db, web_people, client):
    jobs = two_crew_jobs(web_db, web_people)
    headers = crew_sign_in(client, jobs["AMB-1"]["token"])
    shown = _refresh_job(web_app, client, headers)
    assert sos_number(jobs["AMB-1"]["sos"]) in shown and "Asha" in shown
    assert sos_number(jobs["AMB-2"]["sos"]) not in shown and "Ravi" not in shown and "AMB-2" not in shown
    response = client.post("/crew/position", json={"lat": 1, "lon": 1}, headers={})
    assert response.status_code == 403 and "CSRF" in response.get_json()["error"]


def test_positions_go_to_the_crews_own_unit_only(web_app, web_db, web_people, client):
    jobs = two_crew_jobs(web_db, web_people)
    headers = crew_sign_in(client, jobs["AMB-1"]["token"])
    forged = {"lat": 12.95, "lon": 77.60, "accuracy": 10, "unit": jobs["AMB-2"]["unit"],
              "ambulance_id": jobs["AMB-2"]["unit"]}
    response = client.post("/crew/position", json=forged, headers=headers)
    assert response.status_code == 202 and response.get_json()["stored"] is True
    with web_db.factory() as session:
        own, other = (session.get(Ambulance, jobs[c]["unit"]) for c in ("AMB-1", "AMB-2"))
        assert (own.latitude, own.longitude) == (12.95, 77.60)
        assert other.latitude is None
    for bad, words in (({"lat": 95, "lon": 77.6}, "latitude"), ({"lat": 12.9, "lon": 77.6, "accuracy": 9000}, "5 km"),
                       ({"lat": "x", "lon": 77.6}, "numbers"), ({"lat": 12.9, "lon": 77.6, "at_ms": 4e12}, "future")):
        response = client.post("/crew/position", json=bad, headers=headers)
        assert response.status_code == 422 and words in response.get_json()["error"], bad
    assert client.post("/crew/position", data="not json", headers=headers).status_code == 400


def test_only_a_crew_posts_positions(web_app, web_db, web_people, client, auth):
    jobs = two_crew_jobs(web_db, web_people)
    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    response = client.post("/crew/position", json={"lat": 12.9, "lon": 77.6}, headers=headers)
    assert response.status_code == 403
    with web_db.factory() as session:
        assert session.get(Ambulance, jobs["AMB-1"]["unit"]).latitude is None


def test_a_revoked_crew_link_stops_at_its_next_request(web_app, web_db, web_people, client):
    from db import crew

    jobs = two_crew_jobs(web_db, web_people)
    headers = crew_sign_in(client, jobs["AMB-1"]["token"])
    assert client.get("/crew").status_code == 200
    with web_db.factory() as session:
        link = session.execute(select(crew.CrewLink).where(crew.CrewLink.crew_user_id == jobs["AMB-1"]["crew"])).scalar_one()
        crew.revoke(session, actor=session.get(User, web_people["admin_a"].id), link_id=link.id, now=utcnow())
        session.commit()
    response = client.get("/crew")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/crew/position", json={"lat": 12.9, "lon": 77.6}, headers=headers).status_code == 401
    # The link itself opens nothing any more.
    assert client.get(f"/kiosk/crew/{jobs['AMB-1']['token']}").status_code == 404
    # A crew account never logs in with a password.
    with web_db.factory() as session:
        email = session.get(User, jobs["AMB-1"]["crew"]).email
    page = client.get("/login").get_data(as_text=True)
    from tests.conftest import Auth
    token = Auth.csrf_from(page)
    assert client.post("/login", data={"email": email, "password": "!crew-link-only", "csrf_token": token}).status_code == 401


# ---- the common case answered before Flask (web/crew.py, PositionPath) --------------------------

POSITION = {"lat": 12.95, "lon": 77.60, "accuracy": 10, "speed": 4.5}


def _answer(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("Content-Length", "Set-Cookie")}
    return response.status_code, response.get_data(), headers


def test_a_post_is_answered_as_the_route_answers_it(web_app, web_db, web_people, client, monkeypatch):
    """The same status, body and headers (security headers, no caching) whether the post took the
    lean path or Flask's route."""
    from web.crew import PositionPath

    jobs = two_crew_jobs(web_db, web_people)
    headers = crew_sign_in(client, jobs["AMB-1"]["token"])
    lean_stored = client.post("/crew/position", json={**POSITION, "at_ms": 1_790_000_000_000}, headers=headers)
    lean_older = client.post("/crew/position", json={**POSITION, "at_ms": 1_790_000_000_000}, headers=headers)
    monkeypatch.setattr(PositionPath, "_post_of", lambda self, environ, body: None)  # everything to Flask
    route_stored = client.post("/crew/position", json={**POSITION, "at_ms": 1_790_000_001_000}, headers=headers)
    route_older = client.post("/crew/position", json={**POSITION, "at_ms": 1_790_000_001_000}, headers=headers)
    assert lean_stored.status_code == 202 and lean_stored.get_json() == {"stored": True, "reason": ""}
    assert lean_older.status_code == 200 and "older" in lean_older.get_json()["reason"]
    assert _answer(lean_stored) == _answer(route_stored)
    assert _answer(lean_older) == _answer(route_older)
    assert lean_stored.headers["X-Frame-Options"] == "DENY" and lean_stored.headers["Cache-Control"] == "no-store"


def test_a_retired_units_phone_is_told_so(web_app, web_db, web_people, client):
    jobs = two_crew_jobs(web_db, web_people)
    headers = crew_sign_in(client, jobs["AMB-2"]["token"])
    with web_db.factory() as session:
        session.get(Ambulance, jobs["AMB-2"]["unit"]).retired_at = utcnow()
        session.commit()
    response = client.post("/crew/position", json=POSITION, headers=headers)
    assert response.status_code == 403 and "no longer belongs to a unit in service" in response.get_json()["error"]
    with web_db.factory() as session:
        assert session.get(Ambulance, jobs["AMB-2"]["unit"]).latitude is None


def test_a_phone_on_another_network_still_posts(web_app, web_db, web_people, client):
    """Flask-Login's session protection ("basic") marks a session seen from another address or browser
    as not fresh, and lets it go on: the post is stored."""
    jobs = two_crew_jobs(web_db, web_people)
    headers = crew_sign_in(client, jobs["AMB-1"]["token"])
    moved = client.post("/crew/position", json=POSITION, headers={**headers, "User-Agent": "Another browser"},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert moved.status_code == 202
    again = client.post("/crew/position", json={**POSITION, "lat": 12.951}, headers={**headers, "User-Agent": "Another browser"},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert again.status_code == 202
    with web_db.factory() as session:
        assert session.get(Ambulance, jobs["AMB-1"]["unit"]).latitude == 12.951


def test_during_an_outage_every_phone_is_told_not_saved(web_app, web_db, web_people, request):
    """The posts waiting together for a database that cannot be reached: every one answered 503
    "Not saved", none stored."""
    import threading

    jobs = two_crew_jobs(web_db, web_people)
    phones = []
    for call_sign in ("AMB-1", "AMB-2"):
        for _ in range(3):
            phone = web_app.server.test_client()
            phones.append((phone, crew_sign_in(phone, jobs[call_sign]["token"])))
    request.getfixturevalue("database_cut")
    answers = []

    def post(phone, headers):
        response = phone.post("/crew/position", json=POSITION, headers=headers)
        answers.append((response.status_code, response.get_json().get("message", "")))

    threads = [threading.Thread(target=post, args=phone) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 6 and all(status == 503 and said.startswith("Not saved") for status, said in answers), answers
    with web_db.factory() as session:
        assert [session.get(Ambulance, jobs[c]["unit"]).latitude for c in ("AMB-1", "AMB-2")] == [None, None]


def test_the_lean_path_reads_the_session_identity_as_flask_login_does(web_app):
    from flask_login.utils import _create_identifier

    from web.sessions import login_identifier

    for environ in ({"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "Phone/1.0"},
                    {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"},
                    {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "Mozilla/5.0 (ünï)".encode().decode("latin-1")}):
        with web_app.server.test_request_context("/crew/position", method="POST", environ_base=environ):
            from flask import request as flask_request

            assert login_identifier(flask_request.environ) == _create_identifier(), environ

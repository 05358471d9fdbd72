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

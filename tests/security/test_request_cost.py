"""The hot requests do their checks once and cheaply, and still do every check: the signed-in
person is read from the database once per request (not again by the callback), and a change to
that person (disabled, logged out everywhere) is refused at their very next request."""

import json

import pytest

from components.capacity import ID as CardID
from db import users
from db.models import Hospital, User
from tests.builders import give_beds


def _own_beds_refresh(auth, web_app, headers):
    key = next(k for k in web_app.callback_map if "hospital-capacity-beds-updated.children" in k)
    spec = web_app.callback_map[key]
    lines = [{"id": CardID.now(code), "property": "children"} for code in ("ICU", "GENERAL")]
    body = {"output": key, "outputs": [lines, {"id": "hospital-capacity-beds-updated", "property": "children"}],
            "inputs": [{"id": d["id"], "property": d["property"], "value": 3} for d in spec["inputs"]],
            "state": [], "changedPropIds": ["hospital-capacity-beds-live.data"]}
    return auth.client.post("/_dash-update-component", json=body, headers=headers)


def _text(answer) -> str:
    """The words an answer shows, in order (Dash components' children, joined)."""
    if isinstance(answer, dict):
        return "".join(_text(v) for k, v in answer.items() if k in ("children", "props", "response")
                       or not isinstance(v, str))
    if isinstance(answer, list):
        return "".join(_text(v) for v in answer)
    return answer if isinstance(answer, str) else str(answer) if isinstance(answer, int) else ""


def test_a_callback_reads_the_signed_in_person_once(auth, web_app, web_people, web_db, statements, monkeypatch):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        session.commit()
    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    assert headers["X-CSRFToken"]
    # The login check reads the row on the driver's cursor (db/prepared.py `DriverSelect`), which
    # SQLAlchemy's statement events do not see: counted here, and nothing else may read users.
    login_reads = []
    read = users._SESSION_ROW.first
    monkeypatch.setattr(users._SESSION_ROW, "first", lambda *a, **k: login_reads.append(1) or read(*a, **k))
    statements.clear()
    response = _own_beds_refresh(auth, web_app, headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "free of" in json.dumps(response.get_json())
    assert len(login_reads) == 1
    reads = [s for s in statements if "FROM users" in s]
    assert reads == [], reads


@pytest.mark.parametrize("change", ["disabled", "logged_out_everywhere"])
def test_a_changed_person_is_refused_at_their_next_request(auth, web_app, web_people, web_db, change):
    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    assert _own_beds_refresh(auth, web_app, headers).status_code == 200
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        if change == "disabled":
            admin.status = "disabled"
        else:
            users.end_all_sessions(session, admin)
        session.commit()
    assert _own_beds_refresh(auth, web_app, headers).status_code == 401


def test_a_crew_post_checks_its_link_once_and_a_revoked_link_stops_at_the_next_post(
        web_app, web_db, web_people, client, statements):
    from sqlalchemy import select

    from db import crew
    from db.clock import utcnow
    from tests.builders import two_crew_jobs
    from tests.security.callbacks import crew_sign_in

    jobs = two_crew_jobs(web_db, web_people)
    crew_sign_in(client, jobs["AMB-1"]["token"])
    headers = {"X-CSRFToken": client.get_cookie("_csrf_token").value}
    statements.clear()
    posted = client.post("/crew/position", json={"lat": 12.97, "lon": 77.64, "accuracy": 10}, headers=headers)
    assert posted.status_code == 202, posted.get_data(as_text=True)
    assert len([s for s in statements if "FROM crew_links JOIN users" in s]) == 1, statements
    assert not [s for s in statements if s.lstrip().startswith("SELECT users.")], statements
    with web_db.factory() as session:
        link = session.execute(select(crew.CrewLink).where(crew.CrewLink.crew_user_id == jobs["AMB-1"]["crew"])).scalar_one()
        crew.revoke(session, actor=session.get(User, web_people["admin_a"].id), link_id=link.id, now=utcnow())
        session.commit()
    again = client.post("/crew/position", json={"lat": 12.971, "lon": 77.64, "accuracy": 10}, headers=headers)
    assert again.status_code == 401


def test_the_own_beds_refresh_answers_from_memory_until_any_beds_change(auth, web_app, web_people, web_db,
                                                                        statements):
    from db import capacity
    from tests.builders import T0

    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id), general=20)
        give_beds(session, session.get(Hospital, web_people["hospital_b"].id), general=7)
        session.commit()
    capacity._VERSION_MEMO.clear()
    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    first = _text(_own_beds_refresh(auth, web_app, headers).get_json())
    assert "20 free of 20" in first
    statements.clear()
    again = _text(_own_beds_refresh(auth, web_app, headers).get_json())
    assert "20 free of 20" in again
    assert not [s for s in statements if "hospital_beds" in s], statements  # no query for the figures

    with web_db.factory() as session:
        capacity.step_available(session, actor=session.get(User, web_people["admin_a"].id),
                                hospital_id=web_people["hospital_a"].id, bed_code="GENERAL", delta=-1, now=T0)
        session.commit()
    capacity._VERSION_MEMO.clear()  # as a second later
    assert "19 free of 20" in _text(_own_beds_refresh(auth, web_app, headers).get_json())

    auth.logout()
    auth.login("admin.b@example.in")  # another hospital's admin sees their own figures, never A's
    other = _text(_own_beds_refresh(auth, web_app, auth.dash_headers()).get_json())
    assert "7 free of 7" in other and "free of 20" not in other

"""The hospitals' Accept answered before Flask (web/queue_answer.py `AcceptPath`, db/sos.py
`accept_as`), on PostgreSQL: the same status, body and headers as the route, exactly one winner
in a race, and everything it is not sure of left to the route."""

import threading

import pytest
from sqlalchemy import select

from auth.context import EXTENSION_KEY
from components.dispatch import ANSWER_URL
from db import matching
from db import sos as sos_ops
from db.models import Hospital, Sos, SosEvent, SosOffer, User
from db.vocabulary import sos_number
from tests.builders import CENTRE, T0, add_hospital, add_user, give_beds, one_of_each


@pytest.fixture
def pg_web(web_app, web_db, pg_db):
    """The web app on PostgreSQL for the test, with one account per role."""
    state = web_app.server.extensions[EXTENSION_KEY]
    saved = state["engine"], state["session_factory"]
    state["engine"], state["session_factory"] = pg_db.engine, pg_db.factory
    with pg_db.factory() as session:
        people = one_of_each(session)
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(Hospital, people[key].id))
        session.commit()
    yield pg_db, people
    state["engine"], state["session_factory"] = saved


def _sos(pg_db, people) -> int:
    with pg_db.factory() as session:
        sos, _ = sos_ops.create_sos(session, actor=session.get(User, people["citizen"].id),
                                    latitude=12.9784, longitude=77.6410, now=T0)
        matching.match_due(session, now=T0, rings=(10.0,))
        session.commit()
        return sos.id


def _answer(response) -> tuple:
    return response.status_code, response.get_data(), dict(response.headers)


def _to_flask(monkeypatch):
    from web.queue_answer import AcceptPath

    monkeypatch.setattr(AcceptPath, "_accepted", lambda self, environ: None)


def _lean_calls(monkeypatch) -> list:
    from web.queue_answer import AcceptPath

    calls, original = [], AcceptPath._accepted

    def counted(self, environ):
        answered = original(self, environ)
        calls.append(answered)
        return answered

    monkeypatch.setattr(AcceptPath, "_accepted", counted)
    return calls


def test_a_win_and_a_loss_are_answered_as_the_route_answers_them(pg_web, auth_for, web_app, monkeypatch):
    pg_db, people = pg_web
    first, second = _sos(pg_db, people), _sos(pg_db, people)
    a, b = auth_for(web_app.server.test_client()), auth_for(web_app.server.test_client())
    a.login("admin.a@example.in")
    b.login("admin.b@example.in")
    a_headers, b_headers = a.dash_headers(), b.dash_headers()
    calls = _lean_calls(monkeypatch)
    lean_win = a.client.post(ANSWER_URL, json={"kind": "accept", "sos": first}, headers=a_headers)
    lean_loss = b.client.post(ANSWER_URL, json={"kind": "accept", "sos": first}, headers=b_headers)
    assert [bool(call) for call in calls] == [True, True]
    _to_flask(monkeypatch)
    route_win = a.client.post(ANSWER_URL, json={"kind": "accept", "sos": second}, headers=a_headers)
    route_loss = b.client.post(ANSWER_URL, json={"kind": "accept", "sos": second}, headers=b_headers)
    assert lean_win.get_json() == {"message": f"{sos_number(first)} is yours. Send an ambulance now.",
                                   "color": "success"}
    assert lean_loss.get_json() == {"message": "Already accepted by Alpha Hospital.", "color": "danger"}
    win, loss = _answer(lean_win), _answer(lean_loss)
    assert win[0] == 200 and win[1].replace(sos_number(first).encode(), b"") == \
        route_win.get_data().replace(sos_number(second).encode(), b"")
    assert win[2] == _answer(route_win)[2] and loss == _answer(route_loss)
    assert lean_win.headers["X-Frame-Options"] == "DENY"
    with pg_db.factory() as session:
        for sos_id in (first, second):
            assert session.get(Sos, sos_id).hospital_id == people["hospital_a"].id
            offers = dict(session.execute(select(SosOffer.hospital_id, SosOffer.status)
                                          .where(SosOffer.sos_id == sos_id)).all())
            assert offers == {people["hospital_a"].id: "accepted", people["hospital_b"].id: "withdrawn"}
            event = session.execute(select(SosEvent).where(SosEvent.sos_id == sos_id,
                                                           SosEvent.kind == "accepted")).scalar_one()
            assert (event.actor_id, event.hospital_id) == (people["admin_a"].id, people["hospital_a"].id)


def _disable(pg_db, people):
    with pg_db.factory() as session:
        session.get(User, people["admin_a"].id).status = "disabled"
        session.commit()


CASES = {
    "forged cookie": lambda client, headers, body, pg_db, people: (
        client.set_cookie("session", client.get_cookie("session").value[:-2] + "xx"), headers, body),
    "wrong CSRF": lambda client, headers, body, pg_db, people: (None, {"X-CSRFToken": "not-it"}, body),
    "disabled account": lambda client, headers, body, pg_db, people: (_disable(pg_db, people), headers, body),
    "decline": lambda client, headers, body, pg_db, people: (None, headers, {**body, "kind": "decline"}),
    "bad body": lambda client, headers, body, pg_db, people: (None, headers, {**body, "sos": True}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_the_lean_path_is_not_sure_of_gets_the_routes_answer(pg_web, auth_for, web_app, monkeypatch, case):
    pg_db, people = pg_web
    answers = []
    for lean in (True, False):
        sos_id = _sos(pg_db, people)
        with pg_db.factory() as session:
            session.get(User, people["admin_a"].id).status = "active"
            session.commit()
        person = auth_for(web_app.server.test_client())
        person.login("admin.a@example.in")
        _, headers, body = CASES[case](person.client, person.dash_headers(), {"kind": "accept", "sos": sos_id},
                                       pg_db, people)
        if not lean:
            _to_flask(monkeypatch)
        response = person.client.post(ANSWER_URL, json=body, headers=headers)
        answers.append((response.status_code, response.get_data().replace(sos_number(sos_id).encode(), b""),
                        {k: v for k, v in response.headers.items() if k != "Content-Length"}))
    assert answers[0] == answers[1]
    assert answers[0][0] != 200 or case == "decline"


def test_a_citizen_gets_the_routes_refusal(pg_web, auth_for, web_app):
    pg_db, people = pg_web
    sos_id = _sos(pg_db, people)
    citizen = auth_for(web_app.server.test_client())
    citizen.login(people["citizen"].email)
    response = citizen.client.post(ANSWER_URL, json={"kind": "accept", "sos": sos_id}, headers=citizen.dash_headers())
    assert response.status_code == 403
    with pg_db.factory() as session:
        assert session.get(Sos, sos_id).status == "pending"


def test_without_its_login_check_a_disabled_admin_would_accept(pg_web, auth_for, web_app, monkeypatch):
    """The login rule is part of the statement: with it left out (every login standing), a
    disabled account's press would win."""
    pg_db, people = pg_web
    sos_id = _sos(pg_db, people)
    person = auth_for(web_app.server.test_client())
    person.login("admin.a@example.in")
    headers = person.dash_headers()
    _disable(pg_db, people)
    monkeypatch.setattr(sos_ops, "_ACCEPT_AS_SQL", sos_ops._ACCEPT_AS_SQL.replace(
        "AND status = 'active'", "AND status IN ('active', 'disabled')"))
    from web.queue_answer import AcceptPath

    path = AcceptPath(web_app.server, web_app.server.wsgi_app)
    path._kept.clear()
    engine = pg_db.engine
    raw = engine.raw_connection()
    raw.dbapi_connection.autocommit = True
    try:
        token = people["admin_a"].session_token
        found = sos_ops.accept_as(raw, user_id=people["admin_a"].id, token=token, sos_id=sos_id, now=T0,
                                  demo_accounts=False, driver_error=engine.dialect.loaded_dbapi.Error)
    finally:
        raw.invalidate()  # its prepared statement is the altered one
    assert found == (people["hospital_a"].id, None)
    # …while the real statement leaves it to the route, which refuses it (401: signed out).
    monkeypatch.undo()
    response = person.client.post(ANSWER_URL, json={"kind": "accept", "sos": _sos(pg_db, people)}, headers=headers)
    assert response.status_code == 401


def test_sixteen_hospitals_pressing_at_once_one_wins_the_others_are_told_who(pg_web, web_app, auth_for):
    pg_db, _people = pg_web
    with pg_db.factory() as session:
        admins = []
        for index in range(16):
            hospital = add_hospital(session, f"Racer {index}", lat=CENTRE[0], lon=CENTRE[1] + index / 1000)
            admins.append((add_user(session, "hospital_admin", hospital=hospital), hospital.name))
        citizen = add_user(session)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=CENTRE[0], longitude=CENTRE[1], now=T0)
        for admin, _name in admins:
            session.add(SosOffer(sos_id=sos.id, hospital_id=admin.hospital_id, ring=0, distance_km=1.0,
                                 status="offered", offered_at=T0))
        session.commit()
        sos_id, emails = sos.id, [(admin.email, name) for admin, name in admins]
    people = []
    for email, name in emails:
        person = auth_for(web_app.server.test_client())
        person.login(email)
        people.append((person, person.dash_headers(), name))
    barrier, answers = threading.Barrier(16), []

    def press(person, headers, name):
        barrier.wait()
        response = person.client.post(ANSWER_URL, json={"kind": "accept", "sos": sos_id}, headers=headers)
        answers.append((name, response.status_code, response.get_json()["message"]))

    threads = [threading.Thread(target=press, args=one) for one in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [name for name, _status, message in answers if message.endswith("is yours. Send an ambulance now.")]
    assert len(answers) == 16 and all(status == 200 for _n, status, _m in answers) and len(winners) == 1
    assert sorted(message for _n, _s, message in answers if "is yours" not in message) == \
        [f"Already accepted by {winners[0]}."] * 15
    with pg_db.factory() as session:
        assert session.get(Hospital, session.get(Sos, sos_id).hospital_id).name == winners[0]

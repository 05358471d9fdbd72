"""The live views' version poll (`GET /_live/<view>`, web/live.py): what the SOS queue, a
hospital's beds and "find a bed" ask on their timers. It answers a person allowed that view with
a version of what they see, in about 100 bytes; a repeated poll is answered from memory without a
database query; the version moves when what the person sees changes; nobody else gets an answer."""

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from auth.context import EXTENSION_KEY
from db import capacity, matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Hospital, HospitalBeds, User
from tests.builders import add_user, give_beds

QUEUE, OWN_BEDS, BEDS = "/_live/queue", "/_live/own-beds", "/_live/beds"


@pytest.fixture
def live_config(web_app):
    """Change the running app's configuration for one test."""
    state = web_app.server.extensions[EXTENSION_KEY]
    before = state["config"]

    def change(**values):
        state["config"] = replace(state["config"], **values)

    yield change
    state["config"] = before


def _offer_to_alpha(web_db, email):
    with web_db.factory() as session:
        citizen = add_user(session, "citizen", email=email)
        now = utcnow()
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410, now=now)
        matching.match_due(session, now=now, rings=(1.0,))
        session.commit()
        return sos.id


def _with_beds(web_db, web_people):
    with web_db.factory() as session:
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(Hospital, web_people[key].id), now=utcnow())
        session.commit()


def _version(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:200]
    assert len(answer.get_data()) <= 200  # the whole answer: a version and a clock
    body = answer.get_json()
    assert isinstance(body["v"], str) and abs(body["now"] - time.time() * 1000) < 5_000
    return body["v"]


def test_an_unchanged_poll_is_answered_from_memory_and_a_new_sos_moves_the_version(
        auth, client, web_people, web_db, statements):
    _with_beds(web_db, web_people)
    auth.login("admin.a@example.in")
    first = _version(client, QUEUE)
    full = client.get(QUEUE)
    statements.clear()
    again = client.get(QUEUE)
    assert again.get_json()["v"] == first
    assert statements == [], "an unchanged poll within the memory's time needs no query, not even the login check"
    # It answers as the full path does: the same security headers, never cached.
    for header in ("Cache-Control", "X-Content-Type-Options", "Content-Type", "Content-Security-Policy"):
        assert again.headers.get(header) == full.headers.get(header), header

    _offer_to_alpha(web_db, "new.caller@example.in")
    time.sleep(0.3)  # the queue's version is at most 0.25 s old
    assert _version(client, QUEUE) != first


def test_each_hospital_polls_its_own_queue(auth_for, web_app, web_people, web_db):
    _with_beds(web_db, web_people)
    alpha, beta = web_app.server.test_client(), web_app.server.test_client()
    auth_for(alpha).login("admin.a@example.in")
    auth_for(beta).login("admin.b@example.in")
    alpha_before, beta_before = _version(alpha, QUEUE), _version(beta, QUEUE)
    _offer_to_alpha(web_db, "new.caller@example.in")
    time.sleep(0.3)
    assert _version(alpha, QUEUE) != alpha_before
    assert _version(beta, QUEUE) == beta_before  # Beta was not offered it (1 km ring)


def test_own_beds_version_moves_with_the_hospitals_own_figures_only(auth, client, web_people, web_db):
    _with_beds(web_db, web_people)
    auth.login("admin.a@example.in")
    before = _version(client, OWN_BEDS)
    with web_db.factory() as session:  # another hospital's change: not this view's
        beta = session.get(User, web_people["admin_b"].id)
        capacity.step_available(session, actor=beta, hospital_id=web_people["hospital_b"].id, bed_code="ICU",
                                delta=-1, now=utcnow())
        session.commit()
    time.sleep(1.1)
    after_beta = _version(client, OWN_BEDS)
    with web_db.factory() as session:
        alpha = session.get(User, web_people["admin_a"].id)
        capacity.step_available(session, actor=alpha, hospital_id=web_people["hospital_a"].id, bed_code="ICU",
                                delta=-1, now=utcnow())
        session.commit()
    time.sleep(1.1)
    after_alpha = _version(client, OWN_BEDS)
    minute = lambda v: v.rsplit(".", 1)[0]  # noqa: E731 - the figures' part, without the minute
    assert minute(after_beta) == minute(before)
    assert minute(after_alpha) != minute(before)


def test_find_a_bed_version_moves_with_any_hospitals_figures(auth, client, web_people, web_db):
    _with_beds(web_db, web_people)
    auth.login("citizen@example.in")
    before = _version(client, BEDS)
    with web_db.factory() as session:
        session.execute(update(HospitalBeds).where(HospitalBeds.hospital_id == web_people["hospital_b"].id)
                        .values(available=0, version=HospitalBeds.version + 1,
                                updated_at=utcnow() + timedelta(seconds=1)))
        session.commit()
    time.sleep(1.1)
    assert _version(client, BEDS) != before


@pytest.mark.parametrize("email,path,status", [
    (None, QUEUE, 401),
    (None, BEDS, 401),
    ("citizen@example.in", QUEUE, 403),
    ("citizen@example.in", OWN_BEDS, 403),
    ("officer@example.in", QUEUE, 403),
    ("display@example.in", BEDS, 403),
    ("admin.a@example.in", "/_live/no-such-view", 404),
])
def test_nobody_else_gets_a_version(auth, client, web_people, web_db, email, path, status):
    if email:
        auth.login(email)
    answer = client.get(path)
    assert answer.status_code == status
    assert '"v"' not in answer.get_data(as_text=True)


def test_a_forged_session_cookie_is_not_answered_from_memory(auth, client, web_people, web_db):
    _with_beds(web_db, web_people)
    auth.login("admin.a@example.in")
    _version(client, QUEUE)  # the memory now holds a grant for this login
    real = client.get_cookie("session").value
    payload, _, signature = real.rpartition(".")
    client.set_cookie("session", payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:])
    answer = client.get(QUEUE)
    assert answer.status_code == 401 and '"v"' not in answer.get_data(as_text=True)


def _live_path(web_app):
    import web.live as live_module

    middleware = web_app.server.wsgi_app  # the layers in front of Flask, down to the live path's
    while not isinstance(middleware, live_module.LiveMiddleware):
        middleware = next(getattr(middleware, name) for name in ("wsgi_app", "_app", "app") if hasattr(middleware, name))
    return middleware


def test_a_session_cookie_past_its_age_is_not_answered_from_memory(auth, client, web_people, web_db, web_app,
                                                                    monkeypatch):
    """The fast path keeps a session it read once; that must not outlive the session's age."""
    from werkzeug.test import EnvironBuilder

    import web.sessions as sessions_module

    _with_beds(web_db, web_people)
    auth.login("admin.a@example.in")
    _version(client, QUEUE)
    assert client.get(QUEUE).status_code == 200  # answered from memory: the session is now kept
    middleware = _live_path(web_app)
    # The same request the test client sends (its address and browser are in the session's mark).
    environ = EnvironBuilder(path=QUEUE, headers={"Cookie": f"session={client.get_cookie('session').value}"},
                             environ_base=client.environ_base).get_environ()
    assert middleware._fast(QUEUE.rsplit("/", 1)[1], environ) is not None
    later = time.time() + web_app.server.permanent_session_lifetime.total_seconds() + 60

    class Later:  # the wall clock a session lifetime later
        @staticmethod
        def time():
            return later

    monkeypatch.setattr(sessions_module, "time", Later)
    assert middleware._fast(QUEUE.rsplit("/", 1)[1], environ) is None


def test_a_session_cookie_from_another_browser_goes_through_flasks_session_protection(auth, client, web_people,
                                                                                       web_db):
    """A cookie replayed from another address or browser is not answered from memory: Flask-Login's
    session protection sees it (it marks the session not fresh, which a sensitive action checks)."""
    _with_beds(web_db, web_people)
    auth.login("admin.a@example.in")
    _version(client, QUEUE)
    same = client.get(QUEUE)
    assert same.status_code == 200 and "Set-Cookie" not in same.headers  # the owner's poll, from memory
    other = client.get(QUEUE, headers={"User-Agent": "Another browser/1.0"})
    assert other.status_code == 200
    assert "session=" in other.headers.get("Set-Cookie", "")  # Flask marked the session: not the memory's answer


def test_a_disabled_account_stops_getting_answers_within_the_grant(auth, client, web_people, web_db, live_config):
    live_config(live_grant_seconds=0.5)
    _with_beds(web_db, web_people)
    auth.login("admin.a@example.in")
    _version(client, QUEUE)
    with web_db.factory() as session:
        session.execute(update(User).where(User.id == web_people["admin_a"].id).values(status="disabled"))
        session.commit()
    time.sleep(0.6)
    answer = client.get(QUEUE)
    assert answer.status_code == 401 and '"v"' not in answer.get_data(as_text=True)


def test_signed_out_the_poll_is_refused(auth, client, web_people, web_db):
    auth.login("admin.a@example.in")
    _version(client, QUEUE)
    auth.logout()
    answer = client.get(QUEUE)
    assert answer.status_code == 401 and '"v"' not in answer.get_data(as_text=True)


def test_an_outage_answers_503_with_a_reason_once_the_memory_is_old(auth, client, web_people, web_db, request,
                                                                     live_config, caplog):
    live_config(live_grant_seconds=0)  # every poll through the full path
    auth.login("admin.a@example.in")
    _version(client, QUEUE)
    request.getfixturevalue("database_cut")
    answer = client.get(QUEUE)
    assert answer.status_code in (503, 401)  # the login check itself may be the one that cannot reach it
    assert '"v"' not in answer.get_data(as_text=True)

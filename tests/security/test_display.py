"""The wall display: nothing that identifies a patient in any response it receives; kiosk links
open it read-only and stop working the moment they are revoked."""

import json
import re
import time

import pytest
from sqlalchemy import select

from db import kiosk, matching, positions
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import InvalidInput, NotAllowed
from db.models import User
from tests.builders import add_user, give_beds, send_sos, two_crew_jobs

FEED = "/_display/view.json"


def _an_identifiable_sos(web_db, web_people):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        citizen = add_user(session, "citizen", email="zaphod.uniquename@example.in")
        citizen.full_name = "Zaphod Uniquename"
        citizen.phone = "+91 99887 76655"
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9781234, longitude=77.6412345, now=utcnow(),
                                    emergency_type="stroke", note="Flat 4B, key under the blue pot")
        matching.match_due(session, now=utcnow())
        session.commit()
        return sos.id


def _wall_response(client, have=""):
    response = client.get(FEED, query_string={"have": have})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def test_display_responses_carry_nothing_that_identifies_a_patient(client, auth, web_people, web_db):
    sos_id = _an_identifiable_sos(web_db, web_people)
    auth.login("display@example.in")
    text = _wall_response(client)
    assert f"SOS-{sos_id:05d}" in text  # the SOS is shown ...
    for secret in ("Zaphod", "Uniquename", "zaphod.uniquename", "99887", "76655", "Flat 4B", "blue pot",
                   "12.978123", "77.641234"):
        assert secret not in text, secret  # ... but nothing of the person
    assert re.search(r"12\.978\b", text)  # rounded to ~100 m


def test_kiosk_link_opens_the_display_and_revoking_stops_it(client, auth, web_people, web_db):
    _an_identifiable_sos(web_db, web_people)
    with web_db.factory() as session:
        officer = session.execute(select(User).where(User.email == "officer@example.in")).scalar_one()
        token, row = kiosk.issue(session, actor=officer, label="Wall 1", now=utcnow())
        session.commit()
        kiosk_id = row.id
    opened = client.get(f"/kiosk/{token}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/display"
    assert "Zaphod" not in _wall_response(client)
    # The kiosk is a display: other people's pages are refused.
    assert client.get("/citizen").status_code == 403
    assert client.post("/citizen", data={"coordinates": "12.97, 77.59"}).status_code == 403
    assert client.get("/reports/upload").status_code == 403
    with web_db.factory() as session:
        officer = session.execute(select(User).where(User.email == "officer@example.in")).scalar_one()
        kiosk.revoke(session, actor=officer, kiosk_id=kiosk_id, now=utcnow())
        session.commit()
    refused = client.get(FEED)
    assert refused.status_code == 401  # the session ended with the revocation
    assert client.get(f"/kiosk/{token}").status_code == 404


def test_unknown_kiosk_link_opens_nothing(client):
    response = client.get("/kiosk/not-a-real-token")
    assert response.status_code == 404 and "does not work" in response.get_data(as_text=True)
    assert client.get("/display").status_code == 302  # still anonymous


def test_only_officers_and_super_admins_issue_links(session):
    for role in ("citizen", "display"):
        with pytest.raises(NotAllowed):
            kiosk.issue(session, actor=add_user(session, role), label="Wall", now=utcnow())
    with pytest.raises(InvalidInput):
        kiosk.issue(session, actor=add_user(session, "health_officer"), label="  ", now=utcnow())


def test_an_idle_poll_answers_nothing_new_in_a_few_bytes(client, auth, web_people, web_db):
    _an_identifiable_sos(web_db, web_people)
    auth.login("display@example.in")
    first = client.get(FEED)
    parts = first.get_json()["parts"]
    assert set(parts) == {"wall-tiles-left", "wall-tiles-right", "wall-map-sos", "wall-map-units", "wall-map-hospitals"}
    stamp = first.get_json()["stamp"]
    again = client.get(FEED, query_string={"have": stamp["have"]})
    assert again.get_json()["parts"] == {}  # tiles untouched
    assert again.get_json()["stamp"]["have"] == stamp["have"]
    assert len(again.data) < 300 < len(first.data)


@pytest.fixture
def rebuild_every_poll(web_app):
    """The wall's view built again on every poll, not once per `display_cache_seconds`."""
    from dataclasses import replace

    from auth.context import EXTENSION_KEY

    state = web_app.server.extensions[EXTENSION_KEY]
    original = state["config"]
    state["config"] = replace(original, display_cache_seconds=0)
    yield
    state["config"] = original


def test_a_change_sends_only_the_parts_that_show_it(rebuild_every_poll, client, auth, web_people, web_db):
    """An SOS cancelled: its tiles and map marker travel again; beds, blood, alerts, response
    times and the hospital markers do not."""
    sos_id = _an_identifiable_sos(web_db, web_people)
    auth.login("display@example.in")
    have = client.get(FEED).get_json()["stamp"]["have"]
    with web_db.factory() as session:
        citizen = session.execute(select(User).where(User.email == "zaphod.uniquename@example.in")).scalar_one()
        sos_ops.cancel_sos(session, actor=citizen, sos_id=sos_id, now=utcnow())
        session.commit()
    changed = client.get(FEED, query_string={"have": have}).get_json()
    assert set(changed["parts"]) == {"wall-tiles-left", "wall-map-sos"}
    assert f"SOS-{sos_id:05d}" not in json.dumps(changed["parts"])  # no longer open
    assert changed["parts"]["wall-map-sos"] == {"keys": [], "buckets": {}}  # the map drops its marker
    assert changed["stamp"]["have"] != have


def test_a_new_sos_in_a_disaster_sends_its_own_bucket_of_markers_not_every_sos(rebuild_every_poll, client, auth,
                                                                               web_people, web_db):
    """With hundreds of SOS on the map, a new one sends the markers of its few neighbours in number
    and the keys of the others, which the screen keeps."""
    from web.display_feed import SOS_BUCKET

    with web_db.factory() as session:
        first_ids = [send_sos(session, add_user(session)).id for _ in range(2 * SOS_BUCKET + 5)]
        session.commit()
    auth.login("display@example.in")
    first = client.get(FEED).get_json()
    with web_db.factory() as session:
        new_id = send_sos(session, add_user(session)).id
        session.commit()
    second = client.get(FEED, query_string={"have": first["stamp"]["have"]})
    whole = first["parts"]["wall-map-sos"]
    assert sum(len(markers) for markers in whole["buckets"].values()) == len(first_ids)
    layer = second.get_json()["parts"]["wall-map-sos"]
    assert len(layer["keys"]) == len(whole["keys"]) + (str(new_id // SOS_BUCKET) not in whole["keys"])
    assert list(layer["buckets"]) == [str(new_id // SOS_BUCKET)]  # only the new SOS's bucket travels
    assert f"SOS-{new_id:05d}" in json.dumps(layer)
    assert len(layer["buckets"][str(new_id // SOS_BUCKET)]) <= SOS_BUCKET
    assert len(second.data) < len(json.dumps(first["parts"]["wall-map-sos"])) / 2


def test_a_unit_on_the_move_sends_only_its_markers_not_the_sos_or_the_tiles(rebuild_every_poll, client, auth,
                                                                             web_people, web_db):
    """Ambulances on a job report where they are every few seconds: with hundreds of SOS on the map
    in a disaster, each move must not send every SOS marker (nor the tiles) to a thousand walls."""
    made = two_crew_jobs(web_db, web_people)
    auth.login("display@example.in")
    first = client.get(FEED).get_json()
    with web_db.factory() as session:
        crew_account = session.get(User, made["AMB-1"]["crew"])
        assert positions.record_position(session, actor=crew_account, latitude=12.9712, longitude=77.6301,
                                         accuracy_m=10, now=utcnow()).stored
        session.commit()
    moved = client.get(FEED, query_string={"have": first["stamp"]["have"]}).get_json()
    assert set(moved["parts"]) == {"wall-map-units"}
    assert "12.971" in json.dumps(moved["parts"]) and "AMB-1" in json.dumps(moved["parts"])
    assert "SOS-" not in json.dumps(moved["parts"])


def test_only_wall_roles_get_the_feed(client, auth, web_people):
    assert client.get(FEED).status_code == 401  # anonymous: an API answer, not a login page
    for email in ("citizen@example.in", "admin.a@example.in"):
        auth.login(email)
        assert client.get(FEED).status_code == 403, email
        client.post("/logout", data={"csrf_token": ""})
        client.delete_cookie("session")
    for email in ("officer@example.in", "super@example.in", "display@example.in"):
        auth.login(email)
        assert client.get(FEED).status_code == 200, email
        client.delete_cookie("session")


def test_a_revoked_kiosk_stops_within_the_session_cache_time(web_app, client, web_people, web_db):
    """In production a display's session is re-checked at most every 2 s (they poll all day)."""
    import time
    from dataclasses import replace

    from auth.context import EXTENSION_KEY

    state = web_app.server.extensions[EXTENSION_KEY]
    original = state["config"]
    state["config"] = replace(original, display_session_cache_seconds=0.5)
    try:
        with web_db.factory() as session:
            officer = session.execute(select(User).where(User.email == "officer@example.in")).scalar_one()
            token, row = kiosk.issue(session, actor=officer, label="Wall 2", now=utcnow())
            session.commit()
        client.get(f"/kiosk/{token}")
        assert client.get(FEED).status_code == 200
        with web_db.factory() as session:
            officer = session.execute(select(User).where(User.email == "officer@example.in")).scalar_one()
            kiosk.revoke(session, actor=officer, kiosk_id=row.id, now=utcnow())
            session.commit()
        time.sleep(0.6)
        assert client.get(FEED).status_code == 401
    finally:
        state["config"] = original


def test_a_view_the_database_has_not_confirmed_lately_is_not_served_as_current(web_app, client, auth, web_people,
                                                                              monkeypatch):
    """While one thread waits on a database that is gone (holding the view's lock), the others
    answer from the last view only while the database confirmed it lately; past that they answer
    503, so every wall reports the outage instead of showing old data as current."""
    from dataclasses import replace

    from auth.context import EXTENSION_KEY
    from web import display_feed

    state = web_app.server.extensions[EXTENSION_KEY]
    monkeypatch.setitem(state, "config", replace(state["config"], display_cache_seconds=600))
    monkeypatch.setattr(display_feed, "CONFIRMED_WITHIN_S", 0.3)
    auth.login("display@example.in")
    assert client.get(FEED).status_code == 200
    with display_feed._view._lock:  # a thread stuck connecting to the database
        assert client.get(FEED).status_code == 200  # confirmed a moment ago
        time.sleep(0.4)
        late = client.get(FEED)
    assert late.status_code == 503 and late.get_json() == {"error": "database unreachable"}
    assert client.get(FEED).status_code == 200  # the database answers again


def test_a_new_sos_reaches_the_wall_at_the_next_live_check_not_after_the_cache_period(
        web_app, client, auth, web_people, web_db, monkeypatch):
    """The wall's view is kept for `display_cache_seconds`, yet a new SOS is on the next poll once
    the live check (one small query) has seen it; an idle poll builds nothing."""
    from dataclasses import replace

    from auth.context import EXTENSION_KEY
    from web import display_feed

    state = web_app.server.extensions[EXTENSION_KEY]
    monkeypatch.setitem(state, "config", replace(state["config"], display_cache_seconds=600))
    monkeypatch.setattr(display_feed, "LIVE_CHECK_S", 0)  # as a quarter second later
    auth.login("display@example.in")
    have = client.get(FEED).get_json()["stamp"]["have"]
    builds = []
    real_build = display_feed.build_view
    monkeypatch.setattr(display_feed, "build_view", lambda previous: builds.append(1) or real_build(previous))
    idle = client.get(FEED, query_string={"have": have}).get_json()
    assert idle["parts"] == {} and builds == []

    sos_id = _an_identifiable_sos(web_db, web_people)
    changed = client.get(FEED, query_string={"have": have}).get_json()
    assert f"SOS-{sos_id:05d}" in json.dumps(changed["parts"]) and builds == [1]

"""The citizen's SOS and tracking pages as plain HTML forms (issue 18): an SOS sent without
JavaScript, the idempotency key that keeps an SOS sent again from being made twice, bad input
refused with a message and nothing made, who may see and cancel an SOS, the tracking page's
cheap poll, compression and cache lifetimes of everything the SOS page loads, and the page's
accessibility basics."""

from __future__ import annotations

import gzip
import os
import re

import brotli
import pytest
from sqlalchemy import func, select

from db import matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Feedback, Sos, User
from db.vocabulary import sos_number
from tests.builders import add_user, give_beds

BROTLI = {"Accept-Encoding": "gzip, deflate, br, zstd"}
JSON = {"Accept": "application/json"}
IMMUTABLE = "public, max-age=31536000, immutable"
WHERE = "12.96, 77.63"


def _count(web_db) -> int:
    with web_db.factory() as session:
        return session.execute(select(func.count()).select_from(Sos)).scalar_one()


def _form(client, auth, email="citizen@example.in") -> str:
    """Log in and open the SOS page; returns its HTML."""
    auth.login(email)
    page = client.get("/citizen")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _sos(client, auth, *, headers=None, **fields):
    page = client.get("/citizen")
    html = _form(client, auth) if page.status_code != 200 else page.get_data(as_text=True)
    data = {"csrf_token": auth.csrf_from(html), **fields}
    return client.post("/citizen", data=data, headers=headers or {})


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ---- sending ----------------------------------------------------------------------------------


def test_the_form_sends_an_sos_and_opens_its_tracking_page(client, auth, web_people, web_db):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        session.commit()
    sent = _sos(client, auth, coordinates=WHERE, emergency_type="choking", note="Gate 2")
    assert sent.status_code == 303
    with web_db.factory() as session:
        sos = session.execute(select(Sos)).scalar_one()
        assert (sos.latitude, sos.longitude, sos.location_source) == (12.96, 77.63, "typed")
        assert (sos.emergency_type, sos.note, sos.status) == ("choking", "Gate 2", "pending")
    assert sent.headers["Location"] == f"/citizen/sos/{sos.id}"
    page = _text(client.get(sent.headers["Location"]))
    assert f'id="sos-sent-number">{sos_number(sos.id)} sent<' in page
    assert 'id="track-status">Waiting for a hospital<' in page
    assert re.search(r'id="track-waiting">Offered to \d nearby hospitals?\.', page), page  # matched at once
    assert "<strong>5 back blows</strong>" in page  # the first-aid steps for choking, without JavaScript

    again = _sos(client, auth, coordinates=WHERE)  # a second press finds the open one
    assert again.headers["Location"] == f"/citizen/sos/{sos.id}"
    assert f"You already have an open SOS: {sos_number(sos.id)}" in _text(client.get(again.headers["Location"]))
    assert _count(web_db) == 1


def test_the_browsers_position_from_the_hidden_fields_is_used(client, auth, web_people, web_db):
    sent = _sos(client, auth, latitude="12.97", longitude="77.64", accuracy="25", headers=JSON)
    assert sent.status_code == 201 and sent.get_json()["ok"] is True
    with web_db.factory() as session:
        sos = session.execute(select(Sos)).scalar_one()
        assert (sos.latitude, sos.longitude, sos.location_source, sos.accuracy_m) == (12.97, 77.64, "gps", 25.0)


def test_the_same_key_sent_again_answers_the_sos_already_made(client, auth, web_people, web_db):
    first = _sos(client, auth, coordinates=WHERE, key="offline-key-0001", headers=JSON)
    assert first.status_code == 201
    made = first.get_json()
    with web_db.factory() as session:  # even once closed, the key still names that SOS
        session.get(Sos, made["id"]).status = "cancelled"
        session.commit()
    repeat = _sos(client, auth, coordinates=WHERE, key="offline-key-0001", headers=JSON)
    assert repeat.status_code == 200
    assert (repeat.get_json()["id"], repeat.get_json()["created"]) == (made["id"], False)
    assert _count(web_db) == 1


# ---- bad input: a message on the page, nothing made ---------------------------------------


@pytest.mark.parametrize(("fields", "shown"), [
    ({}, "We need your location to send help."),
    ({"coordinates": "95, 200"}, "latitude"),
    ({"coordinates": "not a place, really"}, ""),
    ({"landmark": "Atlantis Harbour"}, "We could not find “Atlantis Harbour”."),
    ({"coordinates": WHERE, "emergency_type": "alien_attack"}, "Choose the kind of emergency from the list."),
    ({"coordinates": WHERE, "key": "bad key!"}, "reload the page"),
])
def test_bad_input_is_said_on_the_page_and_nothing_is_made(client, auth, web_people, web_db, fields, shown):
    refused = _sos(client, auth, **fields)
    assert refused.status_code == 400
    page = _text(refused)
    assert 'id="sos-error"' in page and shown in page
    assert 'id="sos-button"' in page  # the form is there to try again
    if fields.get("coordinates") and "emergency_type" not in fields and "key" not in fields:
        assert f'value="{fields["coordinates"]}"' in page and 'id="sos-coordinates-feedback"' in page
    assert _count(web_db) == 0


def test_a_form_without_its_csrf_token_makes_nothing(client, auth, web_people, web_db):
    _form(client, auth)
    refused = client.post("/citizen", data={"coordinates": WHERE})
    assert refused.status_code == 400
    assert "The form had expired or was sent from elsewhere: nothing was sent." in _text(refused)
    assert _count(web_db) == 0


def test_an_expired_form_sent_by_the_script_gets_a_new_token_to_send_again(client, auth, web_people, web_db):
    _form(client, auth)
    refused = client.post("/citizen", data={"coordinates": WHERE, "csrf_token": "expired"}, headers=JSON)
    assert refused.status_code == 400 and refused.get_json()["csrf"]
    assert _count(web_db) == 0
    again = client.post("/citizen", data={"coordinates": WHERE, "csrf_token": refused.get_json()["csrf"]},
                        headers=JSON)
    assert again.status_code == 201 and _count(web_db) == 1


def test_a_replayed_key_with_other_content_is_refused_with_a_reason(client, auth, web_people, web_db):
    first = _sos(client, auth, coordinates=WHERE, key="offline-key-0002", headers=JSON)
    number = first.get_json()["number"]
    other = _sos(client, auth, coordinates="12.90, 77.50", key="offline-key-0002", headers=JSON)
    assert other.status_code == 409
    assert other.get_json()["message"].startswith(f"This SOS was already sent as {number} with other details")
    page = _sos(client, auth, coordinates=WHERE, note="changed", key="offline-key-0002")
    assert page.status_code == 409 and "with other details" in _text(page)
    with web_db.factory() as session:
        assert session.execute(select(Sos.latitude, Sos.note)).all() == [(12.96, "")]


def test_only_citizens_use_the_sos_page(client, auth, web_people, web_db):
    auth.login("admin.a@example.in")
    assert client.get("/citizen").status_code == 403
    assert client.post("/citizen", data={"coordinates": WHERE}).status_code == 403
    assert _count(web_db) == 0


# ---- tracking ---------------------------------------------------------------------------------


def _offered(web_db, web_people) -> int:
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        citizen = session.get(User, web_people["citizen"].id)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410, now=utcnow())
        matching.match_due(session, now=utcnow(), rings=(1.0,))
        session.commit()
        return sos.id


def test_only_the_sos_own_citizen_sees_it(client, auth, web_people, web_db):
    sos_id = _offered(web_db, web_people)
    with web_db.factory() as session:
        add_user(session, "citizen", email="stranger@example.in")
        session.commit()
    auth.login("stranger@example.in")
    for path in (f"/citizen/sos/{sos_id}", f"/citizen/sos/{sos_id}/live", "/citizen/sos/999999"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "12.978" not in answer.get_data(as_text=True)
    token = auth.csrf_from(client.get("/citizen").get_data(as_text=True))
    client.post(f"/citizen/sos/{sos_id}/cancel", data={"csrf_token": token, "confirmed": "yes"})
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "pending"
    auth.logout()
    auth.login("admin.a@example.in")
    assert client.get(f"/citizen/sos/{sos_id}").status_code == 403


def test_the_idle_poll_is_a_small_304_and_a_step_changes_it(client, auth, web_people, web_db):
    sos_id = _offered(web_db, web_people)
    auth.login("citizen@example.in")
    page = client.get(f"/citizen/sos/{sos_id}")
    version = page.headers["ETag"]
    idle = client.get(f"/citizen/sos/{sos_id}/live", headers={"If-None-Match": version, **BROTLI})
    assert idle.status_code == 304 and idle.data == b""
    wire = len(idle.data) + sum(len(k) + len(v) + 4 for k, v in idle.headers.items())
    assert wire <= 2000, wire
    with web_db.factory() as session:
        sos_ops.accept_sos(session, actor=session.get(User, web_people["admin_a"].id), sos_id=sos_id, now=utcnow())
        session.commit()
    changed = client.get(f"/citizen/sos/{sos_id}/live", headers={"If-None-Match": version})
    assert changed.status_code == 200 and changed.headers["ETag"] != version
    body = changed.get_json()
    assert body["status"] == "accepted"
    assert 'id="track-status">Accepted by a hospital<' in body["html"]
    assert 'id="track-hospital">Alpha Hospital<' in body["html"]


def test_without_javascript_the_tracking_page_reloads_itself_while_open(client, auth, web_people, web_db):
    sos_id = _offered(web_db, web_people)
    auth.login("citizen@example.in")
    page = client.get(f"/citizen/sos/{sos_id}").get_data(as_text=True)
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page)


def test_cancelling_asks_first_without_javascript_then_cancels(client, auth, web_people, web_db):
    sos_id = _offered(web_db, web_people)
    auth.login("citizen@example.in")
    token = auth.csrf_from(client.get(f"/citizen/sos/{sos_id}").get_data(as_text=True))
    asked = client.post(f"/citizen/sos/{sos_id}/cancel", data={"csrf_token": token})
    assert "Yes, cancel my SOS" in _text(asked)
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "pending"
    assert client.post(f"/citizen/sos/{sos_id}/cancel", data={"confirmed": "yes"}).status_code == 303  # no token
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "pending"
    done = client.post(f"/citizen/sos/{sos_id}/cancel", data={"csrf_token": token, "confirmed": "yes"})
    assert done.status_code == 303
    page = _text(client.get(done.headers["Location"]))
    assert "Your SOS is cancelled. Press SOS again if you need help." in page
    assert 'id="track-status">Cancelled<' in page and 'id="cancel-sos-button"' not in page
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "cancelled"


def _resolved(web_db, web_people) -> int:
    from db import dispatch

    sos_id = _offered(web_db, web_people)
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        now = utcnow()
        sos_ops.accept_sos(session, actor=admin, sos_id=sos_id, now=now)
        unit = dispatch.register_unit(session, actor=admin, call_sign="AMB-9", now=now)
        dispatch.assign_unit(session, actor=admin, sos_id=sos_id, unit_id=unit.id, now=now)
        for step in ("en_route", "on_scene"):
            dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status=step, now=now)
        dispatch.resolve_sos(session, actor=admin, sos_id=sos_id, now=now)
        session.commit()
    return sos_id


def test_feedback_form_once_with_clear_messages(client, auth, web_people, web_db):
    sos_id = _resolved(web_db, web_people)
    auth.login("citizen@example.in")
    page = client.get(f"/citizen/sos/{sos_id}").get_data(as_text=True)
    assert 'id="feedback-question"' in page
    token = auth.csrf_from(page)
    url = f"/citizen/sos/{sos_id}/feedback"
    bad = client.post(url, data={"csrf_token": token, "comment": "Kind crew"})
    assert bad.status_code == 400 and "five answers" in _text(bad) and "Kind crew" in _text(bad)
    assert client.post(url, data={"rating": "4"}).status_code == 303  # no token: nothing kept
    with web_db.factory() as session:
        assert session.execute(select(func.count()).select_from(Feedback)).scalar_one() == 0
    done = client.post(url, data={"csrf_token": token, "rating": "4", "comment": "Kind crew"})
    shown = _text(client.get(done.headers["Location"]))
    assert "Thank you for your feedback. You answered: Good." in shown and 'id="feedback-question"' not in shown
    client.post(url, data={"csrf_token": token, "rating": "1"})
    assert "already given feedback" in _text(client.get(f"/citizen/sos/{sos_id}"))
    with web_db.factory() as session:
        assert session.execute(select(Feedback.rating, Feedback.comment)).all() == [(4, "Kind crew")]


# ---- what the page loads: compressed, cached, small -----------------------------------------


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    return gzip.decompress(response.data) if encoding == "gzip" else response.data


def test_the_sos_page_and_all_it_loads_are_compressed_cached_and_under_100_kb(client, auth, web_people):
    auth.login("citizen@example.in")
    page = client.get("/citizen", headers=BROTLI)
    assert page.headers["Content-Encoding"] == "br" and page.headers["Cache-Control"] == "no-store"
    html = _decoded(page).decode()
    urls = re.findall(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"', html)
    assert not [u for u in urls if "_dash" in u], "the SOS page loads no Dash"
    wire = len(page.data)
    for url in urls:
        response = client.get(url, headers=BROTLI)
        assert response.status_code == 200, url
        wire += len(response.data)
        if url.endswith((".css", ".js")) or ".css?" in url or ".js?" in url:
            assert response.headers.get("Content-Encoding") == "br", url
            assert response.headers["Cache-Control"] == IMMUTABLE, url
    assert wire <= 100_000, wire


def test_asset_names_follow_their_content_not_their_time(client, auth, web_people):
    from config import PROJECT_ROOT

    auth.login("citizen@example.in")
    before = re.findall(r'src="([^"]+sos\.js[^"]*)"', client.get("/citizen").get_data(as_text=True))
    script = PROJECT_ROOT / "assets" / "forms" / "sos.js"
    stat = script.stat()
    os.utime(script, (stat.st_atime, stat.st_mtime + 3600))  # a redeploy: same bytes, new time
    try:
        after = re.findall(r'src="([^"]+sos\.js[^"]*)"', client.get("/citizen").get_data(as_text=True))
        dash_page = client.get("/beds").get_data(as_text=True)
    finally:
        os.utime(script, (stat.st_atime, stat.st_mtime))
    assert before == after and re.match(r"/assets/forms/sos\.js\?m=[0-9a-f]{12}$", after[0])
    # Dash's own pages: assets and component libraries named by content too.
    assert re.search(r'/assets/app\.css\?m=[0-9a-f]{12}"', dash_page)
    assert re.search(r'/_dash-component-suites/dash/deps/polyfill@7\.v[\w-]+m[0-9a-f]{12}\.12\.1\.min\.js', dash_page)


def test_service_worker_and_manifest_are_served_from_the_root(client):
    worker = client.get("/sw.js")  # nobody logged in: the browser fetches them without the cookie
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert 'const PRECACHE = ["/assets/' in worker.get_data(as_text=True)
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    assert manifest["start_url"] == "/citizen" and manifest["icons"]


# ---- accessibility basics ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["sos", "track"])
def test_pages_have_language_one_main_labels_and_a_skip_link(client, auth, web_people, web_db, which):
    sos_id = _offered(web_db, web_people) if which == "track" else None
    auth.login("citizen@example.in")
    html = client.get("/citizen" if which == "sos" else f"/citizen/sos/{sos_id}").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert html.count("<main") == 1
    assert re.search(r'<a class="skip-link"[^>]+href="#main-content"', html)
    fields = re.findall(r"<(?:input|select|textarea)\b([^>]*)>", html)
    for attributes in fields:
        if 'type="hidden"' in attributes:
            continue
        field_id = re.search(r'id="([^"]+)"', attributes).group(1)
        assert f'for="{field_id}"' in html, f"no label for #{field_id}"


# ---- what is really happening (issue 13) and the ambulance on its way (issue 14) ----------------


def test_a_citizen_without_a_phone_gives_a_call_back_number_and_a_bad_one_is_refused(client, auth, web_people, web_db):
    page = _form(client, auth)
    assert 'id="sos-callback-phone"' in page  # the demo citizen registered no phone
    refused = _sos(client, auth, coordinates=WHERE, callback_phone="call me")
    assert refused.status_code == 400 and 'id="sos-callback-phone-feedback"' in _text(refused)
    assert _count(web_db) == 0
    assert _sos(client, auth, coordinates=WHERE, callback_phone="+91 98450 12345").status_code == 303
    with web_db.factory() as session:
        assert session.execute(select(Sos.callback_phone)).scalar_one() == "+91 98450 12345"


def test_the_tracking_page_says_what_is_really_happening(client, auth, web_people, web_db):
    from db import officer_desk

    sos_id = _offered(web_db, web_people)
    auth.login("citizen@example.in")
    page = _text(client.get(f"/citizen/sos/{sos_id}"))
    assert "health officer" not in page  # nobody was alerted: nothing claims so
    with web_db.factory() as session:
        session.get(Sos, sos_id).ring = 2  # the search has moved past the nearest ring
        session.commit()
    assert "Still looking for a hospital: we are asking hospitals further away." in _text(
        client.get(f"/citizen/sos/{sos_id}"))
    with web_db.factory() as session:
        session.get(Sos, sos_id).status = "unanswered"
        session.commit()
    page = _text(client.get(f"/citizen/sos/{sos_id}"))
    assert 'id="track-status">No hospital has answered yet: a health officer has been alerted<' in page
    assert "is calling you" not in page
    with web_db.factory() as session:
        officer_desk.mark_calling(session, actor=session.get(User, web_people["officer"].id), sos_id=sos_id,
                                  now=utcnow())
        session.commit()
    assert "A health officer is calling you." in _text(client.get(f"/citizen/sos/{sos_id}"))


def test_the_ambulance_on_its_way_shows_an_estimate_that_moves_with_it_then_the_unit_that_came(
        client, auth, web_people, web_db):
    from datetime import timedelta

    from db import dispatch, positions
    from tests.builders import add_crew

    sos_id = _offered(web_db, web_people)
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        sos_ops.accept_sos(session, actor=admin, sos_id=sos_id, now=utcnow())
        _token, unit, crew = add_crew(session, admin, now=utcnow())
        dispatch.assign_unit(session, actor=admin, sos_id=sos_id, unit_id=unit.id, now=utcnow())
        # ~6 km north of the caller (12.9784, 77.6410).
        positions.record_position(session, actor=crew, latitude=13.0324, longitude=77.6410, accuracy_m=10,
                                  now=utcnow() - timedelta(seconds=20))
        session.commit()
    auth.login("citizen@example.in")
    first = client.get(f"/citizen/sos/{sos_id}")
    far = re.search(r'id="track-arrival">Arriving in about (\d+) min', _text(first))
    assert far, _text(first)
    with web_db.factory() as session:
        positions.record_position(session, actor=session.get(User, crew.id), latitude=12.9874, longitude=77.6410,
                                  accuracy_m=10, now=utcnow())
        session.commit()
    # The unit's new position changes the page's version: the poll brings the new estimate.
    moved = client.get(f"/citizen/sos/{sos_id}/live", headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200
    near = re.search(r'id="track-arrival">Arriving in about (\d+) min', moved.get_json()["html"])
    assert near and int(near.group(1)) < int(far.group(1))
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        for step in ("en_route", "on_scene", "transporting", "at_hospital"):
            dispatch.move_unit_of_sos(session, actor=admin, sos_id=sos_id, to_status=step, now=utcnow())
        dispatch.resolve_sos(session, actor=admin, sos_id=sos_id, now=utcnow())
        session.commit()
    done = _text(client.get(f"/citizen/sos/{sos_id}"))
    assert "The ambulance that came" in done and 'id="track-arrival"' not in done
    assert 'id="track-ambulance-status"' not in done

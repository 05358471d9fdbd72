"""The citizen's plain pages in Hindi and English (issue 16), and the place the SOS page says back
in words before sending (issue 13: "Using: near Indiranagar Metro"): `/citizen/place`."""

from __future__ import annotations

import re

import pytest

from db.clock import utcnow
from db.models import Landmark
from tests.builders import send_sos

HINDI = {"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def metro(web_db):
    with web_db.factory() as session:
        session.add(Landmark(name="Indiranagar Metro", kind="metro", latitude=12.9784, longitude=77.6385,
                             created_at=utcnow()))
        session.commit()


# ---- /citizen/place ------------------------------------------------------------------------------


def test_a_landmark_is_said_back_in_words(client, auth, web_people, metro):
    auth.login("citizen@example.in")
    answer = client.get("/citizen/place?q=Indiranagar Metro")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["ok"] and body["using"].startswith("Using: near Indiranagar Metro")
    assert abs(body["lat"] - 12.9784) < 1e-6 and abs(body["lon"] - 77.6385) < 1e-6


def test_typed_coordinates_are_said_back_as_the_nearest_landmark_in_hindi(client, auth, web_people, metro):
    auth.login("citizen@example.in")
    body = client.get("/citizen/place?lat=12.9874&lon=77.6385", headers=HINDI).get_json()
    # 1.0 km north of the metro station, in Hindi words.
    assert body["ok"] and body["words"] == "Indiranagar Metro से 1.0 km उत्तर में", body
    assert body["using"].startswith("यह जगह भेजेंगे: ")
    assert client.get("/citizen/place?coordinates=12.9784, 77.6385").get_json()["words"] == "at Indiranagar Metro"


@pytest.mark.parametrize("query, field, said", [
    ("", "landmark", "Type a place or coordinates."),
    ("q=Nowhere%20Special", "landmark", "We could not find “Nowhere Special”"),
    ("lat=91&lon=77", "coordinates", "Latitude is -90 to 90"),
    ("lat=abc&lon=77", "coordinates", "Latitude is -90 to 90"),
    ("lat=nan&lon=77", "coordinates", "Latitude is -90 to 90"),
    ("lat=12.9", "coordinates", "Latitude is -90 to 90"),
    ("coordinates=12.9", "coordinates", "Type two numbers"),
    ("q=" + "x" * 201, "landmark", "Keep the place under 200 characters."),
])
def test_bad_input_is_a_400_with_the_reason(client, auth, web_people, query, field, said):
    auth.login("citizen@example.in")
    answer = client.get("/citizen/place?" + query)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["ok"] is False and body["field"] == field and said in body["message"], body


def test_the_reason_comes_in_hindi(client, auth, web_people):
    auth.login("citizen@example.in")
    body = client.get("/citizen/place?q=Nowhere", headers=HINDI).get_json()
    assert body["message"].startswith("हमें “Nowhere” नहीं मिला।"), body


def test_only_a_signed_in_citizen_may_ask(client, auth, web_people):
    anonymous = client.get("/citizen/place?q=Indiranagar")
    assert anonymous.status_code in (302, 401) and "/login" in anonymous.headers.get("Location", "/login")
    for email in ("admin.a@example.in", "officer@example.in", "super@example.in"):
        auth.login(email)
        refused = client.get("/citizen/place?q=Indiranagar")
        assert refused.status_code == 403, email
        auth.logout()


# ---- the pages in Hindi ------------------------------------------------------------------------


def test_a_hindi_browser_gets_the_sos_page_in_hindi(client, auth, web_people):
    auth.login("citizen@example.in")
    page = _text(client.get("/citizen", headers=HINDI))
    assert '<html lang="hi">' in page
    assert "आपातकालीन मदद के लिए दबाएँ" in page and "Press for emergency help" not in page
    assert "लॉग आउट" in page and "सीने में दर्द" in page  # the frame, and the types from db/
    # The script's words come in a JSON block (data, not script: the CSP allows it).
    words = re.search(r'<script type="application/json" id="sos-words">(.*?)</script>', page).group(1)
    assert "\\u092d\\u0947\\u091c" in words or "भेज" in words
    english = _text(client.get("/citizen"))
    assert '<html lang="en">' in english and "Press for emergency help" in english


def test_a_refused_sos_says_why_in_hindi(client, auth, web_people):
    auth.login("citizen@example.in")
    page = client.get("/citizen", headers=HINDI).get_data(as_text=True)
    token = auth.csrf_from(page)
    refused = client.post("/citizen", data={"csrf_token": token, "note": "x" * 600, "coordinates": "12.97, 77.6"},
                          headers=HINDI)
    assert refused.status_code == 400
    assert "संदेश 500 अक्षरों से कम रखें।" in refused.get_data(as_text=True)


def test_the_tracking_page_and_its_timeline_in_hindi(client, auth, web_people, web_db):
    with web_db.factory() as session:
        sos = send_sos(session, session.merge(web_people["citizen"]), lat=12.97, lon=77.6,
                       emergency_type="chest_pain")
        session.commit()
        sos_id = sos.id
    auth.login("citizen@example.in")
    page = _text(client.get(f"/citizen/sos/{sos_id}", headers=HINDI))
    assert '<html lang="hi">' in page
    assert "अस्पताल का इंतज़ार" in page  # the status, from db/vocabulary.py
    assert "SOS भेजा गया (सीने में दर्द)" in page  # the timeline, from db/sos.py
    # Sent on another day (the builders' T0): the date the Indian way, then the 24-hour time.
    assert re.search(r'font-monospace">\d\d/\d\d/\d{4}, \d\d:\d\d</span>', page), page
    assert 'data-confirm="यह SOS रद्द करें?' in page
    live = client.get(f"/citizen/sos/{sos_id}/live", headers=HINDI).get_json()
    assert "अब तक क्या हुआ" in live["html"]


def test_error_pages_in_hindi(client, auth, web_people):
    auth.login("citizen@example.in")
    missing = client.get("/citizen/sos/999999", headers=HINDI)
    assert missing.status_code == 404 and "SOS नहीं मिला" in missing.get_data(as_text=True)
    auth.logout()
    auth.login("officer@example.in")
    refused = client.get("/citizen", headers=HINDI)
    assert refused.status_code == 403 and "सिर्फ़ नागरिकों के लिए" in refused.get_data(as_text=True)
    not_allowed = client.delete("/citizen/token", headers=HINDI)
    assert not_allowed.status_code == 405 and '<html lang="hi">' in not_allowed.get_data(as_text=True)

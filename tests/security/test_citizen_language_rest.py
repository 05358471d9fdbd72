"""The rest of the citizen's words in their language (issue 16): Dash's own "Page not found" and
the refusal of a page their role cannot open (with `<html lang>`), the built-in errors of the
login and register forms, the report upload's refusals and its script's words, what db/ says on
the citizen's Dash pages, the outage's 503, the language switch's 400s and the web app manifest."""

from __future__ import annotations

import json
import re

import pytest

from tests.security.test_dash_language import HINDI, _frame, _page, _words

DEVANAGARI = re.compile("[\u0900-\u097f]")


@pytest.fixture
def hindi_citizen(web_app, auth_for, web_people):
    client = web_app.server.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI["Accept-Language"]})
    auth_for(client).login(web_people["citizen"].email)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ---- 1. Dash's 404 and 403 -------------------------------------------------------------------------


def test_an_unknown_address_in_the_dash_app_says_page_not_found_in_hindi(hindi_citizen):
    page = hindi_citizen.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="hi">' in page
    shown = _words(_page(hindi_citizen, "/no-such-page"))
    assert "पेज नहीं मिला" in shown and "Page not found" not in shown, shown[:400]
    assert "पेज नहीं मिला · HealthFirst" in shown  # the tab's title
    assert "लॉग आउट" in _frame(hindi_citizen, "/no-such-page")


def test_a_staff_page_refuses_a_citizen_in_hindi_frame_included(hindi_citizen):
    page = hindi_citizen.get("/hospital").get_data(as_text=True)
    assert '<html lang="hi">' in page
    shown = _words(_page(hindi_citizen, "/hospital"))
    assert "आप यह पेज नहीं खोल सकते" in shown and "You do not have access" not in shown, shown[:400]
    assert "पहुँच नहीं · HealthFirst" in shown
    frame = _frame(hindi_citizen, "/hospital")
    assert "लॉग आउट" in frame and "Log out" not in frame
    # The frame tells the browser which pages stay English for this person: none of the staff's.
    layout = json.loads(frame)
    assert '"english": []' in json.dumps(layout), "a citizen opens no English-only page"


def test_the_staff_still_get_their_own_pages_in_english(web_app, auth_for, web_people):
    admin = web_app.server.test_client()
    admin.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI["Accept-Language"]})
    auth_for(admin).login(web_people["admin_a"].email)
    assert '<html lang="en">' in admin.get("/hospital").get_data(as_text=True)
    assert not DEVANAGARI.search(_words(_page(admin, "/hospital")))
    # ... and a refusal of someone else's page in their language.
    assert '<html lang="hi">' in admin.get("/admin").get_data(as_text=True)
    assert "आप यह पेज नहीं खोल सकते" in _words(_page(admin, "/admin"))


# ---- 5. the language switch's refusals -------------------------------------------------------------


def test_the_language_switch_refuses_in_the_readers_language(client):
    expired = client.post("/language", data={"csrf_token": "nope", "language": "hi"}, headers=HINDI)
    assert expired.status_code == 400
    assert "फ़ॉर्म की समय-सीमा ख़त्म हो गई" in _text(expired)
    token = _csrf(client)
    unknown = client.post("/language", data={"csrf_token": token, "language": "xx"}, headers=HINDI)
    assert unknown.status_code == 400 and "यह भाषा उपलब्ध नहीं है।" in _text(unknown)


def _csrf(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


# ---- 2. the forms' built-in errors and the register's refusals ----------------------------------


def test_the_register_forms_own_errors_come_in_hindi(client):
    client.get("/register", headers=HINDI)
    page = client.post("/register", headers=HINDI, data={
        "csrf_token": _csrf(client, "/register"), "full_name": "Asha", "email": "asha@example.in",
        "password": "long enough password 1", "confirm": "long enough password 1", "role": "bogus",
        "new_hospital_latitude": "abc"})
    assert page.status_code == 400
    text = _text(page)
    assert "Not a valid" not in text, re.findall(r"Not a valid[^<]*", text)
    assert "यह सही संख्या नहीं है" in text and "यह विकल्प सही नहीं है" in text


def test_the_registers_refusals_from_db_come_in_hindi(client, web_people):
    client.get("/register", headers=HINDI)
    data = {"full_name": "Asha", "password": "long enough password 1", "confirm": "long enough password 1",
            "role": "citizen"}
    taken = client.post("/register", headers=HINDI, data={
        **data, "csrf_token": _csrf(client, "/register"), "email": web_people["citizen"].email})
    assert "इस ईमेल से खाता पहले से बना हुआ है" in _text(taken)
    odd_address = client.post("/register", headers=HINDI, data={
        **data, "csrf_token": _csrf(client, "/register"), "email": "new@example.in", "address": "12 MG Road\x07"})
    assert "पते में ऐसे चिह्न हैं जो अक्षर नहीं हैं।" in _text(odd_address)


def test_the_register_role_refusal_is_a_whole_marked_sentence(web_app):
    from db.users import CHOOSE_REGISTER_ROLE, _choose
    from db.vocabulary import STAFF_ROLES, Role
    assert _choose((Role.CITIZEN, *STAFF_ROLES)) == CHOOSE_REGISTER_ROLE == \
        "Choose Citizen, Hospital admin or Health officer."
    with web_app.server.test_request_context(headers=HINDI):
        from flask_babel import gettext
        assert gettext(CHOOSE_REGISTER_ROLE) == "नागरिक, अस्पताल एडमिन या स्वास्थ्य अधिकारी में से चुनें।"

"""The rest of the citizen's words in their language (issue 16): Dash's own "Page not found" and
the refusal of a page their role cannot open (with `<html lang>`), the built-in errors of the
login and register forms, the report upload's refusals and its script's words, what db/ says on
the citizen's Dash pages, the outage's 503, the language switch's 400s and the web app manifest."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from auth.context import EXTENSION_KEY
from db.models import MedicalReport
from tests.builders import pdf_bytes
from tests.security.callbacks import HINDI_HEADERS, dash_frame, dash_headers, dash_page, readable

DEVANAGARI = re.compile("[\u0900-\u097f]")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hindi_citizen(web_app, auth_for, web_people):
    client = web_app.server.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI_HEADERS["Accept-Language"]})
    auth_for(client).login(web_people["citizen"].email)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ---- 1. Dash's 404 and 403 -------------------------------------------------------------------------


def test_an_unknown_address_in_the_dash_app_says_page_not_found_in_hindi(hindi_citizen):
    page = hindi_citizen.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="hi">' in page
    shown = readable(dash_page(hindi_citizen, "/no-such-page"))
    assert "पेज नहीं मिला" in shown and "Page not found" not in shown, shown[:400]
    assert "पेज नहीं मिला · HealthFirst" in shown  # the tab's title
    assert "लॉग आउट" in dash_frame(hindi_citizen, "/no-such-page")


def test_a_staff_page_refuses_a_citizen_in_hindi_frame_included(hindi_citizen):
    page = hindi_citizen.get("/hospital").get_data(as_text=True)
    assert '<html lang="hi">' in page
    shown = readable(dash_page(hindi_citizen, "/hospital"))
    assert "आप यह पेज नहीं खोल सकते" in shown and "You do not have access" not in shown, shown[:400]
    assert "पहुँच नहीं · HealthFirst" in shown
    frame = dash_frame(hindi_citizen, "/hospital")
    assert "लॉग आउट" in frame and "Log out" not in frame
    # The frame tells the browser which pages stay English for this person: none of the staff's.
    layout = json.loads(frame)
    assert '"english": []' in json.dumps(layout), "a citizen opens no English-only page"


def test_the_staff_still_get_their_own_pages_in_english(web_app, auth_for, web_people):
    admin = web_app.server.test_client()
    admin.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI_HEADERS["Accept-Language"]})
    auth_for(admin).login(web_people["admin_a"].email)
    assert '<html lang="en">' in admin.get("/hospital").get_data(as_text=True)
    assert not DEVANAGARI.search(readable(dash_page(admin, "/hospital")))
    # ... and a refusal of someone else's page in their language.
    assert '<html lang="hi">' in admin.get("/admin").get_data(as_text=True)
    assert "आप यह पेज नहीं खोल सकते" in readable(dash_page(admin, "/admin"))


# ---- 5. the language switch's refusals -------------------------------------------------------------


def test_the_language_switch_refuses_in_the_readers_language(client):
    expired = client.post("/language", data={"csrf_token": "nope", "language": "hi"}, headers=HINDI_HEADERS)
    assert expired.status_code == 400
    assert "फ़ॉर्म की समय-सीमा ख़त्म हो गई" in _text(expired)
    token = _csrf(client)
    unknown = client.post("/language", data={"csrf_token": token, "language": "xx"}, headers=HINDI_HEADERS)
    assert unknown.status_code == 400 and "यह भाषा उपलब्ध नहीं है।" in _text(unknown)


def _csrf(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


# ---- 2. the forms' built-in errors and the register's refusals ----------------------------------


def test_the_register_forms_own_errors_come_in_hindi(client):
    client.get("/register", headers=HINDI_HEADERS)
    page = client.post("/register", headers=HINDI_HEADERS, data={
        "csrf_token": _csrf(client, "/register"), "full_name": "Asha", "email": "asha@example.in",
        "password": "long enough password 1", "confirm": "long enough password 1", "role": "bogus",
        "new_hospital_latitude": "abc"})
    assert page.status_code == 400
    text = _text(page)
    assert "Not a valid" not in text, re.findall(r"Not a valid[^<]*", text)
    assert "यह सही संख्या नहीं है" in text and "यह विकल्प सही नहीं है" in text
    # The form's own help texts too (the address's once came in English).
    assert "Citizens: only the hospital" not in text and "नागरिक: इसे सिर्फ़ वही अस्पताल देखता है" in text


def test_the_registers_refusals_from_db_come_in_hindi(client, web_people):
    client.get("/register", headers=HINDI_HEADERS)
    data = {"full_name": "Asha", "password": "long enough password 1", "confirm": "long enough password 1",
            "role": "citizen"}
    taken = client.post("/register", headers=HINDI_HEADERS, data={
        **data, "csrf_token": _csrf(client, "/register"), "email": web_people["citizen"].email})
    assert "इस ईमेल से खाता पहले से बना हुआ है" in _text(taken)
    odd_address = client.post("/register", headers=HINDI_HEADERS, data={
        **data, "csrf_token": _csrf(client, "/register"), "email": "new@example.in", "address": "12 MG Road\x07"})
    assert "पते में ऐसे चिह्न हैं जो अक्षर नहीं हैं।" in _text(odd_address)


def test_the_register_role_refusal_is_a_whole_marked_sentence(web_app):
    from db.users import CHOOSE_REGISTER_ROLE, _choose
    from db.vocabulary import STAFF_ROLES, Role
    assert _choose((Role.CITIZEN, *STAFF_ROLES)) == CHOOSE_REGISTER_ROLE == \
        "Choose Citizen, Hospital admin or Health officer."
    with web_app.server.test_request_context(headers=HINDI_HEADERS):
        from flask_babel import gettext
        assert gettext(CHOOSE_REGISTER_ROLE) == "नागरिक, अस्पताल एडमिन या स्वास्थ्य अधिकारी में से चुनें।"


# ---- 3. the report upload: its script's words and db/reports' refusals ------------------------------


@pytest.fixture
def hindi_auth(client, auth, web_people, web_app):
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI_HEADERS["Accept-Language"]})
    auth.login("citizen@example.in")
    root = web_app.server.extensions[EXTENSION_KEY]["config"].upload_dir
    yield auth
    for path in (p for p in root.rglob("*") if p.is_file()) if root.exists() else ():
        path.unlink()


def _upload(auth, data: bytes, name: str = "scan.pdf", xhr: bool = True, title: str = "Scan"):
    token = auth.csrf_from(auth.client.get("/reports/upload").get_data(as_text=True))
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return auth.client.post("/reports/upload", headers=headers, content_type="multipart/form-data", data={
        "csrf_token": token, "title": title, "file": (io.BytesIO(data), name)})


def test_the_upload_scripts_words_come_in_the_page_in_hindi(hindi_auth):
    page = hindi_auth.client.get("/reports/upload").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="upload-words">(.*?)</script>', page, re.S)
    assert block, "the upload page carries its script's words"
    words = json.loads(block.group(1))
    assert words["connection"] == "कनेक्शन टूट गया। कुछ भी सेव नहीं हुआ; फिर से कोशिश करें।"
    assert "%(status)s" in words["failed"] and DEVANAGARI.search(words["failed"])
    script = (ROOT / "assets" / "forms" / "upload.js").read_text(encoding="utf-8")
    assert "UPLOAD_WORDS.failed" in script and "UPLOAD_WORDS.connection" in script


@pytest.mark.parametrize("data, name, title, said", [
    (b"MZ\x90\x00 this is a program", "lab.pdf", "Scan", "सिर्फ़ PDF, PNG और JPEG फ़ाइलें अपलोड हो सकती हैं"),
    (b"", "empty.pdf", "Scan", "फ़ाइल ख़ाली है।"),
])
def test_an_upload_refused_by_db_says_why_in_hindi(hindi_auth, data, name, title, said):
    answer = _upload(hindi_auth, data, name, title=title)
    assert answer.status_code == 400
    assert said in answer.get_json()["message"], answer.get_json()


def test_the_forms_own_refusal_of_an_upload_is_in_hindi(hindi_auth):
    answer = _upload(hindi_auth, pdf_bytes(), title="x" * 201)
    assert answer.status_code == 400 and answer.get_json()["message"] == "इसे 200 अक्षरों से कम रखें।"


def test_a_file_over_the_cap_is_refused_in_hindi(hindi_auth, web_app):
    state = web_app.server.extensions[EXTENSION_KEY]
    original = state["config"]
    state["config"] = replace(original, max_upload_bytes=64 * 1024)
    try:
        streamed = _upload(hindi_auth, pdf_bytes() + b"0" * (100 * 1024))
        assert streamed.status_code == 400, streamed.get_json()
        assert streamed.get_json()["message"] == "फ़ाइल 0 MB से बड़ी है।"  # 64 KB, in whole MB
    finally:
        state["config"] = original


def test_a_refused_download_and_a_failed_check_are_said_in_hindi(hindi_auth, web_app, web_db):
    client = hindi_auth.client
    missing = client.get("/reports/99999/download")
    assert missing.status_code == 404
    assert "यह रिपोर्ट नहीं खुल सकती" in _text(missing) and "इस नंबर की कोई रिपोर्ट" in _text(missing)
    report_id = _upload(hindi_auth, pdf_bytes()).get_json()["report"]["id"]
    pending = client.get(f"/reports/{report_id}/download")
    assert pending.status_code == 409 and "इस रिपोर्ट की जाँच अभी चल रही है" in _text(pending)
    with web_db.factory() as session:
        report = session.get(MedicalReport, report_id)
        report.status, report.mismatch_reason = "mismatch", "the stored file's content changed"
        session.commit()
    listed = readable(_reports_refresh(client))
    assert "रखी गई फ़ाइल की सामग्री बदल गई है" in listed and "content changed" not in listed


def _reports_refresh(client) -> str:
    body = {"output": "reports-list.children", "outputs": {"id": "reports-list", "property": "children"},
            "inputs": [{"id": "reports-refresh", "property": "n_intervals", "value": 1}],
            "state": [], "changedPropIds": ["reports-refresh.n_intervals"]}
    answer = client.post("/_dash-update-component", json=body, headers=dash_headers(client, "/reports"))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_data(as_text=True)


# ---- 5. the outage, the connection notice, the manifest --------------------------------------------


def test_the_outage_says_not_saved_in_the_readers_language(hindi_citizen, request):
    headers = dash_headers(hindi_citizen, "/beds")
    request.getfixturevalue("database_cut")
    body = {"output": "reports-list.children", "outputs": {"id": "reports-list", "property": "children"},
            "inputs": [{"id": "reports-refresh", "property": "n_intervals", "value": 1}],
            "state": [], "changedPropIds": ["reports-refresh.n_intervals"]}
    answer = hindi_citizen.post("/_dash-update-component", json=body,
                                headers={**headers, "Referer": "http://localhost/reports"})
    assert answer.status_code == 503
    assert answer.get_json()["message"].startswith("सेव नहीं हुआ"), answer.get_json()
    page = hindi_citizen.get("/citizen")
    assert page.status_code == 503 and "हो सकता है आपका पिछला बदलाव सेव न हुआ हो।" in _text(page)


def test_the_connection_notice_takes_its_words_from_the_frame(hindi_citizen):
    frame = dash_frame(hindi_citizen, "/beds")
    found = re.search(r'"data-connection-words": "((?:[^"\\]|\\.)*)"', frame)
    assert found, "the frame carries assets/connection.js's words"
    words = json.loads(json.loads(f'"{found.group(1)}"'))
    assert "%(time)s" in words["offline"] and DEVANAGARI.search(words["offline"])
    assert words["not_saved"].startswith("सेव नहीं हुआ")
    script = (ROOT / "assets" / "connection.js").read_text(encoding="utf-8")
    assert "data-connection-words" in script


def test_the_manifest_speaks_the_pages_language(client, hindi_citizen):
    page = hindi_citizen.get("/citizen").get_data(as_text=True)
    assert 'href="/manifest.webmanifest?lang=hi"' in page
    hindi = client.get("/manifest.webmanifest?lang=hi").get_json(force=True)
    assert hindi["lang"] == "hi" and DEVANAGARI.search(hindi["name"]) and DEVANAGARI.search(hindi["description"])
    assert "112" in hindi["description"]
    english = client.get("/manifest.webmanifest?lang=en").get_json(force=True)
    assert english["lang"] == "en" and english["name"] == "HealthFirst SOS"
    # Without ?lang=, the browser's language; a language there is no catalog for is not taken.
    assert client.get("/manifest.webmanifest", headers=HINDI_HEADERS).get_json(force=True)["lang"] == "hi"
    assert client.get("/manifest.webmanifest?lang=xx").get_json(force=True)["lang"] == "en"


# ---- 4. what db/ says on find a bed ----------------------------------------------------------------


def test_find_a_bed_says_a_hospitals_ambulance_status_in_hindi(hindi_auth, web_app, web_db, web_people):
    from db.models import Hospital
    from tests.builders import give_beds
    from tests.security.callbacks import beds_search
    with web_db.factory() as session:
        alpha = session.get(Hospital, web_people["hospital_a"].id)
        give_beds(session, alpha)
        alpha.ems_status, alpha.ems_reason = "closed", "Emergency department full"
        beta = session.get(Hospital, web_people["hospital_b"].id)
        give_beds(session, beta)
        beta.ems_status = "advisory"
        session.commit()
    hindi_auth.client.get("/beds")
    _size, raw = beds_search(hindi_auth, web_app, {}, 1)
    shown = readable(raw)
    assert "अस्पताल का कहना है: Emergency department full" in shown  # the typed reason, said to be theirs
    assert "एम्बुलेंस के लिए स्थिति: सावधानी (बहुत भीड़ है)" in shown
    assert "Advisory" not in shown

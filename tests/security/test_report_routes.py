"""Reports over HTTP: the upload form and the authorising download route."""

import io
from dataclasses import replace

import pytest
from sqlalchemy import select

from auth.context import EXTENSION_KEY
from db import reports
from db.models import MedicalReport
from tests.builders import T0, pdf_bytes


def _config(web_app):
    return web_app.server.extensions[EXTENSION_KEY]["config"]


def _stored_files(web_app):
    root = _config(web_app).upload_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(auth, data, name="scan.pdf", patient="", xhr=True):
    token = auth.csrf_from(auth.client.get("/reports/upload").get_data(as_text=True))
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return auth.client.post("/reports/upload", headers=headers, content_type="multipart/form-data", data={
        "csrf_token": token, "title": "Scan", "patient": patient, "file": (io.BytesIO(data), name)})


def _verify_all(web_app, web_db):
    config = _config(web_app)
    with web_db.factory() as session:
        reports.verify_due(session, now=T0, upload_dir=config.upload_dir, hmac_key=config.report_hmac_key)
        session.commit()


@pytest.fixture(autouse=True)
def _clean_store(web_app):
    for path in _stored_files(web_app):
        path.unlink()


def test_citizen_uploads_and_downloads_once_verified(client, auth, web_people, web_app, web_db):
    auth.login("citizen@example.in")
    response = _upload(auth, pdf_bytes())
    assert response.status_code == 201, response.get_json()
    report_id = response.get_json()["report"]["id"]
    pending = client.get(f"/reports/{report_id}/download")
    assert pending.status_code == 409 and "still being checked" in pending.get_data(as_text=True)
    _verify_all(web_app, web_db)
    # buffered: the file is read whole and closed, not left open (a ResourceWarning)
    download = client.get(f"/reports/{report_id}/download", buffered=True)
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Type"] == "application/pdf"


def test_disguised_file_is_refused_with_a_reason(auth, web_people, web_app):
    auth.login("citizen@example.in")
    response = _upload(auth, b"MZ\x90\x00 this is a program", name="lab-result.pdf")
    assert response.status_code == 400
    assert "Only PDF, PNG and JPEG" in response.get_json()["message"]
    assert _stored_files(web_app) == []


def test_upload_over_the_cap_is_refused_and_nothing_stored(auth, web_people, web_app, web_db):
    state = web_app.server.extensions[EXTENSION_KEY]
    original = state["config"]
    state["config"] = replace(original, max_upload_bytes=64 * 1024)
    try:
        auth.login("citizen@example.in")
        streamed = _upload(auth, pdf_bytes() + b"0" * (128 * 1024))  # caught while streaming
        assert streamed.status_code == 400 and "larger than" in streamed.get_json()["message"]
        web_app.server.config["MAX_CONTENT_LENGTH"] = 100 * 1024
        early = _upload(auth, pdf_bytes() + b"0" * (256 * 1024))  # refused before reading the body
        assert early.status_code == 413 and "Nothing was stored" in early.get_json()["message"]
        # The plain form gets a page that leads back to the form, not to the login page.
        page = _upload(auth, pdf_bytes() + b"0" * (256 * 1024), xhr=False)
        text = page.get_data(as_text=True)
        assert page.status_code == 413 and "Nothing was stored" in text
        assert 'href="/reports/upload"' in text and "Back to log in" not in text
    finally:
        state["config"] = original
        web_app.server.config["MAX_CONTENT_LENGTH"] = original.max_upload_bytes + 1024 * 1024
    assert _stored_files(web_app) == []
    with web_db.factory() as session:
        assert session.execute(select(MedicalReport)).first() is None


def test_upload_form_needs_its_csrf_token(client, auth, web_people, web_app):
    auth.login("citizen@example.in")
    response = client.post("/reports/upload", headers={"X-Requested-With": "XMLHttpRequest"},
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")})
    assert response.status_code == 400 and _stored_files(web_app) == []


def test_officers_and_anonymous_cannot_upload(client, auth, web_people):
    assert client.get("/reports/upload").status_code == 302
    auth.login("officer@example.in")
    assert client.get("/reports/upload").status_code == 403


def test_other_patient_and_other_hospital_cannot_fetch_by_id(client, auth, web_people, web_app, web_db):
    auth.login("admin.a@example.in")
    response = _upload(auth, pdf_bytes(), patient="citizen@example.in")
    report_id = response.get_json()["report"]["id"]
    _verify_all(web_app, web_db)
    assert client.get(f"/reports/{report_id}/download", buffered=True).status_code == 200  # the uploading hospital
    for email in ("admin.b@example.in", "officer@example.in", "super@example.in"):
        auth.logout()
        auth.login(email)
        refused = client.get(f"/reports/{report_id}/download")
        assert refused.status_code == 404, email
        assert refused.data != pdf_bytes()
    auth.logout()
    auth.login("citizen@example.in")
    assert client.get(f"/reports/{report_id}/download", buffered=True).status_code == 200  # the patient
    assert client.get(f"/reports/{report_id + 999}/download").status_code == 404


def test_tampered_file_is_refused_at_download(client, auth, web_people, web_app, web_db):
    auth.login("citizen@example.in")
    report_id = _upload(auth, pdf_bytes()).get_json()["report"]["id"]
    _verify_all(web_app, web_db)
    with web_db.factory() as session:
        stored_name = session.get(MedicalReport, report_id).stored_name
    reports.storage_path(_config(web_app).upload_dir, stored_name).write_bytes(b"%PDF-1.4 tampered")
    refused = client.get(f"/reports/{report_id}/download")
    assert refused.status_code == 409 and "failed its integrity check" in refused.get_data(as_text=True)
    with web_db.factory() as session:
        assert session.get(MedicalReport, report_id).status == "mismatch"

"""Medical reports: upload checks, verification, tamper detection, who may download."""

from pathlib import Path

import pytest
from sqlalchemy import select, text

from db import audit, reports
from db.errors import InvalidInput, NotAllowed
from db.models import AuditEntry, MedicalReport
from tests.builders import KEY, T0, add_hospital, add_user, pdf_bytes, png_bytes, stream

MB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "uploads"


def _files(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


def _upload(session, actor, store, data=None, name="summary.pdf", patient="", max_bytes=20 * MB):
    return reports.create_report(session, actor=actor, source=stream(data or pdf_bytes()), original_name=name,
                                 title="", upload_dir=store, max_bytes=max_bytes, hmac_key=KEY, now=T0,
                                 patient_email_or_phone=patient)


def _verify(session, store, now=T0):
    return reports.verify_due(session, now=now, upload_dir=store, hmac_key=KEY, worker="test")


def test_citizen_upload_is_stored_hashed_and_pending(session, store):
    citizen = add_user(session)
    report = _upload(session, citizen, store)
    session.commit()
    import hashlib

    assert report.status == "pending" and report.patient_id == citizen.id and report.hospital_id is None
    assert report.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert report.content_type == "application/pdf" and report.original_name == "summary.pdf"
    [stored] = _files(store)
    assert stored.name == report.stored_name != "summary.pdf" and stored.read_bytes() == pdf_bytes()


def test_a_pdf_name_on_other_content_is_refused_and_nothing_written(session, store):
    citizen = add_user(session)
    with pytest.raises(InvalidInput, match="Only PDF, PNG and JPEG"):
        _upload(session, citizen, store, data=b"<script>alert(1)</script>", name="report.pdf")
    assert _files(store) == []


def test_oversized_upload_is_refused_and_leaves_nothing(session, store):
    citizen = add_user(session)
    with pytest.raises(InvalidInput, match="larger than 1 MB"):
        _upload(session, citizen, store, data=pdf_bytes() + b"0" * (2 * MB), max_bytes=1 * MB)
    assert _files(store) == []
    assert session.execute(select(MedicalReport)).first() is None


def test_a_path_in_the_file_name_cannot_escape_storage(session, store):
    citizen = add_user(session)
    report = _upload(session, citizen, store, data=png_bytes(), name="../../etc/passwd.png")
    [stored] = _files(store)
    assert stored.resolve().is_relative_to(store.resolve())
    assert report.original_name == "passwd.png" and report.content_type == "image/png"
    with pytest.raises(ValueError):
        reports.storage_path(store, "../../etc/passwd")


def test_hospital_uploads_for_a_citizen_found_by_email_or_phone(session, store):
    hospital = add_hospital(session)
    admin = add_user(session, "hospital_admin", hospital=hospital)
    patient = add_user(session, email="patient@example.in")
    patient.phone = "+91 98450 11111"
    by_email = _upload(session, admin, store, patient="Patient@Example.in")
    by_phone = _upload(session, admin, store, patient="98450-11111")
    assert by_email.patient_id == by_phone.patient_id == patient.id
    assert by_email.hospital_id == hospital.id
    with pytest.raises(InvalidInput, match="No citizen"):
        _upload(session, admin, store, patient="nobody@example.in")
    with pytest.raises(NotAllowed):
        _upload(session, add_user(session, "health_officer"), store)


def test_verification_then_tampered_file_is_flagged_and_never_served(session, store, clock):
    citizen = add_user(session)
    report = _upload(session, citizen, store)
    assert _verify(session, store).verified == 1
    assert report.status == "verified"
    assert reports.authorise_download(session, actor=citizen, report_id=report.id, upload_dir=store,
                                      hmac_key=KEY, now=T0).allowed
    # Someone edits the file on disk.
    reports.storage_path(store, report.stored_name).write_bytes(pdf_bytes("Altered diagnosis"))
    decision = reports.authorise_download(session, actor=citizen, report_id=report.id, upload_dir=store,
                                          hmac_key=KEY, now=T0)
    assert not decision.allowed and decision.status_code == 409
    assert report.status == "mismatch" and "content changed" in report.mismatch_reason


def test_periodic_recheck_catches_later_tampering(session, store, clock):
    citizen = add_user(session)
    report = _upload(session, citizen, store)
    _verify(session, store, now=clock())
    reports.storage_path(store, report.stored_name).write_bytes(b"%PDF-1.4 replaced")
    assert _verify(session, store, now=clock.advance(hours=1)).mismatched == 0  # not due yet
    assert _verify(session, store, now=clock.advance(hours=24)).mismatched == 1
    assert report.status == "mismatch" and report.check_round == 2


def test_rewriting_file_and_digest_together_is_caught_by_the_keyed_check(session, store):
    import hashlib

    citizen = add_user(session)
    report = _upload(session, citizen, store)
    session.commit()
    forged = pdf_bytes("Forged")
    reports.storage_path(store, report.stored_name).write_bytes(forged)
    session.execute(text("UPDATE medical_reports SET sha256 = :d WHERE id = :i"),
                    {"d": hashlib.sha256(forged).hexdigest(), "i": report.id})
    session.commit()
    session.expire_all()
    assert _verify(session, store).mismatched == 1
    assert "keyed check" in session.get(MedicalReport, report.id).mismatch_reason


def test_only_the_patient_and_the_uploading_hospital_may_download(session, store):
    alpha, beta = add_hospital(session, "Alpha"), add_hospital(session, "Beta")
    admin_a = add_user(session, "hospital_admin", hospital=alpha)
    admin_b = add_user(session, "hospital_admin", hospital=beta)
    patient_a = add_user(session, email="a@example.in")
    patient_b = add_user(session, email="b@example.in")
    report = _upload(session, admin_a, store, patient="a@example.in")
    _verify(session, store)

    def allowed(actor):
        return reports.authorise_download(session, actor=actor, report_id=report.id, upload_dir=store,
                                          hmac_key=KEY, now=T0).allowed

    assert allowed(patient_a) and allowed(admin_a)
    for outsider in (patient_b, admin_b, add_user(session, "health_officer"), add_user(session, "super_admin")):
        assert not allowed(outsider)
    refused = session.execute(select(AuditEntry).where(AuditEntry.action == "report.download",
                                                       AuditEntry.outcome == "refused")).scalars().all()
    assert len(refused) == 4
    assert audit.verify_chain(session).ok


def test_pending_report_cannot_be_downloaded_yet(session, store):
    citizen = add_user(session)
    report = _upload(session, citizen, store)
    decision = reports.authorise_download(session, actor=citizen, report_id=report.id, upload_dir=store,
                                          hmac_key=KEY, now=T0)
    assert not decision.allowed and "still being checked" in decision.message


def test_lists_show_own_reports_only(session, store):
    alpha = add_hospital(session, "Alpha")
    admin = add_user(session, "hospital_admin", hospital=alpha)
    mine, other = add_user(session, email="m@example.in"), add_user(session, email="o@example.in")
    _upload(session, admin, store, patient="m@example.in")
    _upload(session, other, store)
    assert len(reports.list_for(session, actor=mine)) == 1
    assert len(reports.list_for(session, actor=other)) == 1
    assert len(reports.list_for(session, actor=admin)) == 1

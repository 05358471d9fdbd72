"""Medical reports: streamed upload with hashing, background verification, guarded access.

- Storage: files live under the upload folder (never a served folder) with generated names; the
  original name is only metadata. Types are decided by the content's first bytes (PDF, PNG,
  JPEG), and the size cap is enforced while streaming, so an oversized or disguised upload leaves
  nothing behind.
- Integrity: SHA-256 of the content is computed while it streams to storage and shown to users.
  Beside it an HMAC-SHA256 (key kept outside the database) binds that digest to the report's
  stored name and patient: someone who rewrites a file *and* its digest in the database cannot
  produce the matching HMAC, so the verifier still flags the report.
- Verification: `verify_due` reads new (pending) reports at once, then scrubs: it re-reads the
  least recently checked verified reports within a read budget (bytes/s), so the whole store is
  read again every store-size ÷ budget seconds, and at the latest once per re-check period (see
  `scrub_coverage` for when the budget cannot manage that). PostgreSQL's FOR UPDATE SKIP LOCKED
  lets any number of verifier processes share the work, and the unique (report, round) row in
  `report_checks` makes "verified exactly once per round" a fact the database keeps.
- Access: only the patient and the uploading hospital, only once verified, and every upload,
  download, verification and refusal is written to the hash-chained audit log.

Messages (refusals, a mismatch's reason) are marked with N_ and carry their parameters
(DomainError.template/params): the pages put them in the reader's language.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import audit
from db.errors import N_, InvalidInput, NotAllowed
from db.models import MedicalReport, ReportCheck, User
from db.users import normalise_email
from db.vocabulary import Role

CHUNK = 1024 * 1024
# Allowed types by their first bytes, never by the file's name.
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
TITLE_MAX = 200
DEFAULT_RECHECK = timedelta(hours=24)
# The scrub's ledger: what all verifier processes together read in the last SCRUB_WINDOW is held
# to budget × SCRUB_WINDOW (one process's call reads at most budget × its burst).
SCRUB_WINDOW = timedelta(seconds=60)
# Rows one scrub call looks at (small reports at a high budget: the budget, not this, is the limit).
SCRUB_ROWS = 1000


class UploadRefused(InvalidInput):
    pass


def sniff_type(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in MAGIC:
        if head.startswith(magic):
            return content_type, extension
    return None


def keyed_digest(key: bytes, sha256_hex: str, stored_name: str, patient_id: int) -> str:
    message = f"{sha256_hex}|{stored_name}|{patient_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def storage_path(upload_dir: Path, stored_name: str) -> Path:
    """Generated names only (hex), two-level fan-out; nothing from the user reaches the path."""
    if not stored_name.isalnum():
        raise ValueError("stored names are generated hex strings")
    return Path(upload_dir) / stored_name[:2] / stored_name


def _clean_original_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return (base or "report")[:255]


def find_patient(session: Session, *, actor: User, email_or_phone: str) -> User:
    """A hospital admin names the patient by email or phone; only citizens can be patients."""
    text = (email_or_phone or "").strip()
    if not text:
        raise InvalidInput("patient", N_("Enter the patient's email or phone number."))
    if "@" in text:
        try:
            email = normalise_email(text)
        except InvalidInput:
            raise InvalidInput("patient", N_("That email address is not valid.")) from None
        patient = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    else:
        digits = "".join(ch for ch in text if ch.isdigit())
        # Phones are stored as typed ("+91 98450 11111"): narrow in SQL on the last digits, which
        # no separator splits, then compare digit strings.
        tail = digits[-2:] if len(digits) >= 2 else digits
        candidates = [u for u in session.execute(select(User).where(
                          User.role == Role.CITIZEN, User.phone.is_not(None), User.phone.like(f"%{tail}"))).scalars()
                      if "".join(ch for ch in (u.phone or "") if ch.isdigit()).endswith(digits[-10:])]
        patient = candidates[0] if len(candidates) == 1 and len(digits) >= 6 else None
        if len(candidates) > 1:
            raise InvalidInput("patient", N_("Several citizens have that phone number: use their email."))
    if patient is None or patient.role != Role.CITIZEN or patient.status != "active":
        raise InvalidInput("patient", N_("No citizen with that email or phone has an account."))
    return patient


@dataclass(frozen=True)
class Stored:
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str


def stream_to_storage(source: BinaryIO, *, upload_dir: Path, max_bytes: int) -> Stored:
    """Check the type from the first bytes, then copy in chunks while hashing. Nothing is written
    until the type is known; a file that grows past the cap is removed before raising."""
    head = source.read(16)
    sniffed = sniff_type(head)
    if not head:
        raise UploadRefused("file", N_("The file is empty."))
    if sniffed is None:
        raise UploadRefused("file", N_("Only PDF, PNG and JPEG files can be uploaded (checked from the file's "
                                       "content, not its name)."))
    content_type, _extension = sniffed
    stored_name = secrets.token_hex(16)
    path = storage_path(upload_dir, stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        # O_EXCL: a generated name never overwrites anything.
        with open(path, "xb") as target:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused("file", N_("The file is larger than %(mb)s MB."), mb=max_bytes // (1024 * 1024))
                digest.update(chunk)
                target.write(chunk)
                chunk = source.read(CHUNK)
            target.flush()
            os.fsync(target.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(stored_name, content_type, size, digest.hexdigest())


def create_report(session: Session, *, actor: User, source: BinaryIO, original_name: str, title: str,
                  upload_dir: Path, max_bytes: int, hmac_key: bytes, now: datetime,
                  patient_email_or_phone: str = "") -> MedicalReport:
    """A hospital admin uploads for a citizen; a citizen uploads their own."""
    if actor.role == Role.HOSPITAL_ADMIN and actor.status == "active":
        patient = find_patient(session, actor=actor, email_or_phone=patient_email_or_phone)
        hospital_id = actor.hospital_id
    elif actor.role == Role.CITIZEN and actor.status == "active":
        patient, hospital_id = actor, None
    else:
        raise NotAllowed(N_("Only citizens and hospital admins upload reports."))
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise InvalidInput("title", N_("Keep the title under %(max)s characters."), max=TITLE_MAX)
    stored = stream_to_storage(source, upload_dir=upload_dir, max_bytes=max_bytes)
    try:
        report = MedicalReport(
            patient_id=patient.id, uploaded_by_id=actor.id, hospital_id=hospital_id,
            title=title or _clean_original_name(original_name), original_name=_clean_original_name(original_name),
            stored_name=stored.stored_name, content_type=stored.content_type, size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            hmac_sha256=keyed_digest(hmac_key, stored.sha256, stored.stored_name, patient.id),
            status="pending", uploaded_at=now, next_check_at=now, check_round=0,
        )
        session.add(report)
        session.flush()
        audit.record(session, actor=actor, action="report.upload", now=now, target_type="report",
                     target_id=report.id, detail={"patient_id": patient.id, "size": stored.size_bytes,
                                                  "sha256": stored.sha256, "type": stored.content_type})
    except BaseException:
        storage_path(upload_dir, stored.stored_name).unlink(missing_ok=True)
        raise
    return report


# ---- verification ---------------------------------------------------------------------------


def _hash_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb", buffering=0) as handle:
            buffer = bytearray(CHUNK)
            view = memoryview(buffer)
            while True:
                read = handle.readinto(buffer)
                if not read:
                    break
                digest.update(view[:read])
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def check_integrity(report: MedicalReport, *, upload_dir: Path, hmac_key: bytes) -> tuple[bool, str]:
    actual = _hash_file(storage_path(upload_dir, report.stored_name))
    if actual is None:
        return False, N_("the stored file is missing")
    expected_hmac = keyed_digest(hmac_key, report.sha256, report.stored_name, report.patient_id)
    if not hmac.compare_digest(expected_hmac, report.hmac_sha256):
        return False, N_("the recorded digest was altered (keyed check failed)")
    if not hmac.compare_digest(actual, report.sha256):
        return False, N_("the stored file's content changed")
    return True, ""


@dataclass
class VerifySummary:
    verified: int = 0  # pending reports verified for the first time
    rechecked: int = 0  # verified reports read again and found intact
    mismatched: int = 0
    rechecked_bytes: int = 0
    # How late the least recently checked report was when the scrub reached it (0: on time). More
    # than 0 means the scrub did not re-read it within the re-check period: it is falling behind.
    overdue_s: float = 0.0

    def __str__(self) -> str:
        text = f"{self.verified} verified, {self.mismatched} mismatched"
        if self.rechecked:
            text += f", {self.rechecked} re-checked ({self.rechecked_bytes / CHUNK:.1f} MB)"
        return text


def _check(session: Session, report: MedicalReport, *, now: datetime, upload_dir: Path, hmac_key: bytes,
           worker: str, recheck_after: timedelta, summary: VerifySummary, record_round: bool = True) -> None:
    """Read one claimed report. A first verification, a mismatch, and a re-check with
    `record_round` each write a (report, round) row; a scrub pass that finds the file intact
    between two recorded rounds only moves the report to the back of the queue."""
    ok, reason = check_integrity(report, upload_dir=upload_dir, hmac_key=hmac_key)
    first = report.status == "pending"
    if ok and not first:
        summary.rechecked += 1
        summary.rechecked_bytes += report.size_bytes
    if ok and not first and not record_round:
        report.next_check_at = now + recheck_after
        return
    round_number = report.check_round + 1
    # The rows are locked (SKIP LOCKED on PostgreSQL, one writer at a time on SQLite), so no
    # other verifier has this round; the unique (report, round) key would refuse it anyway.
    session.add(ReportCheck(report_id=report.id, round=round_number,
                            result="verified" if ok else "mismatch", checked_at=now, worker=worker))
    report.check_round = round_number
    if ok:
        report.status = "verified"
        report.verified_at = report.verified_at or now
        report.next_check_at = now + recheck_after
        if first:
            summary.verified += 1
            audit.record(session, actor=None, action="report.verified", now=now, target_type="report",
                         target_id=report.id)
    else:
        report.status = "mismatch"
        report.mismatch_reason = reason
        report.next_check_at = None
        summary.mismatched += 1
        audit.record(session, actor=None, action="report.mismatch", now=now, target_type="report",
                     target_id=report.id, outcome="error", detail={"reason": reason})


# The scrub's queue: verified reports, least recently checked first (next_check_at is always
# the last check + the period).
_VERIFIED = MedicalReport.status == "verified"
_LEAST_RECENTLY_CHECKED = (MedicalReport.next_check_at, MedicalReport.id)


def scrub_window_bytes(session: Session, *, now: datetime, recheck_after: timedelta) -> int:
    """Bytes every verifier together read in the last SCRUB_WINDOW. A report read at t is due
    again at t + period, so the reports read in the window are the verified ones due in
    (now + period − window, now + period]: one range of the (status, next_check_at) index, and
    no state besides the reports themselves. The count is exact because the scrub never reads a
    report twice within a window (see `_scrub`). The upper end has the same margin, for
    verifiers whose clock runs a little ahead and for schedules made under a longer period."""
    due_from, due_to = now + recheck_after - SCRUB_WINDOW, now + recheck_after + SCRUB_WINDOW
    return int(session.execute(
        select(func.coalesce(func.sum(MedicalReport.size_bytes), 0))
        .where(_VERIFIED, MedicalReport.next_check_at > due_from, MedicalReport.next_check_at <= due_to)
    ).scalar_one())


def _scrub(session: Session, *, now: datetime, bytes_per_s: float, burst: timedelta, recheck_after: timedelta,
           summary: VerifySummary, **check) -> None:
    """Re-read the least recently checked verified reports, within the budget (see verify_due)."""
    already = scrub_window_bytes(session, now=now, recheck_after=recheck_after)
    # This call's read is in the window too: budget × (window + burst) keeps one process calling
    # every `burst` reading its full share however its calls jitter around the window's edge.
    allowance = min(bytes_per_s * burst.total_seconds(),
                    bytes_per_s * (SCRUB_WINDOW + burst).total_seconds() - already)
    if allowance <= 0:
        return
    # Not read in the window: the complement of the ledger's range, so every read is counted.
    queue = (_VERIFIED, MedicalReport.next_check_at <= now + recheck_after - SCRUB_WINDOW)
    # Look (without locking) at the head of the queue, to claim no more rows than the allowance
    # covers: rows locked and then left unread would only push other verifiers further back.
    sizes = session.execute(select(MedicalReport.size_bytes).where(*queue).order_by(*_LEAST_RECENTLY_CHECKED)
                            .limit(SCRUB_ROWS)).scalars().all()
    wanted, total = 0, 0
    for size in sizes:
        if total + size > allowance and (total or already):
            break
        wanted, total = wanted + 1, total + size
    if not wanted:
        return
    # The last recorded round's time comes with the claim: a round is recorded once a period.
    claimed = session.execute(
        select(MedicalReport, ReportCheck.checked_at)
        .outerjoin(ReportCheck, (ReportCheck.report_id == MedicalReport.id)
                   & (ReportCheck.round == MedicalReport.check_round))
        .where(*queue).order_by(*_LEAST_RECENTLY_CHECKED).limit(wanted)
        .with_for_update(skip_locked=True, of=MedicalReport)
    ).all()
    spent = 0
    for report, last_round_at in claimed:
        # A report bigger than the whole allowance is read only when nothing else was read
        # in the window, so one large file cannot stall the scrub and the window repays it.
        if spent + report.size_bytes > allowance and (spent or already):
            break
        spent += report.size_bytes
        summary.overdue_s = max(summary.overdue_s, (now - report.next_check_at).total_seconds())
        _check(session, report, now=now, recheck_after=recheck_after, summary=summary,
               record_round=last_round_at is None or last_round_at <= now - recheck_after, **check)


def verify_due(session: Session, *, now: datetime, upload_dir: Path, hmac_key: bytes, worker: str = "",
               recheck_after: timedelta = DEFAULT_RECHECK, limit: int = 50, scrub_bytes_per_s: float = 0,
               scrub_burst: timedelta = timedelta(seconds=5)) -> VerifySummary:
    """Verify pending reports, then re-check verified ones. Safe in many processes.

    - Pending reports (new uploads) are read at once, whatever the budget, up to `limit` a call.
    - With `scrub_bytes_per_s` (the scrub): the least recently checked verified reports are read
      again, due or not, in that order, within the budget: one call reads at most
      budget × `scrub_burst` (a report bigger than that only when nothing was read in the last
      SCRUB_WINDOW), and all verifiers together at most budget × (SCRUB_WINDOW + burst) in a
      window, uploads included (see `scrub_window_bytes`); no report is read twice in a window.
      Called every `scrub_burst`, the verifiers read the whole store every
      max(store size ÷ budget, SCRUB_WINDOW) seconds; a report must be read again within
      `recheck_after`, or `overdue_s` says how late it was. An intact file records a round once a
      period; a mismatch is recorded at once.
    - Without it (0): verified reports are read again when their re-check is due (every
      `recheck_after`), up to `limit` a call, unbudgeted.
    """
    summary = VerifySummary()
    check = {"upload_dir": upload_dir, "hmac_key": hmac_key, "worker": worker}
    pending = list(session.execute(
        select(MedicalReport).where(MedicalReport.status == "pending")
        .order_by(MedicalReport.next_check_at, MedicalReport.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars())
    for report in pending:
        _check(session, report, now=now, recheck_after=recheck_after, summary=summary, **check)
    if scrub_bytes_per_s > 0:
        session.flush()  # what the uploads just read counts against the budget
        _scrub(session, now=now, bytes_per_s=scrub_bytes_per_s, burst=scrub_burst, recheck_after=recheck_after,
               summary=summary, **check)
    else:
        due = list(session.execute(
            select(MedicalReport).where(_VERIFIED, MedicalReport.next_check_at <= now)
            .order_by(*_LEAST_RECENTLY_CHECKED)
            .limit(limit).with_for_update(skip_locked=True)
        ).scalars())
        for report in due:
            _check(session, report, now=now, recheck_after=recheck_after, summary=summary, **check)
    session.flush()
    return summary


@dataclass(frozen=True)
class ScrubCoverage:
    """Whether a read budget covers the store of verified reports within the re-check period."""

    reports: int
    store_bytes: int
    bytes_per_s: float
    period: timedelta

    @property
    def pass_seconds(self) -> float:
        """How long the scrub takes to read every verified report once at the budget."""
        return self.store_bytes / self.bytes_per_s

    @property
    def covered(self) -> bool:
        return self.pass_seconds <= self.period.total_seconds()

    @property
    def needed_bytes_per_s(self) -> float:
        """The smallest budget that reads the store once per period."""
        return self.store_bytes / self.period.total_seconds()


def pull_in_longer_schedules(session: Session, *, now: datetime, recheck_after: timedelta) -> int:
    """After the period was shortened, reports scheduled under the longer one (due later than
    now + period) would wait for their old date: make them the scrub's next reads. The margin
    leaves alone reports another verifier is reading right now (it schedules them at its now +
    period). Returns how many were moved."""
    return session.execute(
        update(MedicalReport)
        .where(_VERIFIED, MedicalReport.next_check_at > now + recheck_after + SCRUB_WINDOW)
        .values(next_check_at=now + recheck_after - SCRUB_WINDOW)
    ).rowcount


def scrub_coverage(session: Session, *, bytes_per_s: float, period: timedelta) -> ScrubCoverage:
    reports, store = session.execute(
        select(func.count(), func.coalesce(func.sum(MedicalReport.size_bytes), 0))
        .where(MedicalReport.status == "verified")
    ).one()
    return ScrubCoverage(int(reports), int(store), bytes_per_s, period)


# ---- access ---------------------------------------------------------------------------------


def _may_read(actor: User, report: MedicalReport) -> bool:
    if actor.status != "active":
        return False
    if actor.role == Role.CITIZEN:
        return report.patient_id == actor.id
    if actor.role == Role.HOSPITAL_ADMIN:
        return report.hospital_id is not None and report.hospital_id == actor.hospital_id
    return False


def list_for(session: Session, *, actor: User) -> list[MedicalReport]:
    if actor.role == Role.CITIZEN:
        query = select(MedicalReport).where(MedicalReport.patient_id == actor.id)
    elif actor.role == Role.HOSPITAL_ADMIN and actor.hospital_id is not None:
        query = select(MedicalReport).where(MedicalReport.hospital_id == actor.hospital_id)
    else:
        raise NotAllowed(N_("Reports are for patients and the hospitals that upload them."))
    return list(session.execute(query.order_by(MedicalReport.uploaded_at.desc())).scalars())


def patient_names(session: Session, reports: list[MedicalReport]) -> dict[int, str]:
    ids = {r.patient_id for r in reports}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@dataclass(frozen=True)
class DownloadDecision:
    """Returned, not raised: a refusal is audited and the audit entry must be committed.
    `message` is marked (N_): the page translates it."""

    allowed: bool
    status_code: int = 200
    message: str = ""
    report: MedicalReport | None = None
    path: Path | None = None


def authorise_download(session: Session, *, actor: User, report_id: int, upload_dir: Path, hmac_key: bytes,
                       now: datetime) -> DownloadDecision:
    """Authorise a download and re-check the file right before serving it: a file tampered
    with since its last check is refused (and flagged), never served."""

    def refuse(code: int, message: str, reason: str) -> DownloadDecision:
        audit.record(session, actor=actor, action="report.download", now=now, target_type="report",
                     target_id=report_id, outcome="refused", detail={"reason": reason})
        return DownloadDecision(False, code, message)

    report = session.get(MedicalReport, report_id)
    if report is None or not _may_read(actor, report):
        return refuse(404, N_("No report with that number is yours to open."), "not yours")
    if report.status == "pending":
        return refuse(409, N_("This report is still being checked. Try again in a minute."), "pending")
    failed = N_("This report failed its integrity check and cannot be opened. The hospital has been told.")
    if report.status != "verified":
        return refuse(409, failed, report.status)
    ok, reason = check_integrity(report, upload_dir=upload_dir, hmac_key=hmac_key)
    if not ok:
        report.status, report.mismatch_reason, report.next_check_at = "mismatch", reason, None
        audit.record(session, actor=None, action="report.mismatch", now=now, target_type="report",
                     target_id=report.id, outcome="error", detail={"reason": reason, "found_at": "download"})
        return refuse(409, failed, "mismatch")
    audit.record(session, actor=actor, action="report.download", now=now, target_type="report",
                 target_id=report.id)
    return DownloadDecision(True, 200, "", report, storage_path(upload_dir, report.stored_name))


def mismatch_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(MedicalReport)
                           .where(MedicalReport.status == "mismatch")).scalar_one()

"""The report scrub: verified reports are re-read continuously, least recently checked first,
within a read budget shared by every verifier, so a changed byte is found within store ÷ budget
seconds and not only when the daily re-check comes round. A fixed clock; SQLite and PostgreSQL.
No report is read twice within reports.SCRUB_WINDOW (60 s), so the clock moves by more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from db import reports
from db.models import MedicalReport, User
from tests.builders import KEY, T0, add_user, pdf_bytes, stream

FILE = 32 * 1024  # every report here is exactly this big (unless said otherwise)
BUDGET = 0.8 * FILE  # bytes/s (0.025 MB/s)
BURST = timedelta(seconds=5)  # the job's interval: one call reads at most BUDGET × 5 s = 4 files
PER_CALL = int(BUDGET * BURST.total_seconds())
DAY = timedelta(hours=24)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "uploads"


def _data(index: int, size: int = FILE) -> bytes:
    data = pdf_bytes(f"report {index}")
    return data + b"\n" * (size - len(data))


def _verified_store(session, store, count: int, sizes: dict | None = None) -> list[MedicalReport]:
    """`count` reports uploaded and verified at T0 (the ordinary first verification)."""
    citizen = add_user(session)
    made = [reports.create_report(session, actor=citizen, source=stream(_data(i, (sizes or {}).get(i, FILE))),
                                  original_name=f"r{i}.pdf", title="", upload_dir=store, max_bytes=10**7,
                                  hmac_key=KEY, now=T0) for i in range(count)]
    assert reports.verify_due(session, now=T0, upload_dir=store, hmac_key=KEY, recheck_after=DAY,
                              limit=count).verified == count
    session.commit()
    return made


def _scrub(session, store, now, *, budget=BUDGET, burst=BURST, worker="test"):
    summary = reports.verify_due(session, now=now, upload_dir=store, hmac_key=KEY, worker=worker, recheck_after=DAY,
                                 scrub_bytes_per_s=budget, scrub_burst=burst)
    session.commit()
    return summary


def _change_one_byte(store, report) -> None:
    path = reports.storage_path(store, report.stored_name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_one_byte_change_is_flagged_within_store_size_over_budget(session, store, clock):
    _verified_store(session, store, 64)
    bound = 64 * FILE / BUDGET  # 80 s
    reads = []

    def scrub():
        summary = _scrub(session, store, clock.advance(seconds=5))
        reads.append(summary.rechecked_bytes + summary.mismatched * FILE)
        assert reads[-1] <= PER_CALL  # the budget, every call
        return summary

    # A first full pass, so the store is as it always is: every report last read by the scrub.
    while session.execute(select(func.min(MedicalReport.next_check_at))).scalar_one() <= T0 + DAY:
        assert scrub().mismatched == 0
        assert clock() - T0 <= timedelta(seconds=60 + bound + 5)
    # The worst case: a byte changes in the report the scrub has just read.
    victim = session.execute(select(MedicalReport).order_by(MedicalReport.next_check_at.desc(),
                                                            MedicalReport.id.desc())).scalars().first()
    _change_one_byte(store, victim)
    changed_at = clock()
    while not scrub().mismatched:
        assert clock() - changed_at <= timedelta(seconds=bound) + BURST, "not flagged within store ÷ budget"
    assert clock() - changed_at >= timedelta(seconds=bound) - BURST  # it really was the worst case
    session.refresh(victim)
    assert victim.status == "mismatch" and "content changed" in victim.mismatch_reason
    others = session.execute(select(MedicalReport.status).where(MedicalReport.id != victim.id)).scalars().all()
    assert set(others) == {"verified"}


def test_the_least_recently_checked_are_read_first_and_the_queue_turns(session, store, clock):
    made = _verified_store(session, store, 8)
    # Last checked at different times, in an order unrelated to the ids.
    last_checked = {report.id: T0 - timedelta(minutes=m) for report, m in zip(made, (5, 40, 1, 30, 20, 2, 10, 50),
                                                                              strict=True)}
    for report_id, at in last_checked.items():
        session.execute(update(MedicalReport).where(MedicalReport.id == report_id).values(next_check_at=at + DAY))
    session.commit()
    oldest_first = sorted(last_checked, key=last_checked.get)

    def read_at(now):
        return {r.id for r in session.execute(select(MedicalReport)
                                              .where(MedicalReport.next_check_at == now + DAY)).scalars()}

    first = _scrub(session, store, clock())
    assert first.rechecked == 4 and read_at(clock()) == set(oldest_first[:4])
    _scrub(session, store, clock.advance(seconds=5))
    assert read_at(clock()) == set(oldest_first[4:])
    # Everyone was read within the last minute: nobody is read twice in a window.
    assert _scrub(session, store, clock.advance(seconds=5)).rechecked == 0
    # Then the pass starts again with those read longest ago.
    _scrub(session, store, clock.advance(seconds=55))
    assert read_at(clock()) == set(oldest_first[:4])


def test_the_budget_bounds_each_call_and_all_verifiers_together(session, store, clock):
    sizes = {0: 3 * FILE, 1: 2 * FILE}
    _verified_store(session, store, 70, sizes=sizes)
    # One call: at most BUDGET × BURST (4 files): 3 + 2 would be 5, so only the first.
    start = clock.advance(seconds=65)
    assert _scrub(session, store, start).rechecked_bytes == 3 * FILE
    # Every verifier (or call) shares one budget: within the window, budget × (window + burst),
    # 52 files here, however many calls are made at that moment.
    got = [_scrub(session, store, start, worker=f"w{i}").rechecked_bytes for i in range(20)]
    assert max(got) <= PER_CALL and 3 * FILE + sum(got) == BUDGET * 65 and got[-1] == 0
    # A report larger than a call's allowance (half a file here) is still read, but only when
    # nothing else was read in the window: the window then holds the next one back.
    quiet = clock.advance(minutes=5)
    got = [_scrub(session, store, quiet, budget=FILE / 10, worker=f"w{i}").rechecked_bytes for i in range(2)]
    assert got == [FILE, 0]


def test_new_uploads_are_verified_at_once_even_when_the_budget_is_spent(session, store, clock):
    made = _verified_store(session, store, 4)
    four_a_window = 4 * FILE / 65
    assert _scrub(session, store, clock.advance(seconds=61), budget=four_a_window,
                  burst=timedelta(seconds=65)).rechecked == 4
    patient = session.get(User, made[0].patient_id)
    new = reports.create_report(session, actor=patient, source=stream(_data(99)), original_name="new.pdf",
                                title="", upload_dir=store, max_bytes=10**7, hmac_key=KEY, now=clock())
    session.commit()
    summary = _scrub(session, store, clock.advance(seconds=1), budget=four_a_window)
    assert summary.verified == 1 and summary.rechecked == 0
    session.refresh(new)
    assert new.status == "verified"


def test_an_intact_file_records_one_round_a_period_however_often_it_is_read(session, store, clock):
    [report] = _verified_store(session, store, 1)
    for _ in range(30):
        assert _scrub(session, store, clock.advance(seconds=65)).rechecked == 1
    session.refresh(report)
    assert report.check_round == 1  # 30 reads, still the first round: no row per pass
    clock.advance(hours=24)
    _scrub(session, store, clock())
    session.refresh(report)
    assert report.check_round == 2 and report.status == "verified"
    _change_one_byte(store, report)
    assert _scrub(session, store, clock.advance(seconds=65)).mismatched == 1
    session.refresh(report)
    assert report.check_round == 3 and report.status == "mismatch"


def test_a_report_not_read_within_its_period_is_reported_overdue(session, store, clock):
    _verified_store(session, store, 2)
    assert _scrub(session, store, clock.advance(hours=1)).overdue_s == 0
    assert _scrub(session, store, clock.advance(hours=25)).overdue_s > 0


def test_coverage_says_whether_the_budget_reads_the_store_within_the_period(session, store):
    _verified_store(session, store, 16)
    fits = reports.scrub_coverage(session, bytes_per_s=BUDGET, period=DAY)
    assert fits.reports == 16 and fits.store_bytes == 16 * FILE and fits.covered
    assert fits.pass_seconds == pytest.approx(20)
    short = reports.scrub_coverage(session, bytes_per_s=BUDGET, period=timedelta(seconds=10))
    assert not short.covered and short.needed_bytes_per_s == pytest.approx(2 * BUDGET)


def test_reports_scheduled_under_a_longer_period_are_pulled_into_a_shorter_one(session, store, clock):
    made = _verified_store(session, store, 3)  # due again in 24 h
    hour = timedelta(hours=1)
    now = clock.advance(minutes=2)
    assert reports.verify_due(session, now=now, upload_dir=store, hmac_key=KEY, recheck_after=hour,
                              scrub_bytes_per_s=BUDGET, scrub_burst=BURST).rechecked == 0
    assert reports.pull_in_longer_schedules(session, now=now, recheck_after=hour) == 3
    assert reports.verify_due(session, now=now, upload_dir=store, hmac_key=KEY, recheck_after=hour,
                              scrub_bytes_per_s=BUDGET, scrub_burst=BURST).rechecked == 3
    assert reports.pull_in_longer_schedules(session, now=now, recheck_after=hour) == 0
    assert {r.next_check_at for r in made} == {now + hour}

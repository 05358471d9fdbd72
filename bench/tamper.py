"""tamper_detect_s: how long the report scrub takes to flag a one-byte change in a random stored
report, on a 1 GiB store (256 reports of 4 MiB; 50, 200 MiB, with --quick) at the default read
budget (HEALTHFIRST_REPORT_SCRUB_MB_PER_S), running the real job body (jobs.verify_reports.verify,
through jobs.runner.run_recorded) every INTERVAL_SECONDS as the job process's scheduler does.

The store starts as the scrub keeps it: every report verified, last read at moments spread evenly
over the last full pass (store ÷ budget), so the one read longest ago is next. The expected bound
is store ÷ budget (plus one interval): the changed report is flagged when the scrub comes round to
it, at most one full pass later. (No report is read twice within db.reports.SCRUB_WINDOW, 60 s,
so for a store smaller than budget × 60 s, as with --quick, the pass and the bound are 60 s.)"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.env import HMAC_KEY, Bench, add_users, log, utcnow
from bench.results import Result

MIB = 1024 * 1024
FILE_MIB = 4


def _write_store(session, upload_dir: Path, patient_id: int, files: int, period: timedelta,
                 pass_seconds: float) -> list[int]:
    from db.models import MedicalReport, ReportCheck
    from db.reports import keyed_digest, storage_path

    block = secrets.token_bytes(FILE_MIB * MIB)
    now = utcnow()
    ids = []
    for index in range(files):
        name = secrets.token_hex(16)
        # The same random block behind a distinct first line: quick to write, a distinct digest each.
        data = (b"%PDF-1.7 " + index.to_bytes(8, "big") + secrets.token_bytes(16)) + block[25:]
        path = storage_path(upload_dir, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        # Last read (index + 1) / files of a pass ago: the oldest first in the scrub's queue.
        last_read = now - timedelta(seconds=pass_seconds * (files - index) / files) - timedelta(seconds=1)
        report = MedicalReport(
            patient_id=patient_id, uploaded_by_id=patient_id, hospital_id=None, title="bench", original_name="b.pdf",
            stored_name=name, content_type="application/pdf", size_bytes=len(data), sha256=sha,
            hmac_sha256=keyed_digest(HMAC_KEY.encode(), sha, name, patient_id), status="verified",
            uploaded_at=last_read, verified_at=last_read, next_check_at=last_read + period, check_round=1)
        session.add(report)
        session.flush()
        session.add(ReportCheck(report_id=report.id, round=1, result="verified", checked_at=last_read,
                                worker="bench"))
        ids.append(report.id)
    session.flush()
    return ids


def _flip_one_byte(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0x01]))


def run(bench: Bench) -> list[Result]:
    from db.engine import make_session_factory, session_scope
    from db.models import MedicalReport
    from db.reports import SCRUB_WINDOW, storage_path
    from jobs import verify_reports
    from jobs.runner import run_recorded

    files = 50 if bench.quick else 256
    database = bench.new_database("tamper")
    upload_dir = bench.folder("tamper/uploads")
    env = bench.env_for(database, bench.folder("tamper/instance"), upload_dir)
    config = bench.config_for(env)  # the default budget and period
    budget = config.report_scrub_mb_per_s * MIB
    period = timedelta(hours=config.report_recheck_hours)
    store = files * FILE_MIB * MIB
    # No report is read twice within the scrub's window: a store smaller than budget × window is
    # read once a window (the quick run's 200 MiB).
    bound = max(store / budget, SCRUB_WINDOW.total_seconds())
    interval = verify_reports.INTERVAL_SECONDS
    engine = database.engine()
    factory = make_session_factory(engine)
    try:
        log(f"tamper: writing {files} × {FILE_MIB} MiB ({store / MIB:.0f} MiB), budget {budget / MIB:g} MB/s")
        with session_scope(factory) as session:
            patient_id = add_users(session, "citizen", 1, prefix="tamper-citizen")[0].id
            ids = _write_store(session, upload_dir, patient_id, files, period, bound)
        position = random.randrange(files)
        victim = ids[position]
        with factory() as session:
            stored_name = session.get(MedicalReport, victim).stored_name
        state = verify_reports.ScrubState()
        started_at = utcnow()
        _flip_one_byte(storage_path(upload_dir, stored_name))
        changed = time.monotonic()
        log(f"tamper: changed one byte of report {position + 1} of {files} in the queue; "
            f"expected within {bound:.0f} s (+ {interval} s)")
        detected, runs, tick = None, 0, changed
        while time.monotonic() - changed < 2 * bound + 60:
            run_recorded(factory, "report_verification",
                         lambda session: verify_reports.verify(session, now=utcnow(), config=config, worker="bench",
                                                               state=state),
                         record_idle=False)
            runs += 1
            with factory() as session:
                if session.get(MedicalReport, victim).status == "mismatch":
                    detected = time.monotonic() - changed
                    break
            tick += interval  # the scheduler's fixed interval, from start to start
            time.sleep(max(0.0, tick - time.monotonic()))
        elapsed = time.monotonic() - changed
        with factory() as session:  # what the scrub read meanwhile (the budget respected?)
            read = session.execute(select(func.coalesce(func.sum(MedicalReport.size_bytes), 0)).where(
                MedicalReport.next_check_at > started_at + period)).scalar_one()
            read = int(read)
        detail = {"files": files, "store_mib": store // MIB, "budget_mb_s": budget / MIB,
                  "bound_s": round(bound, 1), "interval_s": interval, "queue_position": position + 1,
                  "runs": runs, "read_mib": round(read / MIB, 1),
                  "read_mb_s": round(read / MIB / max(elapsed, 1e-9), 2)}
        if detected is None:
            detail["error"] = f"not flagged within {elapsed:.0f} s"
        value = None if detected is None else round(detected, 1)
        why = "store ÷ budget" if store / budget >= SCRUB_WINDOW.total_seconds() else "the scrub's window"
        target = f"≤ {bound:.0f} s ({why}) + {interval} s"
        log(f"tamper: flagged after {value} s; read {detail['read_mib']} MiB at {detail['read_mb_s']} MB/s")
        ok = detected is not None and detected <= bound + 2 * interval
        return [Result("tamper_detect_s", value, "s", target, ok, detail)]
    finally:
        engine.dispose()
        bench.drop_database(database)

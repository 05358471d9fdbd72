"""verify_ratio / verify_rss_mb: the report verifier (db.reports.verify_due, as the job runs it)
against plain hashlib.sha256 over the same files in the same run, and its peak memory while
checking one 500 MB file (in a subprocess, RSS sampled every 10 ms with psutil)."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from bench.env import HMAC_KEY, PROJECT_ROOT, Bench, add_users, log, utcnow
from bench.results import Result

MIB = 1024 * 1024


def _write_file(path: Path, size_mib: int, block: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for index in range(size_mib):
            chunk = (b"%PDF-1.7 " if index == 0 else b"") + index.to_bytes(8, "big") + secrets.token_bytes(8) + block
            chunk = chunk[:MIB]
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def _add_reports(session, upload_dir: Path, patient_id: int, sizes_mib: list[int], block: bytes) -> list[Path]:
    from db.models import MedicalReport
    from db.reports import keyed_digest, storage_path

    paths = []
    now = utcnow()
    for size in sizes_mib:
        name = secrets.token_hex(16)
        path = storage_path(upload_dir, name)
        sha = _write_file(path, size, block)
        session.add(MedicalReport(
            patient_id=patient_id, uploaded_by_id=patient_id, hospital_id=None, title="bench", original_name="b.pdf",
            stored_name=name, content_type="application/pdf", size_bytes=size * MIB, sha256=sha,
            hmac_sha256=keyed_digest(HMAC_KEY.encode(), sha, name, patient_id), status="pending",
            uploaded_at=now, next_check_at=now, check_round=0))
        paths.append(path)
    session.flush()
    return paths


def _plain(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            hashlib.file_digest(handle, "sha256")
    return time.perf_counter() - started


def _verifier(factory, upload_dir: Path) -> tuple[float, int]:
    from db.engine import session_scope
    from db.reports import verify_due

    verified = 0
    started = time.perf_counter()
    while True:
        with session_scope(factory) as session:
            summary = verify_due(session, now=utcnow(), upload_dir=upload_dir, hmac_key=HMAC_KEY.encode(),
                                 worker="bench")
        if not (summary.verified or summary.mismatched):
            break
        verified += summary.verified
    return time.perf_counter() - started, verified


def _reset(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM report_checks"))
        connection.execute(text("UPDATE medical_reports SET status = 'pending', check_round = 0, verified_at = NULL, "
                                "next_check_at = now()"))


def _rss_of_child(database, upload_dir: Path) -> dict:
    import psutil

    env = dict(os.environ, HEALTHFIRST_REPORT_HMAC_KEY=HMAC_KEY)
    child = subprocess.Popen([sys.executable, "-m", "bench.verify_child", database.url, str(upload_dir)],
                             cwd=PROJECT_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        proc = psutil.Process(child.pid)
        line = child.stdout.readline().strip()
        if line != "idle":
            raise RuntimeError(f"verifier child said {line!r}")
        idle = 0
        for _ in range(20):
            idle = max(idle, proc.memory_info().rss)
            time.sleep(0.01)
        done: list[str] = []
        reader = threading.Thread(target=lambda: done.append(child.stdout.readline().strip()), daemon=True)
        child.stdin.write("go\n")
        child.stdin.flush()
        reader.start()
        peak = idle
        started = time.perf_counter()
        while reader.is_alive() and time.perf_counter() - started < 300:
            try:
                peak = max(peak, proc.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.01)
        reader.join(5)
        elapsed = time.perf_counter() - started
        if not done or not done[0].startswith("done"):
            raise RuntimeError(f"verifier child did not finish: {done}")
        return {"idle_mb": round(idle / MIB, 1), "peak_mb": round(peak / MIB, 1),
                "above_idle_mb": round((peak - idle) / MIB, 1), "seconds": round(elapsed, 2), "child": done[0]}
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)


def run(bench: Bench) -> list[Result]:
    from db.engine import make_session_factory, session_scope

    files, size = (10, 20) if bench.quick else (50, 20)  # 200 MiB / 1,000 MiB of 20 MiB reports (the cap)
    database = bench.new_database("verify")
    upload_dir = bench.folder("verify/uploads")
    engine = database.engine()
    factory = make_session_factory(engine)
    results = []
    try:
        block = secrets.token_bytes(MIB)
        log(f"verify: writing {files} × {size} MiB")
        with session_scope(factory) as session:
            patient = add_users(session, "citizen", 1, prefix="verify-citizen")[0]
            patient_id = patient.id
            paths = _add_reports(session, upload_dir, patient_id, [size] * files, block)
        total_mib = files * size
        plain_times, verify_times = [], []
        for attempt in range(2):
            plain_times.append(_plain(paths))
            _reset(engine)
            seconds, verified = _verifier(factory, upload_dir)
            if verified != files:
                raise RuntimeError(f"the verifier verified {verified} of {files} reports")
            verify_times.append(seconds)
            log(f"verify round {attempt + 1}: plain {plain_times[-1]:.2f} s, verifier {seconds:.2f} s")
        plain_best, verify_best = min(plain_times), min(verify_times)
        ratio = round(plain_best / verify_best, 3)
        results.append(Result("verify_ratio", ratio, "×", "≥ 0.8", ratio >= 0.8, {
            "files": files, "mib": total_mib, "plain_mib_s": round(total_mib / plain_best, 1),
            "verifier_mib_s": round(total_mib / verify_best, 1), "plain_s": [round(t, 3) for t in plain_times],
            "verifier_s": [round(t, 3) for t in verify_times]}))
        for path in paths:
            path.unlink()
        with engine.begin() as connection:  # nothing else due: the child checks the big file only
            connection.execute(text("UPDATE medical_reports SET status = 'mismatch', next_check_at = NULL"))
        big = 500
        log(f"verify: writing one {big} MiB file for the memory figure")
        with session_scope(factory) as session:
            big_paths = _add_reports(session, upload_dir, patient_id, [big], block)
        rss = _rss_of_child(database, upload_dir)
        rss["file_mib"] = big
        for path in big_paths:
            path.unlink()
        results.append(Result("verify_rss_mb", rss["above_idle_mb"], "MB above idle", "≤ 64",
                              rss["above_idle_mb"] <= 64, rss))
        return results
    finally:
        engine.dispose()
        bench.drop_database(database)

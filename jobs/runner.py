"""Runs one job body in its own transaction and records its outcome for the console."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from db import jobhealth
from db.clock import utcnow
from db.engine import session_scope

log = logging.getLogger("healthfirst.jobs")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_recorded(factory: sessionmaker[Session], name: str, body: Callable[[Session], object],
                 *, record_idle: bool = True) -> None:
    """Run `body(session)`; a job_runs row says how it ended. A frequent job's body returns None
    when it found nothing to do; with record_idle=False such runs leave no row."""
    started = utcnow()
    detail = None
    try:
        with session_scope(factory) as session:
            detail = body(session)
        outcome, text = "ok", "" if detail is None else str(detail)
    except Exception as error:  # a job must never take the scheduler down with it
        log.error("job %s failed: %s", name, traceback.format_exc())
        outcome, text = "error", f"{type(error).__name__}: {error}"
    if outcome == "ok" and detail is None and not record_idle:
        return
    try:
        with session_scope(factory) as session:
            jobhealth.record_run(session, job_name=name, worker=worker_name(), started_at=started,
                                 finished_at=utcnow(), outcome=outcome, detail=text)
    except Exception:
        log.exception("could not record the run of job %s", name)

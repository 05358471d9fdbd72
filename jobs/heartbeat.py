"""Heartbeat: proves to the super admin's console that a job process is alive."""

from datetime import datetime

from sqlalchemy.orm import Session

from db import jobhealth


def beat(session: Session, *, worker: str, started_at: datetime, now: datetime) -> None:
    jobhealth.record_heartbeat(session, worker=worker, started_at=started_at, now=now)

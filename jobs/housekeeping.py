"""Housekeeping: keep operational tables from growing without bound."""

from datetime import datetime

from sqlalchemy.orm import Session

from db import jobhealth, positions


def prune(session: Session, *, now: datetime) -> str:
    removed = jobhealth.prune_runs(session, now=now)
    return f"removed {removed} old job runs"


def prune_tracks(session: Session, *, now: datetime, retention_days: int) -> str | None:
    """Ambulance track rows past their retention, a batch per run (db.positions.prune)."""
    removed = positions.prune(session, now=now, retention_days=retention_days)
    return f"removed {removed} old unit positions" if removed else None

"""Housekeeping: keep operational tables from growing without bound."""

from datetime import datetime

from sqlalchemy.orm import Session

from db import jobhealth


def prune(session: Session, *, now: datetime) -> str:
    removed = jobhealth.prune_runs(session, now=now)
    return f"removed {removed} old job runs"

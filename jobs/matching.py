"""Matching job: offers due SOS to their next ring of hospitals, marks exhausted ones unanswered."""

from datetime import datetime

from sqlalchemy.orm import Session

from config import Config
from db import matching


def match(session: Session, *, now: datetime, config: Config) -> str | None:
    """Returns a summary, or None when nothing was due."""
    summary = matching.match_due_as_configured(session, now=now, config=config)
    if not (summary.offered or summary.unanswered):
        return None
    return str(summary)

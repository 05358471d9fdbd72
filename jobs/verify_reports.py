"""Report verification job: re-read pending reports (and verified ones due a re-check)."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from config import Config
from db import reports


def verify(session: Session, *, now: datetime, config: Config, worker: str) -> str | None:
    """Returns a summary, or None when nothing was due."""
    summary = reports.verify_due(session, now=now, upload_dir=config.upload_dir, hmac_key=config.report_hmac_key,
                                 worker=worker, recheck_after=timedelta(hours=config.report_recheck_hours))
    if not (summary.verified or summary.mismatched):
        return None
    return str(summary)

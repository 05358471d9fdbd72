"""Report verification job: read new reports at once, and scrub the verified ones.

The scrub re-reads the least recently checked verified reports within a read budget
(`report_scrub_mb_per_s`, all job processes together), so a changed byte anywhere in the store is
found within store size ÷ budget seconds (at least a minute: no report is read twice a minute). Every COVERAGE_EVERY the job also says whether that
budget reads the whole store within the re-check period (`report_recheck_hours`); when it does not,
or when a report was found overdue, it warns in the log and in the run the console shows, rather
than falling behind silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from config import Config
from db import reports

log = logging.getLogger("healthfirst.jobs")

# The scheduler runs the job this often; one run reads at most budget × this.
INTERVAL_SECONDS = 5
COVERAGE_EVERY = timedelta(minutes=10)
# A report re-read later than this after its period ended means the scrub is behind.
OVERDUE_WARN_S = 60
MB = 1024 * 1024


@dataclass
class ScrubState:
    """Per job process: when the store's coverage is next worked out."""

    next_coverage_at: datetime | None = None


_STATE = ScrubState()


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def describe(coverage: reports.ScrubCoverage) -> str:
    budget = coverage.bytes_per_s / MB
    period = _duration(coverage.period.total_seconds())
    read = (f"{coverage.reports} verified reports, {coverage.store_bytes / MB:.1f} MB: a full pass takes "
            f"{_duration(coverage.pass_seconds)} at {budget:g} MB/s")
    if coverage.covered:
        return f"scrub: {read} (every report re-read at least every {period})"
    return (f"SCRUB FALLING BEHIND: {read}, longer than the {period} re-check period; set "
            f"HEALTHFIRST_REPORT_SCRUB_MB_PER_S to at least {coverage.needed_bytes_per_s / MB:.3g}")


def verify(session: Session, *, now: datetime, config: Config, worker: str,
           state: ScrubState | None = None) -> str | None:
    """Returns what to record for the console, or None when there is nothing new to say (no report
    verified or flagged, no coverage figure due): scrub passes that find files intact every few
    seconds leave no run row."""
    state = state or _STATE
    budget = config.report_scrub_mb_per_s * MB
    period = timedelta(hours=config.report_recheck_hours)
    summary = reports.verify_due(session, now=now, upload_dir=config.upload_dir, hmac_key=config.report_hmac_key,
                                 worker=worker, recheck_after=period, scrub_bytes_per_s=budget,
                                 scrub_burst=timedelta(seconds=INTERVAL_SECONDS))
    said = []
    if summary.verified or summary.mismatched:
        said.append(str(summary))
    if budget and summary.overdue_s > OVERDUE_WARN_S:
        text = f"SCRUB FALLING BEHIND: a report was re-read {_duration(summary.overdue_s)} after its re-check was due"
        log.warning("report verification: %s", text)
        said.append(text)
    if budget and (state.next_coverage_at is None or now >= state.next_coverage_at):
        state.next_coverage_at = now + COVERAGE_EVERY
        reports.pull_in_longer_schedules(session, now=now, recheck_after=period)
        coverage = reports.scrub_coverage(session, bytes_per_s=budget, period=period)
        text = describe(coverage)
        if coverage.covered:
            log.info("report verification: %s", text)
        else:
            log.warning("report verification: %s", text)
        said.append(text)
    return "; ".join(said) or None

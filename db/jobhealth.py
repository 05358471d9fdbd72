"""Job health: heartbeats of job processes and the last run of each job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.models import JobHeartbeat, JobRun

# Runs older than this are pruned: job health needs the latest runs, not a full history.
RUN_RETENTION = timedelta(days=7)


def record_heartbeat(session: Session, *, worker: str, started_at: datetime, now: datetime) -> None:
    beat = session.get(JobHeartbeat, worker)
    if beat is None:
        session.add(JobHeartbeat(worker=worker, started_at=started_at, last_beat_at=now))
    else:
        beat.last_beat_at = now
        beat.started_at = started_at
    session.flush()


def record_run(
    session: Session,
    *,
    job_name: str,
    worker: str,
    started_at: datetime,
    finished_at: datetime,
    outcome: str,
    detail: str = "",
) -> None:
    session.add(
        JobRun(
            job_name=job_name,
            worker=worker,
            started_at=started_at,
            finished_at=finished_at,
            outcome=outcome,
            detail=detail[:2000],
        )
    )
    session.flush()


def prune_runs(session: Session, *, now: datetime) -> int:
    return session.execute(delete(JobRun).where(JobRun.finished_at < now - RUN_RETENTION)).rowcount


@dataclass(frozen=True)
class JobHealth:
    last_beat_at: datetime | None
    alive: bool
    workers: list[JobHeartbeat]
    last_runs: list[JobRun]


def job_health(session: Session, *, now: datetime, stale_after: timedelta) -> JobHealth:
    workers = list(
        session.execute(select(JobHeartbeat).order_by(JobHeartbeat.last_beat_at.desc())).scalars()
    )
    last_beat = workers[0].last_beat_at if workers else None
    latest = (
        select(JobRun.job_name, func.max(JobRun.id).label("id")).group_by(JobRun.job_name).subquery()
    )
    last_runs = list(
        session.execute(
            select(JobRun).join(latest, JobRun.id == latest.c.id).order_by(JobRun.job_name)
        ).scalars()
    )
    alive = last_beat is not None and now - last_beat <= stale_after
    return JobHealth(last_beat_at=last_beat, alive=alive, workers=workers, last_runs=last_runs)

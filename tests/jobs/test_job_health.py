"""The job process's heartbeat and job records, with a fixed clock."""

from datetime import timedelta

from db import jobhealth
from jobs import heartbeat
from jobs.runner import run_recorded
from tests.builders import T0


def test_heartbeat_shows_the_job_process_alive_then_stopped(db, clock):
    with db.factory() as session:
        heartbeat.beat(session, worker="host:1", started_at=T0, now=clock())
        session.commit()
        health = jobhealth.job_health(session, now=clock.advance(seconds=20),
                                      stale_after=timedelta(seconds=30))
        assert health.alive and health.last_beat_at == T0
        health = jobhealth.job_health(session, now=clock.advance(seconds=20),
                                      stale_after=timedelta(seconds=30))
        assert not health.alive


def test_beating_twice_keeps_one_row_per_worker(db, clock):
    with db.factory() as session:
        heartbeat.beat(session, worker="host:1", started_at=T0, now=clock())
        heartbeat.beat(session, worker="host:1", started_at=T0, now=clock.advance(seconds=10))
        session.commit()
        health = jobhealth.job_health(session, now=clock(), stale_after=timedelta(seconds=30))
        assert len(health.workers) == 1 and health.last_beat_at == clock()


def test_a_failing_job_is_recorded_and_its_changes_rolled_back(db):
    def failing(session):
        heartbeat.beat(session, worker="half-done", started_at=T0, now=T0)
        raise RuntimeError("disk full")

    run_recorded(db.factory, "demo-job", failing)
    run_recorded(db.factory, "other-job", lambda session: "did 3 things")
    with db.factory() as session:
        health = jobhealth.job_health(session, now=T0, stale_after=timedelta(seconds=30))
        runs = {run.job_name: run for run in health.last_runs}
        assert runs["demo-job"].outcome == "error" and "disk full" in runs["demo-job"].detail
        assert runs["other-job"].outcome == "ok" and runs["other-job"].detail == "did 3 things"
        assert health.workers == []  # the failed job's write did not stay

"""`python -m jobs`: the scheduler process.

APScheduler's job store cannot be shared between processes, so the scheduler lives here and
never in a web worker. Every job is safe to run twice or in several processes at once.
"""

from __future__ import annotations

import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

from config import Config
from db.clock import utcnow
from db.engine import make_engine, make_session_factory, session_scope, upgrade_database
from jobs import demo_city, heartbeat, housekeeping, matching, verify_reports
from jobs.runner import log, run_recorded, worker_name


def build_scheduler(config: Config) -> BlockingScheduler:
    factory = make_session_factory(make_engine(config.database_url, pool_size=2, max_overflow=2))
    started_at = utcnow()
    worker = worker_name()

    def beat():
        try:
            with session_scope(factory) as session:
                heartbeat.beat(session, worker=worker, started_at=started_at, now=utcnow())
        except Exception:
            log.exception("heartbeat failed (database unreachable?); retrying next period")

    def match_sos():
        run_recorded(factory, "sos_matching",
                     lambda session: matching.match(session, now=utcnow(), config=config),
                     record_idle=False)

    def check_reports():
        run_recorded(factory, "report_verification",
                     lambda session: verify_reports.verify(session, now=utcnow(), config=config, worker=worker),
                     record_idle=False)

    def keep_house():
        run_recorded(factory, "housekeeping", lambda session: housekeeping.prune(session, now=utcnow()))

    def prune_tracks():
        run_recorded(factory, "track_pruning", lambda session: housekeeping.prune_tracks(
            session, now=utcnow(), retention_days=config.position_retention_days), record_idle=False)

    def demo_drive():
        run_recorded(factory, "demo_units", lambda session: demo_city.drive_units(
            session, now=utcnow(), kmh=config.ambulance_kmh), record_idle=False)

    def demo_freshen():
        run_recorded(factory, "demo_figures", lambda session: demo_city.freshen(session, now=utcnow()),
                     record_idle=False)

    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for func, trigger_args in (
        (beat, {"seconds": config.heartbeat_seconds}),
        (match_sos, {"seconds": config.match_interval_seconds}),
        (check_reports, {"seconds": verify_reports.INTERVAL_SECONDS}),  # also the scrub's pace
        (keep_house, {"hours": 1}),
        (prune_tracks, {"minutes": 10}),
    ) + (
        # The demo city only: never where demo data is off (a real deployment).
        ((demo_drive, {"seconds": demo_city.INTERVAL_SECONDS}),
         (demo_freshen, {"seconds": demo_city.FRESHEN_EVERY_SECONDS})) if config.demo_data else ()
    ):
        scheduler.add_job(func, "interval", id=func.__name__, name=func.__name__,
                          replace_existing=True, next_run_time=utcnow(), **trigger_args)
    return scheduler


def main() -> int:
    config = Config.from_env()
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    upgrade_database(config.database_url)
    scheduler = build_scheduler(config)

    def stop(signum, _frame):
        log.info("job process stopping (signal %s)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("job process %s started; heartbeat every %s s", worker_name(), config.heartbeat_seconds)
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())

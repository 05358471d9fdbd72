"""Bringing a database to life: migrations, the rows every install needs, the demo city."""

from __future__ import annotations

from db import demo
from db.capacity import ensure_bed_types
from db.clock import utcnow
from db.engine import make_engine, make_session_factory, session_scope, upgrade_database
from db.guidance import ensure_default_guidance


def prepare_database(database_url: str, *, demo_data: bool) -> bool:
    """Migrate, and fill an empty database with the demo city when `demo_data` is on.
    Returns True if it seeded the demo city now."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            ensure_bed_types(session)
            ensure_default_guidance(session, utcnow())  # every install has first-aid guidance
            if demo_data:
                return demo.seed_demo(session, now=utcnow())
            return False
    finally:
        engine.dispose()


if __name__ == "__main__":
    # `python -m db.setup`: what scripts/run.sh does before starting the two processes.
    from config import Config

    config = Config.from_env()
    prepare_database(config.database_url, demo_data=config.demo_data)

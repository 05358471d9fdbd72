"""Engine, sessions and schema migrations."""

from __future__ import annotations

import math
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_S = 2
# Network loss on an open connection (packets no longer acknowledged) is noticed by the kernel
# within this many milliseconds instead of the default ~15 minutes of retransmissions.
TCP_USER_TIMEOUT_MS = 3000


def bound_database_waits(seconds: float) -> None:
    """Make every wait of this process on PostgreSQL give up after `seconds`.

    A database that accepts a connection but never answers (a stalled server, a hung proxy) would
    otherwise hold a request for as long as the socket lives: the person pressing Accept would see
    nothing. psycopg2 calls this wait function instead of blocking; past the deadline it raises an
    OperationalError that SQLAlchemy takes for a lost connection (it throws the connection away)
    and the web app answers "Not saved" (auth/outage.py). For the web process only: jobs and
    migrations may legitimately wait longer. 0 switches it off.
    """
    import psycopg2.extensions  # only where PostgreSQL is used

    if not seconds:
        psycopg2.extensions.set_wait_callback(None)
        return

    def wait(connection) -> None:
        deadline = time.monotonic() + seconds
        while True:
            state = connection.poll()
            if state == psycopg2.extensions.POLL_OK:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                # The words SQLAlchemy's psycopg2 dialect recognises as a lost connection.
                raise psycopg2.OperationalError(
                    f"could not receive data from server: no answer within {seconds:g} s")
            if state == psycopg2.extensions.POLL_READ:
                select.select([connection.fileno()], [], [], left)
            elif state == psycopg2.extensions.POLL_WRITE:
                select.select([], [connection.fileno()], [], left)
            else:
                raise psycopg2.OperationalError(f"bad state from poll: {state}")

    psycopg2.extensions.set_wait_callback(wait)


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets readers run beside a writer; foreign keys are off by default in SQLite.
            # The driver's own transaction handling is switched off so that BEGIN IMMEDIATE
            # below takes the write lock at the start of every transaction: two writers then
            # queue instead of failing with "database is locked" half-way.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # Nearby searches compute great-circle distances in SQL; PostgreSQL has these built in.
            for name, function in (("sin", math.sin), ("cos", math.cos), ("asin", math.asin), ("sqrt", math.sqrt)):
                dbapi_connection.create_function(name, 1, function, deterministic=True)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
        # An unreachable database must fail a request in seconds, not hang it: the person is told
        # at once that their action was not saved.
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "keepalives": 1, "keepalives_idle": 10,
                      "keepalives_interval": 2, "keepalives_count": 3, "tcp_user_timeout": TCP_USER_TIMEOUT_MS},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Bring the schema to the newest migration; an existing database keeps its data."""
    command.upgrade(alembic_config(url), "head")

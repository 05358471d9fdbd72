"""PostgreSQL statements prepared once per database connection and run on the driver's cursor.

The product's hottest writes (matching an SOS, a hospital's Accept) are one SQL statement each on
PostgreSQL. Prepared once per connection, PostgreSQL plans them once; run straight on the driver's
cursor, they skip SQLAlchemy's statement building and result machinery, which cost more than the
statement itself (measured: db/matching.py, db/sos.py `accept_sos`). Errors are still
SQLAlchemy's (`DBAPIError`), so an outage is told apart as everywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def naive_utc(moment: datetime) -> datetime:
    """The stored form of times (see db.models.UTCDateTime), for a parameter of a raw statement."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def run_prepared(session: Session, name: str, types: str, statement: str, params: list) -> list[tuple]:
    """Run `statement` (parameters `$1`… of the PostgreSQL `types`) in the session's transaction
    as the prepared statement `name`, and return its rows. What the session holds unflushed is
    flushed first: the statement must see it. Rows the statement changes behind the ORM's back
    are the caller's to expire."""
    session.flush()
    connection = session.connection()
    # The pool keeps `info` for the connection's lifetime and starts afresh on a reconnect; a
    # prepared statement outlives a rolled-back transaction.
    prepared = connection.info.setdefault("healthfirst_prepared", set())
    if name not in prepared:
        connection.exec_driver_sql(f"PREPARE {name} ({types}) AS {statement}")
        prepared.add(name)
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        with connection.connection.dbapi_connection.cursor() as cursor:
            cursor.execute(execute, params)
            return cursor.fetchall()
    except driver_error as error:
        raise DBAPIError.instance(execute, params, error, driver_error) from error

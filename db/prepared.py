"""PostgreSQL statements prepared once per database connection and run on the driver's cursor.

The product's hottest writes (matching an SOS, a hospital's Accept) are one SQL statement each on
PostgreSQL. Prepared once per connection, PostgreSQL plans them once; run straight on the driver's
cursor, they skip SQLAlchemy's statement building and result machinery, which cost more than the
statement itself (measured: db/matching.py, db/sos.py `accept_sos`). Errors are still
SQLAlchemy's (`DBAPIError`), so an outage is told apart as everywhere else.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from sqlalchemy import Connection, Select
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


class DriverSelect:
    """A Core SELECT of one row, compiled once per dialect and run straight on the driver's cursor.

    For a read every request makes (the login check, db/users.py `session_row`): SQLAlchemy's
    statement and result machinery cost several times the round trip on a slow machine (measured
    ~0.4 ms a request). The row is what SQLAlchemy would give (each column's own result
    processing: times come back aware) as a dict by column name. It runs outside any transaction:
    on PostgreSQL in autocommit (one round trip, no BEGIN and ROLLBACK; the connection is set back
    before it returns), on SQLite as the engine's driver always runs (db/engine.py: the driver
    begins nothing by itself). On a connection inside a transaction it runs as any statement does.
    Errors are SQLAlchemy's (`DBAPIError`), a lost connection invalidated, as everywhere else."""

    def __init__(self, statement: Select):
        self._statement = statement
        self._by_dialect: dict[str, tuple[str, tuple | None, list[str], list]] = {}

    def _compiled(self, dialect) -> tuple[str, tuple | None, list[str], list]:
        held = self._by_dialect.get(dialect.name)
        if held is None:
            compiled = self._statement.compile(dialect=dialect)
            columns = list(self._statement.selected_columns)
            held = (str(compiled), tuple(compiled.positiontup) if dialect.positional else None,
                    [column.key for column in columns],
                    [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns])
            self._by_dialect[dialect.name] = held
        return held

    def first(self, connection: Connection, params: dict) -> dict | None:
        if connection.in_transaction():
            row = connection.execute(self._statement, params).mappings().first()
            return None if row is None else dict(row)
        sql, order, names, processors = self._compiled(connection.dialect)
        args = tuple(params[name] for name in order) if order is not None else params
        dbapi_connection = connection.connection.dbapi_connection
        autocommit = connection.dialect.name == "postgresql"
        driver_error = connection.dialect.loaded_dbapi.Error
        try:
            if autocommit:
                dbapi_connection.autocommit = True
            try:
                with contextlib.closing(dbapi_connection.cursor()) as cursor:
                    cursor.execute(sql, args)
                    row = cursor.fetchone()
            finally:
                if autocommit and not dbapi_connection.closed:
                    dbapi_connection.autocommit = False
        except driver_error as error:
            lost = connection.dialect.is_disconnect(error, dbapi_connection, None)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(sql, args, error, driver_error, connection_invalidated=lost) from error
        if row is None:
            return None
        return {name: value if process is None else process(value)
                for name, value, process in zip(names, row, processors, strict=True)}

"""The web request's view of the data layer: a unit of work and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from db.engine import session_scope
from db.models import User

EXTENSION_KEY = "healthfirst"
_CONNECTION = "healthfirst_connection"  # on `g`: the request's connection, once checked out
_LENT = "healthfirst_connection_lent"  # on `g`: a unit of work runs on it now


def state() -> dict:
    return current_app.extensions[EXTENSION_KEY]


@contextmanager
def read_connection() -> Iterator[Connection]:
    """The request's database connection for a read of its own (the login check): checked out
    from the pool (and pinged) once per request and kept until the request ends
    (`install_request_connection`); the read's transaction ends with it, so that the request's
    unit of work (`db_session`) runs on the same connection instead of checking out another."""
    connection = g.get(_CONNECTION)
    if g.get(_LENT) or (connection is not None and connection.invalidated):
        # Inside a unit of work (which holds the request's connection), or after a lost one.
        with state()["engine"].connect() as own:
            yield own
        return
    if connection is None:
        connection = state()["engine"].connect()
        setattr(g, _CONNECTION, connection)
    try:
        yield connection
    except BaseException:
        g.pop(_CONNECTION, None)
        connection.close()
        raise
    connection.rollback()  # the read's transaction only (SQLite: BEGIN IMMEDIATE holds the write lock)


def _lendable(factory) -> Connection | None:
    """The request's connection, if a unit of work of `factory` may run on it now: from the same
    engine (a test may point the factory elsewhere), usable, idle and not lent already."""
    connection = g.get(_CONNECTION)
    if (connection is None or g.get(_LENT) or connection.invalidated or connection.closed
            or connection.in_transaction() or factory.kw.get("bind") is not connection.engine):
        return None
    return connection


@contextmanager
def db_session() -> Iterator[Session]:
    """One unit of work (commit on success, roll back on any error), on the request's connection
    when the login check checked one out (one pool checkout per request), else on a connection of
    its own. A unit of work inside another gets a connection of its own, as before."""
    factory = state()["session_factory"]
    connection = _lendable(factory)
    if connection is None:
        with session_scope(factory) as session:
            yield session
        return
    setattr(g, _LENT, True)
    try:
        with session_scope(lambda: factory(bind=connection)) as session:
            yield session
    finally:
        setattr(g, _LENT, False)


def install_request_connection(server: Flask) -> None:
    """Return the request's connection to the pool when the request (or app context) ends."""

    @server.teardown_appcontext
    def _return_connection(_error=None):
        connection = g.pop(_CONNECTION, None)
        g.pop(_LENT, None)
        if connection is not None:
            connection.close()


def public_url(path: str = "/") -> str:
    """An absolute URL on HealthFirst, from the configured public address (HEALTHFIRST_PUBLIC_URL),
    never from the request's Host header, which the caller controls."""
    return state()["config"].base_url + "/" + path.lstrip("/")


def actor_in(session: Session) -> User | None:
    """The logged-in user, in `session`, as this request's login check read it from the database
    (auth.load_user keeps that row on `g`: put into the session without a second query), else
    loaded."""
    if not current_user.is_authenticated or getattr(current_user, "is_kiosk", False):
        return None
    checked = g.get("signed_in_user")
    if checked is not None and checked.id == current_user.id:
        return session.merge(checked, load=False)
    return session.get(User, current_user.id)

"""The web request's view of the data layer: a unit of work and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from db.engine import session_scope
from db.models import User

EXTENSION_KEY = "healthfirst"


def state() -> dict:
    return current_app.extensions[EXTENSION_KEY]


@contextmanager
def db_session() -> Iterator[Session]:
    with session_scope(state()["session_factory"]) as session:
        yield session


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

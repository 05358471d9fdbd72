"""Who may act: the one check every domain operation starts with."""

from __future__ import annotations

from db.errors import NotAllowed
from db.models import User


def require_role(actor: User | None, *roles: str) -> User:
    """The acting user, if active and in one of `roles`; otherwise NotAllowed."""
    if actor is None or actor.status != "active" or actor.role not in roles:
        raise NotAllowed()
    return actor

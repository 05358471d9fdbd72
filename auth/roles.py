"""Role checks for pages and callbacks.

Every Dash callback is a public HTTP endpoint, so each one carries its own check:
`@callback(...)` on top of `@allowed_roles(...)`. The security tests enumerate every registered
callback and prove that a caller outside its roles is refused, so none can be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from db.vocabulary import Role

# Where each role lands after login.
ROLE_HOME = {
    Role.CITIZEN: "/citizen",
    Role.HOSPITAL_ADMIN: "/hospital",
    Role.HEALTH_OFFICER: "/officer",
    Role.SUPER_ADMIN: "/admin",
    Role.DISPLAY: "/display",
    Role.CREW: "/crew",
}


def has_role(*roles: str) -> bool:
    return bool(
        current_user.is_authenticated
        and current_user.status == "active"
        and current_user.role in roles
    )


def allowed_roles(*roles: str) -> Callable:
    """Refuse the call (401 anonymous, 403 wrong role) before the callback body runs."""

    def decorate(func: Callable) -> Callable:
        @wraps(func)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not has_role(*roles):
                abort(403)
            return func(*args, **kwargs)

        guarded.allowed_roles = tuple(roles)
        return guarded

    return decorate

"""Carrying out what a person asked for: one domain operation, as them, in one transaction.

Every action callback on every page does the same thing: open a unit of work, load the acting
user, call a db/ operation with the current time, and turn a refusal (a `DomainError`) into
words on the page instead of an error. `act` is that, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auth.context import actor_in, db_session
from db.clock import utcnow
from db.errors import DomainError, InvalidInput


@dataclass(frozen=True)
class Outcome:
    """What an action came to. `ok` with the operation's `result`, or refused with a `message`
    fit to show a person and, for bad input, the `field` it belongs to."""

    ok: bool
    result: Any = None
    message: str = ""
    field: str | None = None
    # The refusal itself: its `template` and `params` show it in the reader's language.
    error: DomainError | None = None

    def message_for(self, field: str) -> str:
        """The refusal's message if it belongs to `field`, else "" (for a form's feedback slot)."""
        return self.message if not self.ok and self.field == field else ""


def act(operation: Callable[..., Any], /, *, describe: Callable[[Any], Any] | None = None,
        **inputs: Any) -> Outcome:
    """Run `operation(session, actor=<signed-in user>, now=<now>, **inputs)` and commit.

    A `DomainError` rolls everything back and comes back as a refused `Outcome`; anything else
    propagates to the app's error handler. `describe(result)` runs inside the same session (for
    messages that read related rows) and its value becomes the outcome's `result`.
    """
    try:
        with db_session() as session:
            result = operation(session, actor=actor_in(session), now=utcnow(), **inputs)
            if describe is not None:
                result = describe(result)
    except DomainError as error:
        field = error.field if isinstance(error, InvalidInput) else None
        return Outcome(False, message=error.message, field=field, error=error)
    return Outcome(True, result=result)

"""What an action callback answers: a message in the page's message area and a fresh value for
the page's "changed" store, which makes the page's refresh callback draw the view again.

Every action page (console, queue, ambulances …) answers the same way; `auth.actions.act` gives
the `Outcome` these turn into words on the page."""

from __future__ import annotations

import time

from dash import Output, no_update


def answer_outputs(message_id: str, changed_id: str, *, shared: bool = False) -> tuple[Output, ...]:
    """Where `said` and `answer` go: the message area's text, color and visibility, and the
    "changed" store. `shared` when several actions of the page write them (allow_duplicate)."""
    return (Output(message_id, "children", allow_duplicate=shared), Output(message_id, "color", allow_duplicate=shared),
            Output(message_id, "is_open", allow_duplicate=shared), Output(changed_id, "data", allow_duplicate=shared))


def said(message: str, color: str) -> tuple:
    """What an action answers a console page: (message, color, is_open) for its message area and
    a fresh value for its "changed" store, which makes the page's refresh draw the view again."""
    return message, color, True, time.time_ns()


def answer(outcome, *, color: str = "success") -> tuple:
    """`said` for an `auth.actions.Outcome` whose result was described as the message to show. A
    refusal shows in red and redraws too: it often means the row changed under the admin."""
    return said(outcome.result, color) if outcome.ok else said(outcome.message, "danger")


def warn(message: str, *, color: str = "warning") -> tuple:
    """An action that could not start (nothing selected, nothing chosen): a message, no redraw."""
    return message, color, True, no_update

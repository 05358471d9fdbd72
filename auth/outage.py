"""When the database cannot be reached: every request still gets an answer, at once.

Loading the signed-in user needs the database, so during an outage a request fails before any
page or callback code runs. Here such a failure becomes a 503 that says what happened: a JSON
answer for callbacks and other `/_` routes (assets/connection.js shows it on the page: "not saved"
for a button press, "no connection since …" for an automatic refresh) and a page that retries by
itself for a browser's GET. One log line per request, no traceback: the outage is one fact,
not a bug in every view.
"""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from db.errors import N_

log = logging.getLogger("healthfirst.outage")

# What a failed connection looks like, as opposed to a bug (IntegrityError, ProgrammingError).
UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
# Marked here, said in the reader's language (their cookie or browser: nobody can be loaded).
NOT_SAVED = N_("Not saved: HealthFirst cannot reach its database right now. Nothing was changed. "
               "Try again in a moment.")
MAY_NOT_BE_SAVED = N_("The last change you made may not have been saved.")
RETRY_SECONDS = 10


def is_unreachable(error: BaseException) -> bool:
    return isinstance(error, UNREACHABLE)


def unavailable_response():
    """The 503 for the current request."""
    # Callbacks, feeds and script requests read JSON; a browser's page or form post reads a page.
    wants_json = (request.path.startswith("/_") or request.is_json
                  or request.headers.get("X-Requested-With") == "XMLHttpRequest"
                  or request.accept_mimetypes.best == "application/json")
    if wants_json:
        response = jsonify(error="database unavailable", message=gettext(NOT_SAVED))
    else:
        response = render_template("unavailable.html", retry_seconds=RETRY_SECONDS,
                                   message=MAY_NOT_BE_SAVED)
    return response, 503, {"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"}


def install_outage_handling(server: Flask) -> None:
    def _unreachable(error: Exception):
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        log.warning("database unreachable: %s %s answered 503 (%s)", request.method, request.path, reason)
        # Nobody could be loaded: let the rest of this request (cookie hooks, templates) see an
        # anonymous visitor instead of asking the unreachable database again.
        g._login_user = AnonymousUserMixin()
        return unavailable_response()

    for error_class in UNREACHABLE:
        server.register_error_handler(error_class, _unreachable)

"""Where a crew's phone sends the unit's position (assets/crew.js, every few seconds and on each
status change, while a job is open):

    POST /crew/position   {"lat", "lon", "accuracy", "speed", "at_ms"}   X-CSRFToken: <Dash's token>

Only a crew session may post, and only for its own unit (the unit comes from the crew link, never
from the body). Answers: 202 stored, 200 ignored (older than the latest), 422 refused (bad input,
with the reason), 403 not a crew or wrong CSRF token, 401 signed out (a revoked link), 503 not
saved (the database cannot be reached).

Two paths give these answers. `post_position` is the Flask route: every case, one post at a time.
`PositionPath` answers the common case before Flask, for the thousands of phones posting at once
(bench/README.md, position_writes_per_s): a valid crew session posting a valid position. Its post
goes to the worker's group writer (db/position_writer.py: one statement and one commit for every
post waiting, the crew link checked again in that statement, so a revoked link stops at its next
post), and it answers 202 or 200 once that commit is done, with the same body and headers as the
route. Whatever it is not sure of, it hands to Flask untouched: no or an odd session, a wrong CSRF
token, a body that is not a JSON object, a refused position, a link no longer in force.
"""

from __future__ import annotations

import io
import json
import secrets
from datetime import UTC, datetime

from flask import Blueprint, Flask, jsonify, request, session
from flask_login import current_user

from auth import crew_link_of
from auth.context import EXTENSION_KEY, db_session
from auth.csrf import DASH_CSRF_HEADER
from auth.headers import SECURITY_HEADERS_KEY
from auth.roles import has_role
from components.crew import POSITION_URL
from db import crew, positions
from db.clock import utcnow
from db.errors import DomainError
from db.position_writer import writer_for
from db.vocabulary import Role
from web.sessions import SignedSessions

bp = Blueprint("crew", __name__)


def _time(at_ms, now: datetime) -> datetime | None:
    if at_ms is None:
        return now
    if isinstance(at_ms, bool) or not isinstance(at_ms, (int, float)) or not 0 < at_ms < 1e14:
        return None
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC)


@bp.route(POSITION_URL, methods=["POST"])
def post_position():
    if not has_role(Role.CREW):
        return jsonify(error="only an ambulance crew posts positions"), 403
    expected = session.get("dash_csrf")
    if not expected or not secrets.compare_digest(expected, request.headers.get(DASH_CSRF_HEADER, "")):
        return jsonify(error="missing or wrong CSRF token: reload the page"), 403
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="send a JSON object: lat, lon, accuracy, speed, at_ms"), 400
    now = utcnow()
    at = _time(body.get("at_ms"), now)
    if at is None:
        return jsonify(stored=False, error="at_ms must be a time in milliseconds"), 422
    try:
        with db_session() as db:
            # The crew account as this request's login check just loaded it (one query fewer on the
            # busiest write path): its id, role and status are what the operation checks.
            result = positions.record_position(
                db, actor=current_user._get_current_object(), latitude=body.get("lat"), longitude=body.get("lon"),
                accuracy_m=body.get("accuracy"), speed_mps=body.get("speed"), at=at, now=now)
            crew.touch(db, getattr(current_user, "crew_link_id", None), now=now,
                       last_seen_at=getattr(current_user, "link_last_seen_at", None))
    except DomainError as refused:
        return jsonify(stored=False, error=refused.message), 403
    if result.refused:
        return jsonify(stored=False, error=result.reason), 422
    return jsonify(stored=result.stored, reason=result.reason), 202 if result.stored else 200


# ---- the common case, before Flask ------------------------------------------------------------

MAX_BODY = 4096  # a position is ~100 bytes; anything larger is Flask's to judge
WRITE_WAIT_S = 20.0  # a post not written by then is answered 503 (the database's own waits are bounded)


def json_answer(**fields) -> bytes:
    """What `jsonify` sends (sorted keys, compact, a newline)."""
    return (json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n").encode()


ANSWERS = {positions.STORED: ("202 ACCEPTED", json_answer(stored=True, reason="")),
           positions.OLDER: ("200 OK", json_answer(stored=False, reason=positions.NOT_NEWER))}
# Besides the security headers, what Flask adds to the route's answer: no caching, and the
# Vary of Flask-Compress and of the session.
FRAME_HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                 ("Vary", "Accept-Encoding, Cookie")]


class PositionPath:
    """WSGI middleware: `POST /crew/position` from a crew session, answered before Flask."""

    def __init__(self, server: Flask, app):
        self._server, self._app = server, app
        self._state = server.extensions[EXTENSION_KEY]
        self._writers: dict = {}
        self._sessions = SignedSessions(server, crew_link_of)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != POSITION_URL or environ.get("REQUEST_METHOD") != "POST":
            return self._app(environ, start_response)
        body = small_json_body(environ)
        found = self._post_of(environ, body) if body is not None else None
        if found is None:
            return self._app(environ, start_response)
        outcome = self._writer().write(found, timeout=WRITE_WAIT_S)
        if isinstance(outcome, Exception):
            return self._flask_error(environ, start_response, outcome)
        if outcome not in ANSWERS:  # the link is no longer in force, or the unit retired: Flask says so
            return self._app(environ, start_response)
        status, answer = ANSWERS[outcome]
        start_response(status, [*FRAME_HEADERS, ("Content-Length", str(len(answer))), *self._security(environ)])
        return [answer]

    def _post_of(self, environ, body: bytes) -> positions.Post | None:
        """The checked post of a crew session whose every check passes, else None."""
        signed_in = self._sessions.signed_in(environ)
        if signed_in is None or not csrf_matches(signed_in[1], environ):
            return None
        try:
            sent = json.loads(body)
        except (ValueError, RecursionError):  # Flask's to answer
            return None
        if not isinstance(sent, dict):
            return None
        now = utcnow()
        at = _time(sent.get("at_ms"), now)
        if at is None:
            return None
        (link_id, prefix), _csrf = signed_in
        post, _refused = positions.checked_post(
            link_id=link_id, token_prefix=prefix, latitude=sent.get("lat"), longitude=sent.get("lon"),
            accuracy_m=sent.get("accuracy"), speed_mps=sent.get("speed"), at=at, now=now)
        return post

    def _writer(self):
        engine = self._state["session_factory"].kw["bind"]
        writer = self._writers.get(engine)
        if writer is None:
            gather_s = self._state["config"].position_gather_ms / 1000
            writer = self._writers.setdefault(engine, writer_for(engine, gather_s=gather_s))
        return writer

    def _security(self, environ) -> list[tuple[str, str]]:
        return self._server.extensions[SECURITY_HEADERS_KEY](
            self._state["config"], POSITION_URL, environ.get("wsgi.url_scheme") == "https")

    def _flask_error(self, environ, start_response, error: Exception):
        """The answer Flask gives when the route raises `error`: 503 "Not saved" for an unreachable
        database (auth/outage.py), 500 for anything else."""
        server = self._server
        with server.request_context(environ):
            try:
                response = server.finalize_request(server.handle_user_exception(error))
            except Exception as unhandled:  # noqa: BLE001 - as Flask's own wsgi_app does
                response = server.handle_exception(unhandled)
            return response(environ, start_response)


def small_json_body(environ) -> bytes | None:
    """The body of a small JSON post, read (and put back for Flask); None for anything else."""
    kind = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    length = environ.get("CONTENT_LENGTH", "")
    if kind != "application/json" or not length.isdigit() or not 0 < int(length) <= MAX_BODY:
        return None
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def csrf_matches(expected: str, environ) -> bool:
    try:
        return secrets.compare_digest(expected, environ.get("HTTP_X_CSRFTOKEN", ""))
    except TypeError:  # not ASCII: Flask's to answer
        return False


def install_position_path(server: Flask) -> None:
    """Answer the crew phones' common case before Flask (see `PositionPath`)."""
    server.wsgi_app = PositionPath(server, server.wsgi_app)

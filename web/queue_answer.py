"""Accept / Decline on a waiting SOS's card of the hospital's queue (pages/hospital/queue.py):

    POST /_queue/answer   {"kind": "accept" | "decline", "sos": <id>}   X-CSRFToken: <Dash's token>

assets/queue.js (`answer`) posts the press here rather than through a Dash callback: in a race
sixteen hospitals press at once, and a plain JSON request skips Dash's callback dispatch (bench
`accept_http_rps`, bench/README.md). The checks are a callback's: the Dash CSRF header
(`auth.csrf.dash_token_sent`), the hospital admin role, then the rules of db/sos.py run as the
signed-in person in one transaction (`auth.actions.act`).

Answers: 200 {"message", "color"} for everything a person reads, a refusal included ("Already
accepted by …", red); 400 a body the page never sends; 403 a missing or wrong CSRF token, or
someone who is not a hospital's admin; 401 signed out (the request guard); 503 the database
cannot be reached (auth/outage.py). The page shows the message and redraws the queue.

Two paths give these answers. `answer` is the Flask route: every case. `AcceptPath` answers the
common case before Flask, for the sixteen hospitals pressing at once (bench `accept_http_rps`): a
hospital admin's signed session (read as web/sessions.py `SignedSessions` reads it), its CSRF header,
`{"kind": "accept", "sos": <id>}`, on PostgreSQL, in English. The login rule, the role and the
Accept's rules are one round trip (db/sos.py `accept_as`); its answer has the route's body and
headers. Whatever it is not sure of it hands to Flask untouched: a decline, another or an odd
session or body, a login that no longer stands, another language, SQLite, any database error.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Flask, jsonify, request

from auth.actions import act
from auth.context import EXTENSION_KEY
from auth.csrf import WRONG_TOKEN, dash_token_sent
from auth.headers import SECURITY_HEADERS_KEY
from auth.i18n import DEFAULT_LANGUAGE, ENGLISH_DASH_PATHS, ENGLISH_DASH_ROLES, STAFF_FEEDS, available_languages
from auth.roles import has_role
from components.dispatch import ANSWER_URL, OFFER_ANSWERS
from components.i18n import _
from db import sos as sos_ops
from db.clock import utcnow
from db.parse import record_id
from db.position_writer import give_back, throw_away
from db.vocabulary import Role, sos_number
from web.crew import FRAME_HEADERS, csrf_matches, json_answer, small_json_body
from web.sessions import SignedSessions

log = logging.getLogger("healthfirst.queue_answer")

bp = Blueprint("queue_answer", __name__)


@bp.post(ANSWER_URL)
def answer():
    if not dash_token_sent():
        return jsonify(message=WRONG_TOKEN, color="danger"), 403
    if not has_role(Role.HOSPITAL_ADMIN):
        return jsonify(message="Only a hospital's admins answer its SOS queue.", color="danger"), 403
    body = request.get_json(silent=True)
    kind = body.get("kind") if isinstance(body, dict) else None
    sos_id = record_id(body.get("sos")) if isinstance(body, dict) else 0
    if kind not in OFFER_ANSWERS or not sos_id:
        return jsonify(message=_("That button is not one this page knows. Reload the page."), color="warning"), 400
    number = sos_number(sos_id)
    if kind == "accept":
        done = act(sos_ops.accept_sos, sos_id=sos_id,
                   describe=lambda _result: _("%(number)s is yours. Send an ambulance now.", number=number))
        color = "success"
    else:
        done = act(sos_ops.decline_sos, sos_id=sos_id,
                   describe=lambda _result: _("%(number)s declined: it has left your queue.", number=number))
        color = "secondary"
    # A refusal shows in red (components/answers.answer): the SOS changed under the person.
    return jsonify(message=done.result, color=color) if done.ok else jsonify(message=done.message, color="danger")


# ---- the common case, before Flask ------------------------------------------------------------


def _login_of(cookie_id: str) -> tuple[int, str] | None:
    """(user id, session token) of a person's login cookie (`users.session_id`), when its parts
    are plain enough to be checked in the database as the route checks them; else None."""
    user_id, _sep, token = cookie_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and token and token.isascii() and token.isprintable()):
        return None
    return int(user_id), token


class AcceptPath:
    """WSGI middleware: `POST /_queue/answer` accepting an SOS as a hospital's admin, before Flask."""

    KEEP = 4  # driver connections kept between presses (in autocommit); more go back to the pool

    def __init__(self, server: Flask, app):
        self._server, self._app = server, app
        self._state = server.extensions[EXTENSION_KEY]
        self._sessions = SignedSessions(server, _login_of)
        self._kept: list = []  # (engine, driver connection)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != ANSWER_URL or environ.get("REQUEST_METHOD") != "POST":
            return self._app(environ, start_response)
        message = self._accepted(environ)
        if message is None:
            return self._app(environ, start_response)
        answer = json_answer(**message)
        start_response("200 OK", [*FRAME_HEADERS, ("Content-Length", str(len(answer))),
                                  *self._server.extensions[SECURITY_HEADERS_KEY](
                                      self._state["config"], ANSWER_URL, environ.get("wsgi.url_scheme") == "https")])
        return [answer]

    def _accepted(self, environ) -> dict | None:
        """The route's answer to an Accept this path is sure of, else None (Flask's to answer)."""
        engine = self._state["session_factory"].kw["bind"]
        if engine.dialect.name != "postgresql" or not self._english():
            return None
        body = small_json_body(environ)
        signed_in = self._sessions.signed_in(environ) if body is not None else None
        if signed_in is None or not csrf_matches(signed_in[1], environ):
            return None
        sos_id = _accept_of(body)
        if not sos_id:
            return None
        (user_id, token), _csrf = signed_in
        found = self._run(engine, user_id=user_id, token=token, sos_id=sos_id)
        if found is None:
            return None
        _hospital_id, refusal = found
        if refusal is not None:
            return {"message": refusal, "color": "danger"}
        return {"message": _("%(number)s is yours. Send an ambulance now.", number=sos_number(sos_id)),
                "color": "success"}

    def _run(self, engine, *, user_id: int, token: str, sos_id: int):
        raw = None
        try:
            raw = self._take(engine)  # an unreachable database: the route says "Not saved"
            found = sos_ops.accept_as(raw, user_id=user_id, token=token, sos_id=sos_id, now=utcnow(),
                                      demo_accounts=self._state["config"].demo_data,
                                      driver_error=engine.dialect.loaded_dbapi.Error)
        except Exception:  # noqa: BLE001 - nothing was stored: the route runs it again and answers
            log.debug("accept handed to the route", exc_info=True)
            if raw is not None:
                throw_away(raw)
            return None
        self._give_back(engine, raw)
        return found

    def _take(self, engine):
        while self._kept:
            try:
                kept_engine, raw = self._kept.pop()
            except IndexError:  # another thread took the last one
                break
            if kept_engine is engine:
                return raw
            give_back(raw)
        raw = engine.raw_connection()  # checked by the pool first (pre-ping)
        raw.dbapi_connection.autocommit = True
        return raw

    def _give_back(self, engine, raw) -> None:
        if len(self._kept) < self.KEEP:
            self._kept.append((engine, raw))
        else:
            give_back(raw)

    def _english(self) -> bool:
        """The route would answer in English: the queue is a staff screen in English for its admins
        and no other language covers the staff screens (auth/i18n.py `select_language`)."""
        page = STAFF_FEEDS.get(ANSWER_URL)
        if page not in ENGLISH_DASH_PATHS or Role.HOSPITAL_ADMIN not in ENGLISH_DASH_ROLES.get(page, (Role.HOSPITAL_ADMIN,)):
            return False
        languages = available_languages()
        return not [code for code in self._state["config"].staff_languages
                    if code in languages and code != DEFAULT_LANGUAGE]


def _accept_of(body: bytes) -> int:
    """The SOS of `{"kind": "accept", "sos": <id>}` as the route reads it, else 0."""
    try:
        sent = json.loads(body)
    except (ValueError, RecursionError):
        return 0
    if not isinstance(sent, dict) or sent.get("kind") != "accept":
        return 0
    return record_id(sent.get("sos"))


def install_accept_path(server: Flask) -> None:
    """Answer the hospitals' Accept before Flask (see `AcceptPath`)."""
    server.wsgi_app = AcceptPath(server, server.wsgi_app)

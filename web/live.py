"""The live views' poll: `GET /_live/<view>` answers `{"v": <version>, "now": <server ms>}`, the
version of what the view shows to the person asking (components/live.py names the views).

A live page (the SOS queue, a hospital's own beds, find a bed) asks this on its timer
(assets/live.js) and runs its Dash refresh callback only when the version differs from the one it
holds; otherwise it writes "last updated" itself. So an unchanged refresh is about 100 bytes and
draws nothing, whatever the length of the queue.

Most polls are answered before Flask and Dash (`LiveMiddleware`), from two per-worker memories
that only this module's Flask route fills, after the full checks every request gets (the request
guard, the login check against the database, the role, the row's permission in db/):

- who was allowed which view, by the login session's id in the signed session cookie, for
  `live_grant_seconds` (5 s by default): a signed-out or disabled person stops getting answers
  from the memory within that time, and all the memory can ever answer is "this is the version"
  (the data itself always comes through the Dash callback and its checks);
- each view's version per hospital (or for the city), at most `fresh_s` old: a change reaches the
  screen within the page's poll plus that.

The fast path reads the session cookie as Flask would (web/sessions.py `SignedSessions`, shared
with the crew and Accept paths: signature, age, session protection) and answers with the headers
the Flask route last answered with. A screen sends the same cookie with every poll, so a session
read once is kept by its exact cookie, address and browser until its age runs out: checking the
signature cost ~110 µs of the ~140 µs this path takes on a slow core (bench/README.md). A request it cannot answer (no grant yet, an
expired one, an old version, an outage) goes to Flask as any other.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort
from flask import session as cookie_session
from flask_login import current_user

from auth.context import EXTENSION_KEY, actor_in, db_session, state
from auth.outage import UNREACHABLE
from auth.roles import has_role
from components.live import BEDS, LIVE_URL, OWN_BEDS, QUEUE
from db import capacity, positions, sos
from db.clock import utcnow
from db.errors import NotAllowed
from db.vocabulary import Role
from web.sessions import SignedSessions

log = logging.getLogger("healthfirst.live")
bp = Blueprint("live", __name__)
PREFIX = LIVE_URL.format(view="")


@dataclass(frozen=True)
class LiveView:
    roles: tuple[str, ...]
    version: Callable  # (db session, actor, now) -> str
    scope: Callable  # (signed-in user) -> whose data the version is: the hospital, or 0 (the city)
    fresh_s: float  # the oldest version the fast path may answer with


def _queue_version(session, actor, now) -> str:
    cards, units = sos.queue_versions(session, actor=actor, new_since=now - sos.JUST_OFFERED_FOR,
                                      stale_before=now - positions.STALE_AFTER)
    return f"{cards}.{units}"


# The bed views also change by the clock (a figure's "updated 12 min ago", STALE after 30 min):
# the minute is part of their version.
def _own_beds_version(session, actor, now) -> str:
    return f"{capacity.hospital_beds_version(session, actor=actor, hospital_id=actor.hospital_id)}.{now:%H%M}"


def _beds_version(session, _actor, now) -> str:
    return f"{capacity.recent_beds_version(session)}.{now:%H%M}"


def _hospital(user) -> int:
    return user.hospital_id


def _city(_user) -> int:
    return 0


VIEWS = {
    # 0.25 s: with the queue's 0.5 s poll a new SOS shows within a second (sos_to_queue_p95_s).
    QUEUE: LiveView((Role.HOSPITAL_ADMIN,), _queue_version, _hospital, 0.25),
    OWN_BEDS: LiveView((Role.HOSPITAL_ADMIN,), _own_beds_version, _hospital, 1.0),
    BEDS: LiveView(capacity.SEARCHERS, _beds_version, _city, 1.0),
}


class LiveMemory:
    """Per worker: grants by (login session id, view), versions by (view, scope), and the headers
    to answer with. Plain dicts: each read and write is atomic under the GIL."""

    LIMIT = 20_000

    def __init__(self):
        self.grants: dict[tuple[str, str], tuple[float, object]] = {}
        self.versions: dict[tuple[str, object], tuple[float, bytes]] = {}
        self.headers: list[tuple[str, str]] | None = None

    def remember(self, login_id: str | None, view: str, scope, version: str, *, grant_s: float) -> None:
        now = time.monotonic()
        if len(self.grants) >= self.LIMIT:
            self.grants.clear()
        if login_id and grant_s > 0:
            self.grants[(login_id, view)] = (now + grant_s, scope)
        self.versions[(view, scope)] = (now + VIEWS[view].fresh_s, _prefix(version))

    def answer(self, login_id: str, view: str) -> bytes | None:
        now = time.monotonic()
        grant = self.grants.get((login_id, view))
        if grant is None or grant[0] <= now:
            return None
        held = self.versions.get((view, grant[1]))
        if held is None or held[0] <= now:
            return None
        return held[1] + str(int(time.time() * 1000)).encode() + b"}"

    def forget(self) -> None:
        """Nothing remembered (a database started afresh: its ids are not the old ones)."""
        self.grants.clear()
        self.versions.clear()


def _prefix(version: str) -> bytes:
    return b'{"v":' + json.dumps(version).encode() + b',"now":'


def _memory() -> LiveMemory:
    return state()["live"]


@bp.route(LIVE_URL.format(view="<view>"))
def live(view: str):
    """The full path: every check, then the version, remembered for the fast path."""
    found = VIEWS.get(view)
    if found is None:
        abort(404)
    if not has_role(*found.roles):
        abort(403)  # anonymous callers never get here: the request guard answers 401
    now = utcnow()
    try:
        with db_session() as session:
            version = found.version(session, actor_in(session), now)
    except UNREACHABLE:
        log.warning("live %s: database unreachable, answered 503", view)
        return Response('{"error": "database unreachable"}', status=503, mimetype="application/json",
                        headers={"Cache-Control": "no-store", "Retry-After": "2"})
    except NotAllowed:
        abort(403)
    _memory().remember(cookie_session.get("_user_id"), view, found.scope(current_user), version,
                       grant_s=state()["config"].live_grant_seconds)
    return Response(_prefix(version) + str(int(time.time() * 1000)).encode() + b"}", mimetype="application/json",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


# Headers of the full path's answer that belong to that answer alone.
_OWN_HEADERS = {"content-length", "set-cookie", "date"}


class LiveMiddleware:
    """Answers a live poll before Flask when the memory can: a session Flask would read as it is
    (web/sessions.py `SignedSessions`: signature, age, session protection) whose login was granted
    this view within `live_grant_seconds`, and a version fresh enough."""

    def __init__(self, server: Flask, memory: LiveMemory):
        self.wsgi_app = server.wsgi_app
        self.memory = memory
        # Any login id: the grant in the memory is what says whether it may have this view.
        self._sessions = SignedSessions(server, lambda login_id: login_id, csrf=False)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX) or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        body = self._fast(path[len(PREFIX):], environ)
        if body is not None:
            start_response("200 OK", self.memory.headers + [("Content-Length", str(len(body)))])
            return [body]
        return self.wsgi_app(environ, self._capturing(start_response))

    def _fast(self, view: str, environ) -> bytes | None:
        if self.memory.headers is None or view not in VIEWS:
            return None
        signed_in = self._sessions.signed_in(environ)
        return self.memory.answer(signed_in[0], view) if signed_in is not None else None

    def _capturing(self, start_response):
        """Keeps the headers of the full path's plain 200 answers, to answer the same way."""

        def capture(status, headers, exc_info=None):
            names = {name.lower() for name, _value in headers}
            if status.startswith("200") and "content-encoding" not in names:
                self.memory.headers = [(n, v) for n, v in headers if n.lower() not in _OWN_HEADERS]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return capture


def install_live(server: Flask) -> None:
    """The route, the memory it fills, and the fast path in front of the whole app."""
    memory = LiveMemory()
    server.extensions[EXTENSION_KEY]["live"] = memory
    server.register_blueprint(bp)
    server.wsgi_app = LiveMiddleware(server, memory)

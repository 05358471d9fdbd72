"""Signed session cookies read before Flask, exactly as Flask and Flask-Login would read them:
the fast paths in front of the app (crew positions, Accept, live polls) share this one reader, so
that none of them answers a session Flask would not (bad signature, too old, session protection,
a permanent or remember-me session still to be written)."""

from __future__ import annotations

import time
from hashlib import sha512

from flask import Flask
from werkzeug.http import parse_cookie

from auth import login_manager


def login_identifier(environ: dict) -> str:
    """Flask-Login's session identifier (`flask_login.utils._create_identifier`) from the environ."""
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    agent = environ.get("HTTP_USER_AGENT")
    if agent is not None:
        agent = agent.encode("utf-8")
    return sha512(f"{address}|{agent}".encode()).hexdigest()


class SignedSessions:
    """The sessions a worker's fast paths have read from signed session cookies, as Flask reads
    them (web/crew.py `PositionPath`, web/queue_answer.py `AcceptPath`, web/live.py
    `LiveMiddleware`). `signed_in(environ)` is (identity, CSRF token) of the request's session if
    Flask would read that session as it is and sign in the login `identity(login id)` names (not
    None), with Dash's CSRF token where `csrf` asks for it (else the token may be None); else None.
    A session read once is kept by the exact Cookie header, address and browser that came with it
    (a phone or a screen sends the same ones with every request), its age checked on each use;
    the login itself is the caller's to check."""

    LIMIT = 10_000  # sessions read and kept per worker; all forgotten when more come

    def __init__(self, server: Flask, identity, *, csrf: bool = True):
        self._server, self._identity, self._csrf = server, identity, csrf
        self._key = None  # the secret key the sessions kept were read with
        self._sessions: dict[tuple, tuple[int, object, str]] = {}

    def signed_in(self, environ) -> tuple[object, str] | None:
        server = self._server
        if self._key != server.secret_key:  # a new key: nothing read with the old one holds
            self._key = server.secret_key
            self._sessions.clear()
        key = (environ.get("HTTP_COOKIE", ""), environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR")),
               environ.get("HTTP_USER_AGENT"))
        held = self._sessions.get(key)
        if held is None:
            held = self._read_session(environ)
            if held is None:
                return None
            if len(self._sessions) >= self.LIMIT:
                self._sessions.clear()
            self._sessions[key] = held
        signed_at, login, csrf = held
        if not 0 <= int(time.time()) - signed_at <= int(server.permanent_session_lifetime.total_seconds()):
            return None
        return login, csrf

    def _read_session(self, environ) -> tuple[int, object, str] | None:
        """(signed at, identity, CSRF token) from the session cookie, read as Flask reads it
        (signature and age checked); None when Flask would do more than read it: no or a bad cookie, not a
        login `identity` accepts, a permanent session, a remember cookie still to set, or
        Flask-Login's session protection about to mark it."""
        server = self._server
        value = parse_cookie(environ).get(server.session_interface.get_cookie_name(server))
        # Verified by the session interface Flask itself uses (auth._SessionInterface.verified).
        found = server.session_interface.verified(server, value) if value else None
        if found is None:
            return None
        signed_at, data = found
        if not isinstance(data, dict) or data.get("_permanent") or "_remember" in data:
            return None
        user_id = data.get("_user_id")
        login = self._identity(user_id) if isinstance(user_id, str) else None
        csrf = data.get("dash_csrf")
        if not (isinstance(csrf, str) and csrf):
            csrf = None
        if login is None or (self._csrf and csrf is None) or not self._login_kept(data, environ):
            return None
        return signed_at, login, csrf

    def _login_kept(self, signed_in: dict, environ) -> bool:
        """Flask-Login's session protection would leave the session as it is."""
        mode = self._server.config.get("SESSION_PROTECTION", login_manager.session_protection)
        if not mode:
            return True
        if signed_in.get("_id") == login_identifier(environ):
            return True
        # "basic" only marks a session from elsewhere as not fresh (a cookie to send): once marked,
        # it goes on as it is.
        return mode == "basic" and signed_in.get("_fresh") is False

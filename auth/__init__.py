"""Authentication and the request guard.

`init_auth(server, config)` sets up Flask-Login, CSRF, login throttling, the cookie flags and one
`before_request` guard that keeps every Dash route and callback away from anonymous callers.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_login import LoginManager, current_user
from itsdangerous import BadSignature

from auth.context import db_session, install_request_connection, read_connection, state
from auth.roles import ROLE_HOME
from auth.routes import CrewSessionUser, SessionUser, bp, home_for, load_kiosk
from config import Config
from db import crew, users
from db.vocabulary import Role

# Reached without logging in. Later capabilities with public URLs (the CAP feed, kiosk links)
# add their prefixes here.
PUBLIC_PATHS = {"/login", "/register", "/logout", "/language", "/healthz", "/favicon.ico",
                "/sw.js", "/manifest.webmanifest"}  # the offline SOS page's service worker and manifest (web/offline.py)
PUBLIC_PREFIXES = ["/assets/", "/static/", "/cap/", "/kiosk/"]

login_manager = LoginManager()


def client_address() -> str:
    """The client's address: the connecting one, or behind HEALTHFIRST_TRUSTED_PROXY_HOPS proxies
    the one that many entries from the end of X-Forwarded-For (what those proxies appended; a
    client can forge the entries before them, never these)."""
    hops = state()["config"].trusted_proxy_hops
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


# Login throttling per client address. Behind a load balancer configure the proxy hops, or every
# client shares the balancer's bucket; per-account lockout (db/users.py) is the real defence.
limiter = Limiter(client_address)


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request itself came over HTTPS; read a session
    cookie already verified from memory.

    Flask checks the cookie's signature and decodes it on every request (~0.3 ms each on a slow
    machine, every click of a signed-in person). A cookie is the same bytes from request to request
    until the session changes, so its verified contents are kept per exact cookie (and secret
    key), and only its age is checked again, as itsdangerous checks it. Only sessions of plain
    values are kept (a list, such as flashed messages, is changed in place by Flask)."""

    LIMIT = 10_000
    _PLAIN = (str, int, float, bool, type(None))

    def __init__(self):
        self._verified: dict[tuple, tuple[int, dict]] = {}

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        found = self.verified(app, value)
        return self.session_class(found[1] if found is not None else {})

    def verified(self, app, value: str) -> tuple[int, dict] | None:
        """(signed at, contents) of a session cookie whose signature is good and whose age is within
        the session's lifetime; None otherwise. Also what the fast paths before Flask read a
        session with (web/sessions.py): one check of signatures for the whole worker. The
        contents are not to be changed by the caller."""
        if not app.secret_key:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, value)
        held = self._verified.get(key)
        if held is not None and 0 <= int(time.time()) - held[0] <= max_age:
            return held
        try:
            data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return None
        found = (int(signed_at.timestamp()), data)
        if isinstance(data, dict) and all(isinstance(v, self._PLAIN) for v in data.values()):
            if len(self._verified) >= self.LIMIT:
                self._verified.clear()
            self._verified[key] = found = (found[0], dict(data))
        return found


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or any(path.startswith(p) for p in PUBLIC_PREFIXES)


def _guard():
    path = request.path
    if is_public(path):
        return None
    if not current_user.is_authenticated:
        if request.method != "GET" or path.startswith("/_"):
            # Dash's own routes and every callback: an API answer, not a login page.
            return jsonify(error="login required", login="/login"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if path == "/":
        return redirect(home_for(current_user))
    return None


def _limit_only(server: Flask, blueprint) -> None:
    """Flask-Limiter hooks every request of the app; its only limits are on `blueprint` (login,
    registration, kiosk links), so its hooks move there: every other request skips the limit
    lookup (~0.1 ms each), and the blueprint's requests are checked exactly as before."""
    for registry, add in ((server.before_request_funcs, blueprint.before_request),
                          (server.after_request_funcs, blueprint.after_request),
                          (server.teardown_request_funcs, blueprint.teardown_request)):
        hooks = registry.get(None, [])
        for hook in [h for h in hooks if getattr(h, "__self__", None) is limiter
                     or (getattr(h, "args", None) and h.args[0] is limiter)]:
            hooks.remove(hook)
            add(hook)


def _session_user(row: dict) -> tuple[SessionUser, object]:
    user = users.detached_user(row)
    return SessionUser(user), user


def _crew_user(found) -> tuple[CrewSessionUser, object]:
    user = users.detached_user(found[1])
    return CrewSessionUser(user, found[0]), user


class _Built:
    """The request's user objects, reused while the row the login check just read is unchanged.

    Every request still reads the person's row (and a crew link's) from the database and applies
    the rule to it; only building the same objects again from an equal row is saved. Keyed by the
    login cookie's id, compared by the whole row: any change (status, token, role, hospital,
    language, the link's revocation) builds afresh. The objects are never changed after building
    (`actor_in` merges a copy of the detached user into its session)."""

    LIMIT = 10_000

    def __init__(self):
        self._held: dict[str, tuple[object, tuple]] = {}

    def get(self, cookie_id: str, row, build):
        held = self._held.get(cookie_id)
        if held is None or held[0] != row:
            if len(self._held) >= self.LIMIT:
                self._held.clear()
            held = (row, build())
            self._held[cookie_id] = held
        loaded, user = held[1]
        g.signed_in_user = user
        return loaded


def crew_link_of(cookie_id: str) -> tuple[int, str] | None:
    """(link id, token hash prefix) of a crew session's cookie (`kiosk:c<id>:<prefix>`), else None."""
    if not cookie_id.startswith("kiosk:c"):
        return None
    link_id, _, prefix = cookie_id[len("kiosk:c"):].partition(":")
    return (int(link_id), prefix) if link_id.isdigit() else None


def init_auth(server: Flask, config: Config) -> None:
    # CSRF: every HTML form is a FlaskForm, which checks its own token. Dash callbacks are JSON
    # POSTs: SameSite=Lax keeps the cookie off cross-site POSTs, and a cross-site JSON POST
    # needs a CORS preflight that is never granted.
    server.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        REMEMBER_COOKIE_DURATION=timedelta(days=7),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=config.https,
        REMEMBER_COOKIE_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None if config.testing else 3600 * 4,
        RATELIMIT_STORAGE_URI=config.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        MAX_CONTENT_LENGTH=config.max_upload_bytes + 1024 * 1024,
    )
    server.session_interface = _SessionInterface()

    install_request_connection(server)
    login_manager.init_app(server)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    # cookie id -> (expires at, user): only display accounts and kiosk screens, which poll all day.
    display_sessions: dict[str, tuple[float, object]] = {}
    built = _Built()

    @login_manager.user_loader
    def load_user(cookie_id: str):
        cached = display_sessions.get(cookie_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        crew_link = crew_link_of(cookie_id)
        if crew_link is not None:
            # A crew's phone (it posts its position every few seconds): its link and account in
            # one Core statement, re-checked on every request (a revoked link stops at once).
            with read_connection() as connection:
                found = crew.still_valid_row(connection, *crew_link)
            loaded = None if found is None else built.get(
                cookie_id, (found[0], found[1]), lambda: _crew_user(found))
        elif cookie_id.startswith("kiosk:"):
            with db_session() as session:
                loaded = load_kiosk(session, cookie_id)
        else:
            # One Core statement, no ORM session (every request of a signed-in person runs it); the
            # row stays on `g` for `actor_in`, so a callback's unit of work needs no second load,
            # and the connection stays with the request for that unit of work (`read_connection`).
            with read_connection() as connection:
                row = users.session_row(connection, cookie_id, demo_accounts=state()["config"].demo_data)
            loaded = None if row is None else built.get(cookie_id, row, lambda: _session_user(row))
        ttl = state()["config"].display_session_cache_seconds
        if loaded is not None and loaded.role == Role.DISPLAY and ttl > 0:
            if len(display_sessions) > 10_000:
                display_sessions.clear()
            display_sessions[cookie_id] = (time.monotonic() + ttl, loaded)
        else:
            display_sessions.pop(cookie_id, None)
        return loaded

    limiter.init_app(server)
    _limit_only(server, bp)
    # A callable, so the limit follows the running configuration.
    limiter.limit(lambda: state()["config"].login_rate_limit, methods=["POST"])(bp)
    server.register_blueprint(bp)
    server.before_request(_guard)

    @server.errorhandler(429)
    def _too_many(error):
        return render_template(
            "message.html",
            title="Too many attempts",
            message="Too many attempts from this device. Wait a minute, then try again.",
        ), 429

    @server.route("/healthz")
    def healthz():
        return jsonify(ok=True)


__all__ = ["init_auth", "ROLE_HOME", "PUBLIC_PATHS", "PUBLIC_PREFIXES", "is_public"]

"""CSRF for Dash callbacks (HTML forms are FlaskForms, which check their own token).

Dash's renderer sends the `_csrf_token` cookie back in the `X-CSRFToken` header on every callback:
a double-submit token, bound to the signed-in session. A JSON route that a Dash page's script posts
to checks the same header (`dash_token_sent`: web/queue_answer.py; web/crew.py checks it itself).
"""

from __future__ import annotations

import secrets

from flask import Flask, request, session
from flask_login import current_user

DASH_CSRF_COOKIE = "_csrf_token"
DASH_CSRF_HEADER = "X-CSRFToken"
WRONG_TOKEN = "missing or wrong CSRF token: reload the page"


def dash_token_sent() -> bool:
    """Whether this request's `X-CSRFToken` header is the signed-in session's Dash token."""
    expected = session.get("dash_csrf")
    sent = request.headers.get(DASH_CSRF_HEADER, "")
    return bool(expected) and secrets.compare_digest(expected.encode(), sent.encode())


def install_dash_csrf(server: Flask) -> None:
    @server.after_request
    def _set_cookie(response):
        if current_user.is_authenticated and request.method == "GET" and not request.path.startswith("/_"):
            token = session.get("dash_csrf")
            if token is None:
                token = session["dash_csrf"] = secrets.token_urlsafe(32)
            response.set_cookie(DASH_CSRF_COOKIE, token, samesite="Strict",
                                secure=server.config["SESSION_COOKIE_SECURE"] or request.is_secure,
                                httponly=False)
        return response

    @server.before_request
    def _check_header():
        if request.method == "POST" and request.path.endswith("/_dash-update-component"):
            if current_user.is_authenticated and not dash_token_sent():
                return {"error": WRONG_TOKEN}, 403
        return None

"""Languages: gettext catalogs (Flask-Babel) for Flask templates and Dash layouts and callbacks.

A person's language is, in order: the one they chose with the switch on every page (kept on
their account and in a cookie, so it survives logging out and in), else the best match of the
browser's Accept-Language, else English. Catalogs live in `translations/<code>/LC_MESSAGES/
messages.po`; a translator adds Kannada by adding `translations/kn/...` — no code changes. The
catalogs are compiled at start into the instance folder (the source tree stays read-only).
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, abort, redirect, request
from flask_babel import Babel, get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf

from auth.context import db_session
from db import users
from db.models import User

CATALOGS = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "en"
COOKIE = "hf_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


@functools.cache
def available_languages() -> dict[str, str]:
    """Code → the language's own name ("hi" → "हिन्दी"): English and every catalog there is.
    Read once per process (every request asks): a new catalog comes with a restart."""
    codes = [DEFAULT_LANGUAGE] + sorted(
        p.parent.parent.name for p in CATALOGS.glob("*/LC_MESSAGES/messages.po"))
    return {code: Locale.parse(code).get_display_name(code).capitalize() for code in codes}


def _compile_catalogs(target: Path) -> None:
    """messages.po → messages.mo under `target`, for every catalog newer than its compiled copy."""
    for source in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        compiled = target / source.relative_to(CATALOGS).with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            continue
        compiled.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as po:
            catalog = read_po(po, locale=source.parent.parent.name)
        partial = compiled.with_suffix(".mo.part")
        with partial.open("wb") as mo:
            write_mo(mo, catalog)
        partial.replace(compiled)  # another worker never reads a half-written file


def select_language() -> str:
    languages = available_languages()
    chosen = getattr(current_user, "language", None) if current_user and current_user.is_authenticated else None
    if chosen in languages:
        return chosen
    cookie = request.cookies.get(COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(list(languages)) or DEFAULT_LANGUAGE


def page_language() -> str:
    """The current request's language code, for `<html lang>`."""
    return str(get_locale() or DEFAULT_LANGUAGE)


@bp.post("/language")
def choose_language():
    """The language switch: a small form on every page (CSRF-protected). Remembered in a cookie
    and, for a signed-in person, on their account."""
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except CSRFError:
        abort(400, description="The form expired: reload the page and choose the language again.")
    except Exception:  # noqa: BLE001 - flask-wtf raises ValidationError for a missing or bad token
        abort(400, description="The form expired: reload the page and choose the language again.")
    language = request.form.get("language", "")
    languages = available_languages()
    if language not in languages:
        abort(400, description="That language is not available.")
    if current_user.is_authenticated and not getattr(current_user, "is_kiosk", False):
        with db_session() as session:
            actor = session.get(User, current_user.id)
            if actor is not None:
                users.set_language(session, actor=actor, language=language, available=tuple(languages))
    back = request.form.get("next", "")
    # Only a path of this site: never an address from the form (no open redirect).
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"
    response = redirect(back, code=303)
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


def init_i18n(server: Flask, instance_dir: Path) -> None:
    compiled = Path(instance_dir) / "translations"
    _compile_catalogs(compiled)
    Babel(server, locale_selector=select_language, default_translation_directories=str(compiled))
    server.register_blueprint(bp)
    server.jinja_env.globals.update(page_language=page_language, languages=available_languages,
                                    csrf_token=generate_csrf)


# Dash pages whose words are translated (none yet: their strings are English only). Only these
# say the person's language in <html lang>; every other Dash page is English and says so.
TRANSLATED_DASH_PATHS: frozenset[str] = frozenset()


def with_page_language(interpolate_index):
    """Wraps Dash's `interpolate_index` so a translated Dash page says its language in `<html lang>`."""
    def interpolate(**kwargs):
        page = interpolate_index(**kwargs)
        if request.path not in TRANSLATED_DASH_PATHS:
            return page
        return page.replace('<html lang="en">', f'<html lang="{page_language()}">', 1)
    return interpolate

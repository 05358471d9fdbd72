"""Languages: gettext catalogs (Flask-Babel) for Flask templates and Dash layouts and callbacks.

A person's language is, in order: the one they chose with the switch on every page (kept on
their account and in a cookie, so it survives logging out and in), else the best match of the
browser's Accept-Language, else English. Catalogs live in `translations/<code>/LC_MESSAGES/
messages.po`; a translator adds Kannada by adding `translations/kn/...` — no code changes. The
catalogs are compiled at start into the instance folder (the source tree stays read-only).

Citizen screens follow every catalog. Staff screens (hospital, officer, admin, crew, wall: every
Dash page not registered with `translated=True`) have their words marked too, but stay English
unless the person's language is listed in the `HEALTHFIRST_STAFF_LANGUAGES` setting (config.py):
a catalog that translates the staff screens is switched on for them by that setting, not by code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, abort, redirect, request
from flask_babel import Babel, get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf

from auth.context import db_session, state
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


def chosen_language() -> str:
    """The person's language (their choice, else the browser's), whatever page they are on."""
    languages = available_languages()
    chosen = getattr(current_user, "language", None) if current_user and current_user.is_authenticated else None
    if chosen in languages:
        return chosen
    cookie = request.cookies.get(COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(list(languages)) or DEFAULT_LANGUAGE


def staff_languages() -> tuple[str, ...]:
    """The languages whose catalog covers the staff screens (`HEALTHFIRST_STAFF_LANGUAGES`, only
    those with a catalog): English always."""
    wanted = state()["config"].staff_languages
    return (DEFAULT_LANGUAGE,) + tuple(code for code in wanted if code in available_languages()
                                       and code != DEFAULT_LANGUAGE)


def staff_language() -> str:
    """The language of a staff screen for this person: theirs when its catalog covers the staff
    screens, else English."""
    chosen = chosen_language()
    return chosen if chosen in staff_languages() else DEFAULT_LANGUAGE


def select_language() -> str:
    """Flask-Babel's choice for this request: on a staff screen (an English-only Dash page) its
    language (`staff_language`), else the person's language."""
    return staff_language() if _english_only_page() else chosen_language()


def translated_paths() -> list[str]:
    """The Dash pages that speak the person's language (assets/shell.js sets `<html lang>` from
    them when the browser moves between pages): the citizen's, and the staff screens too when the
    person's language covers them."""
    if chosen_language() in staff_languages()[1:]:
        return sorted(TRANSLATED_DASH_PATHS | ENGLISH_DASH_PATHS)
    return sorted(TRANSLATED_DASH_PATHS)


def page_language() -> str:
    """The current request's language code, for `<html lang>`."""
    return str(get_locale() or DEFAULT_LANGUAGE)


@bp.post("/language")
def choose_language():
    """The language switch: a small form on every page (CSRF-protected). Remembered in a cookie
    and, for a signed-in person, on their account."""
    # The reasons in the reader's language (the request's: the switch has not changed it yet).
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except CSRFError:
        abort(400, description=gettext("The form expired: reload the page and choose the language again."))
    except Exception:  # noqa: BLE001 - flask-wtf raises ValidationError for a missing or bad token
        abort(400, description=gettext("The form expired: reload the page and choose the language again."))
    language = request.form.get("language", "")
    languages = available_languages()
    if language not in languages:
        abort(400, description=gettext("That language is not available."))
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


# Dash pages: those whose words are translated (registered with `translated=True`: the citizen's
# pages) and those in English only (staff screens). pages/shell.protect_pages fills both at start.
TRANSLATED_DASH_PATHS: set[str] = set()
ENGLISH_DASH_PATHS: set[str] = set()
# Who may open each English-only page: for anyone else it is a refusal ("You do not have access
# to this page"), said in their language like an unknown address's "Page not found".
ENGLISH_DASH_ROLES: dict[str, tuple[str, ...]] = {}


def register_dash_pages(*, translated: set[str], english: set[str],
                        roles: dict[str, tuple[str, ...]] | None = None) -> None:
    TRANSLATED_DASH_PATHS.clear()
    TRANSLATED_DASH_PATHS.update(translated)
    ENGLISH_DASH_PATHS.clear()
    ENGLISH_DASH_PATHS.update(english)
    ENGLISH_DASH_ROLES.clear()
    ENGLISH_DASH_ROLES.update(roles or {})


def english_paths_for_person() -> list[str]:
    """The English-only pages the signed-in person may open (assets/shell.js: `<html lang>`);
    none when their language covers the staff screens."""
    if chosen_language() in staff_languages()[1:]:
        return []
    return sorted(path for path in ENGLISH_DASH_PATHS if _may_open(path))


def _may_open(path: str) -> bool:
    roles = ENGLISH_DASH_ROLES.get(path)
    if roles is None:
        return True
    return bool(current_user and current_user.is_authenticated and current_user.role in roles)


# Feeds a staff screen reads, and actions it posts, outside Dash's requests: they speak the
# language of their page.
STAFF_FEEDS = {"/_display/view.json": "/display", "/_queue/answer": "/hospital/queue"}


def _page_path() -> str:
    """The path of the page this request is for: its own, or for Dash's requests (the layout, a
    callback) the page that sent them, from the Referer (same-origin: the full address)."""
    if request.path in STAFF_FEEDS:
        return STAFF_FEEDS[request.path]
    if not request.path.startswith("/_dash-"):
        return request.path
    referrer = urlsplit(request.referrer or "")
    return referrer.path if referrer.netloc == request.host else ""


def _english_only_page() -> bool:
    """A staff screen (a Dash page not registered as translated), one of its callbacks or feeds:
    its words, its frame included, are in `staff_language()` (English unless the person's language
    covers the staff screens), so a page never mixes languages. Not for someone who may not open
    it: their refusal comes in their language."""
    try:
        path = _page_path()
        return path in ENGLISH_DASH_PATHS and _may_open(path)
    except RuntimeError:  # no request
        return False


DASH_LOADING = "Loading..."  # in dash.Dash's app entry (`_app_entry`)


def with_page_language(interpolate_index):
    """Wraps Dash's `interpolate_index` (called for every page load) so a translated Dash page
    says the person's language in `<html lang>` and in its "Loading…", as do an unknown address
    (Dash's "Page not found") and a page the person may not open; a staff screen says its own
    (English unless the person's language covers the staff screens). A move between pages inside the browser updates
    it too (assets/shell.js, `pageLanguage`, from `translated_paths` and `english_paths_for_person`)."""
    def interpolate(**kwargs):
        if page_language() == DEFAULT_LANGUAGE:
            return interpolate_index(**kwargs)
        # What shows until the page's scripts have run (long on a slow phone): Dash's own words.
        kwargs["app_entry"] = kwargs.get("app_entry", "").replace(DASH_LOADING, gettext("Loading…"))
        page = interpolate_index(**kwargs)
        return page.replace('<html lang="en">', f'<html lang="{page_language()}">', 1)
    return interpolate

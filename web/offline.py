"""The citizen's SOS page, installable and usable offline: the web app manifest and the service
worker (assets/forms/sw.js), both served from the site's root so the worker may control
/citizen. Public: the browser fetches both without the login cookie.

The worker's text starts with the list of files it keeps (their content-hash URLs), so a deploy
that changes any of them changes the worker, and the browser installs the new one.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, request
from flask_babel import force_locale, gettext

from auth.compression import asset_url
from auth.context import state
from auth.i18n import available_languages, page_language
from web.plain_pages import ASSETS_FOLDER

bp = Blueprint("offline", __name__)

# What the SOS page needs offline (kept by the worker on install).
OFFLINE_FILES = ("00-bootstrap.min.css", "forms/citizen.css", "forms/sos.js", "forms/track.js",
                 "forms/icon-192.png")
WORKER = Path(ASSETS_FOLDER) / "forms" / "sw.js"


def _url(relative: str) -> str:
    return asset_url(ASSETS_FOLDER, relative)


@bp.route("/sw.js")
def service_worker():
    files = [_url(name) for name in OFFLINE_FILES]
    number = json.dumps(state()["config"].emergency_number)
    # The page shown offline when nothing was kept, in the language of whoever installed the worker.
    words = {"lang": page_language(), "title": gettext("No connection"),
             "call": gettext("In an emergency call %(number)s.", number="%(number)s")}
    head = (f"const PRECACHE = {json.dumps(files)};\nconst EMERGENCY_NUMBER = {number};\n"
            f"const OFFLINE_WORDS = {json.dumps(words, ensure_ascii=True)};\n")
    response = Response(head + WORKER.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # the browser checks for a new worker each time
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Vary"] = "Cookie, Accept-Language"  # its offline words are in the reader's language
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    """The installed app's name and description in a language: the page's (`?lang=`, the plain
    frame links it so: a browser fetches a manifest without cookies), else the browser's."""
    config = state()["config"]
    asked = request.args.get("lang", "")
    language = asked if asked in available_languages() else page_language()
    with force_locale(language):
        name = gettext("HealthFirst SOS")
        description = gettext("Emergency SOS: send your location to the nearest hospitals. In an emergency, "
                              "also call %(number)s.", number=config.emergency_number)
    body = {
        "name": name,
        "short_name": "HealthFirst",
        "description": description,
        "start_url": "/citizen",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#dc3545",
        "lang": language,
        "icons": [
            {"src": _url("forms/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": _url("forms/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    response = Response(json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Vary"] = "Accept-Language"  # without ?lang=, in the browser's language
    return response

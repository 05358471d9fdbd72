"""The frame of the plain HTML pages a signed-in person uses (the citizen's SOS and tracking
pages): the same navbar as the Dash pages (the role's pages, name, role, logout), without Dash,
in the reader's language, with the language switch (templates/_language.html).

`frame_context(title)` is what templates/citizen/_frame.html needs; `asset_url` (a template
global) names a file of assets/ by its content, so the browser keeps it a year and a redeploy of
unchanged files keeps its URL.
"""

from __future__ import annotations

import dash
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from auth.compression import asset_url
from components.shell import ID as FRAME_IDS
from config import PROJECT_ROOT
from db.errors import N_
from db.vocabulary import ROLE_LABELS

ASSETS_FOLDER = str(PROJECT_ROOT / "assets")
# The citizen's menu (the Dash pages' nav_label), marked here so the plain frame shows it translated.
CITIZEN_NAV_WORDS = (N_("Home"), N_("Find a bed"), N_("Find blood"), N_("Alerts"), N_("First aid"),
                     N_("Reports"))


def navigation(role: str) -> list[dict]:
    """The role's pages, as the Dash navbar lists them (dash.page_registry, by nav_order)."""
    pages = [p for p in dash.page_registry.values() if role in p.get("allowed_roles", ()) and p.get("nav_label")]
    pages.sort(key=lambda p: p.get("nav_order", 100))
    return [{"label": gettext(p["nav_label"]), "href": p["relative_path"]} for p in pages]


def frame_context(title: str) -> dict:
    return {
        "title": title,
        "nav": navigation(current_user.role),
        "user_name": current_user.full_name,
        "role_label": gettext(ROLE_LABELS.get(current_user.role, current_user.role)),
        "logout_csrf": generate_csrf(),
        "ids": FRAME_IDS,
    }


def install_template_globals(server: Flask) -> None:
    server.jinja_env.globals["asset_url"] = lambda relative: asset_url(ASSETS_FOLDER, relative)


# The error pages (templates/message.html), in the reader's language: code → (title, message).
# (A 400 keeps the reason its route gave; a database outage its 503, auth/outage.py; 429 its page.)
ERRORS = {
    403: (N_("You do not have access to this page"),
          N_("Your account cannot open it. Use the menu to go to your pages.")),
    404: (N_("Page not found"), N_("There is no page at this address. Check the address, or go back.")),
    405: (N_("That did not work"), N_("This address does not take that kind of request.")),
    500: (N_("Something went wrong"),
          N_("HealthFirst could not finish this. Try again in a moment. In an emergency, call 112.")),
}


def _error_page(error: HTTPException):
    """A refusal or failure as a page (or, for scripts and Dash's own routes, as JSON), in words.
    Flask logs an unexpected failure before it comes here as a 500."""
    code = error.code if error.code in ERRORS else 500
    title, message = ERRORS[code]
    wants_json = (request.path.startswith("/_") or request.is_json
                  or request.accept_mimetypes.best == "application/json")
    if wants_json:
        return jsonify(error=error.name, message=gettext(message)), code
    return render_template("message.html", title=gettext(title), message=gettext(message)), code


def install_error_pages(server: Flask) -> None:
    for code in ERRORS:
        server.register_error_handler(code, _error_page)

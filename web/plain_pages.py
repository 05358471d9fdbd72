"""The frame of the plain HTML pages a signed-in person uses (the citizen's SOS and tracking
pages): the same navbar as the Dash pages (the role's pages, name, role, logout), without Dash.

`frame_context(title)` is what templates/citizen/_frame.html needs; `asset_url` (a template
global) names a file of assets/ by its content, so the browser keeps it a year and a redeploy of
unchanged files keeps its URL.
"""

from __future__ import annotations

import dash
from flask import Flask
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from auth.compression import asset_url
from components.shell import ID as FRAME_IDS
from config import PROJECT_ROOT
from db.vocabulary import ROLE_LABELS

ASSETS_FOLDER = str(PROJECT_ROOT / "assets")


def navigation(role: str) -> list[dict]:
    """The role's pages, as the Dash navbar lists them (dash.page_registry, by nav_order)."""
    pages = [p for p in dash.page_registry.values() if role in p.get("allowed_roles", ()) and p.get("nav_label")]
    pages.sort(key=lambda p: p.get("nav_order", 100))
    return [{"label": p["nav_label"], "href": p["relative_path"]} for p in pages]


def frame_context(title: str) -> dict:
    return {
        "title": title,
        "nav": navigation(current_user.role),
        "user_name": current_user.full_name,
        "role_label": ROLE_LABELS.get(current_user.role, current_user.role),
        "logout_csrf": generate_csrf(),
        "ids": FRAME_IDS,
    }


def install_template_globals(server: Flask) -> None:
    server.jinja_env.globals["asset_url"] = lambda relative: asset_url(ASSETS_FOLDER, relative)

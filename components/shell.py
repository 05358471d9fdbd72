"""Ids of the frame around every page (navbar, error banner, the URL, the live region), shared by
every page, and `announce`, which any callback uses to have a screen reader say something."""

from __future__ import annotations

import json

import dash


class ID:
    URL = "url"
    NAVBAR = "navbar"
    NAVBAR_TOGGLER = "navbar-toggler"
    NAVBAR_COLLAPSE = "navbar-collapse"
    NAVBAR_LINKS = "navbar-links"
    NAVBAR_USER = "navbar-user"
    NAVBAR_ROLE = "navbar-role"
    LOGOUT_CSRF = "logout-csrf"
    # The language switch: a plain form POSTed to /language (auth/i18n.py) with the session's token.
    LANGUAGE_FORM = "language-switch"
    LANGUAGE_CSRF = "language-csrf"
    LANGUAGE_NEXT = "language-next"  # the page to come back to, kept current by assets/shell.js
    PAGE_LANGUAGE = "page-language"  # the person's language and the translated pages, for <html lang>
    LOGOUT_BUTTON = "logout-button"
    ERROR_BANNER = "error-banner"
    MAIN = "main-content"
    SKIP_LINK = "skip-link"
    # A polite live region (role="status"): what is written here is read out without moving focus.
    LIVE = "live-status"

    @staticmethod
    def language(code: str) -> str:
        """The switch's button for one language."""
        return f"language-{code}"

    @staticmethod
    def nav_group(pages: str) -> dict:
        """A group of pages in the navbar (a dropdown); `pages`: their paths, space-separated."""
        return {"type": "nav-group", "pages": pages}


def announce(message: str) -> None:
    """From inside any callback: have screen readers say `message` politely (the frame's live
    region), without moving focus or showing anything. JavaScript: `window.healthfirst.announce`."""
    dash.set_props(ID.LIVE, {"children": message})


def dom_id(pattern: dict) -> str:
    """The id a pattern id has in the page (Dash writes it as JSON with sorted keys), for a
    label's `html_for`."""
    return json.dumps(pattern, sort_keys=True, separators=(",", ":"))

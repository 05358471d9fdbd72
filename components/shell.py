"""Ids of the frame around every page (navbar, error banner, the URL), shared by every page."""

from __future__ import annotations


class ID:
    URL = "url"
    NAVBAR = "navbar"
    NAVBAR_TOGGLER = "navbar-toggler"
    NAVBAR_COLLAPSE = "navbar-collapse"
    NAVBAR_USER = "navbar-user"
    NAVBAR_ROLE = "navbar-role"
    LOGOUT_CSRF = "logout-csrf"
    LOGOUT_BUTTON = "logout-button"
    ERROR_BANNER = "error-banner"
    MAIN = "main-content"
    SKIP_LINK = "skip-link"

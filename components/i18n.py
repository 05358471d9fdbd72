"""The words of the builders in the reader's language: gettext and ngettext of the request's
language (Flask-Babel picks it, auth/i18n.py); outside a request they return the English.

`N_` marks a string for the catalog where it is defined (a label in a table, a page's title)
and `_` translates it where it is shown. Every marked string needs its Hindi
(translations/hi/LC_MESSAGES/messages.po, tests/unit/test_translations.py)."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext, ngettext

_ = gettext

__all__ = ["N_", "_", "gettext", "lazy_gettext", "ngettext"]


def N_(message: str) -> str:
    """Marks `message` for translation without translating it here."""
    return message

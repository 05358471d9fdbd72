"""Domain errors carry a message fit to show a person as it is."""

from __future__ import annotations


class DomainError(Exception):
    """`message` may be a marked template with `%(name)s` placeholders filled from `params`: a page
    shows it in the reader's language as `gettext(error.template, **error.params)`."""

    def __init__(self, message: str, **params):
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)


class InvalidInput(DomainError):
    """Bad input for one field; `field` lets a form show the message beside it."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message, **params)
        self.field = field


class NotAllowed(DomainError):
    def __init__(self, message: str = "You are not allowed to do that.", **params):
        super().__init__(message, **params)


class NotFound(DomainError):
    def __init__(self, message: str = "Not found.", **params):
        super().__init__(message, **params)


class Conflict(DomainError):
    """The state changed under the caller (someone else acted first)."""


def N_(message: str) -> str:
    """Marks a message for translation (pybabel extracts it) without translating it here: db/
    knows no request or language; the page shows it through gettext."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form (`%(count)s`) for translation; the page chooses the form
    with ngettext. `english(...)` below writes it in English where no page is involved."""
    return singular, plural


def english(message: str | tuple[str, str], params: dict) -> str:
    """A marked message (`N_` or `NP_`) written out in English with its parameters."""
    if isinstance(message, tuple):
        message = message[0] if params.get("count") == 1 else message[1]
    return message % params if params else message

"""Domain errors carry a message fit to show a person as it is."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Bad input for one field; `field` lets a form show the message beside it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NotAllowed(DomainError):
    def __init__(self, message: str = "You are not allowed to do that."):
        super().__init__(message)


class NotFound(DomainError):
    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class Conflict(DomainError):
    """The state changed under the caller (someone else acted first)."""


def N_(message: str) -> str:
    """Marks a message for translation (pybabel extracts it) without translating it here: db/
    knows no request or language; the page shows it through gettext."""
    return message

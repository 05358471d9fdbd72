"""What a browser sends, read as the domain needs it, or refused with a message for its field.

Every value that crosses from a page (a typed figure, a date picker's text, a store the page keeps,
a button's pattern id) is text or JSON the caller controls. These readers never raise anything
but `InvalidInput`, so a forged or mistyped value ends as a message at the field, never as a
server error.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from db.errors import InvalidInput


def whole_number(value, field_name: str, label: str, *, maximum: int) -> int:
    """Accept 12, "12", 12.0; refuse text, fractions, infinities, negatives, absurd sizes."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(field_name, f"Enter the number of {label}.")
    if isinstance(value, bool):
        raise InvalidInput(field_name, f"{label.capitalize()} must be a whole number.")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):  # a list or object; an integer beyond any float
        raise InvalidInput(field_name, f"{label.capitalize()} must be a whole number, not “{value}”.") from None
    if not math.isfinite(number):  # "1e309", "inf", "nan"
        raise InvalidInput(field_name, f"{label.capitalize()} must be a whole number, not “{value}”.")
    if number != int(number):
        raise InvalidInput(field_name, f"{label.capitalize()} must be a whole number (no fractions).")
    if number < 0:
        raise InvalidInput(field_name, f"{label.capitalize()} cannot be negative.")
    if number > maximum:
        raise InvalidInput(field_name, f"{label.capitalize()} above {maximum:,} is not believable: check the figure.")
    return int(number)


# Ids are SQL INTEGER (32-bit on PostgreSQL): a larger number can name no row, and sent to the
# database as a parameter it fails there (SQLite: "Python int too large"), not here.
MAX_ID = 2**31 - 1


def record_id(value: Any, field: str | None = None, message: str = "Choose it again: that choice is not valid.") -> int:
    """A row's id as the page sent it back (a store, a grid row, a select's value): a whole number
    from 1 to `MAX_ID`. Anything else is 0 (no row has id 0, so the operation refuses it as not
    found), or, given a `field`, refused at that field with `message`."""
    number = 0
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if 0 < number <= MAX_ID:
        return number
    if field is not None:
        raise InvalidInput(field, message)
    return 0


def text(value: Any, field: str, *, max_len: int, label: str = "This field") -> str:
    """What a person typed (or picked): text, or nothing (""). A number, list or object where text
    belongs, a NUL character (PostgreSQL refuses it) or more than `max_len` characters is refused
    at `field`. Returned as sent (strip it where the rule wants it stripped)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(field, f"{label} must be text.")
    if "\x00" in value:
        raise InvalidInput(field, f"{label} contains a character that cannot be stored.")
    if len(value) > max_len:
        raise InvalidInput(field, f"{label} is too long: keep it under {max_len:,} characters.")
    return value


def choice(value: Any, field: str, allowed, message: str) -> str:
    """One of `allowed` (a page's fixed options), or refused at `field` with `message`: a list or
    object never reaches `value in allowed` (unhashable: a TypeError there)."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput(field, message)
    return value


def count_or_zero(value: Any) -> int:
    """A version counter a page keeps: a whole number ≥ 0, anything else read as 0 ("unknown")."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def iso_date(value: Any, field: str, label: str) -> date | None:
    """A date picker's value ("2031-12-31", or with a time after it); empty means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput(field, f"{label.capitalize()}: “{value}” is not a date (use the calendar, "
                                  "or write it as YYYY-MM-DD).") from None


def iso_datetime(value: Any, field: str) -> datetime | None:
    """A moment the page kept as ISO text (e.g. which version of a text an editor started from)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(field, "This page is out of date: reload it and try again.") from None

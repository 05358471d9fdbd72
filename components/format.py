"""How times, durations and counts are written for people: the Indian way, in the configured
time zone ("02/12/2026, 19:05", 24-hour; "1,00,000"), in the reader's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from components.i18n import _, ngettext
from config import DISPLAY_TIMEZONE

DATE_FORMAT = "%d/%m/%Y"  # 02/12/2026
# What date pickers show (moment.js tokens): the same as DATE_FORMAT.
PICKER_DATE_FORMAT = "DD/MM/YYYY"


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(at: datetime) -> datetime:
    """Wall-clock time in the display zone, without zone (what chart axes should show)."""
    return at.astimezone(_zone(DISPLAY_TIMEZONE)).replace(tzinfo=None)


def local_time(at: datetime | None, *, with_date: bool = False) -> str:
    """"19:05:42" (the time of day, for "last updated"), or with its date "02/12/2026, 19:05"."""
    if at is None:
        return "—"
    local = at.astimezone(_zone(DISPLAY_TIMEZONE))
    return local.strftime(f"{DATE_FORMAT}, %H:%M" if with_date else "%H:%M:%S")


def local_date(day: date | datetime | None) -> str:
    """"02/12/2026" (a datetime is taken in the display zone)."""
    if day is None:
        return "—"
    if isinstance(day, datetime):
        day = day.astimezone(_zone(DISPLAY_TIMEZONE)).date()
    return day.strftime(DATE_FORMAT)


def moment(at: datetime | None, now: datetime) -> str:
    """The time of day if `at` is today (in the display zone), else with its date: "13:30:00",
    "27/11/2026, 13:30"."""
    if at is None:
        return "—"
    zone = _zone(DISPLAY_TIMEZONE)
    return local_time(at, with_date=at.astimezone(zone).date() != now.astimezone(zone).date())


def count(number: int | float) -> str:
    """A count of people or money grouped the Indian way: 1,00,000 (lakh), 1,00,00,000 (crore)."""
    return format_decimal(number, locale="en_IN")


def plural(number: int, singular: str, many: str | None = None) -> str:
    """"1 answer", "2 answers", "0 answers" (`many` where adding an s is wrong: "1 entry", "3 entries").
    English only (staff screens); words a citizen reads use `ngettext` with their own catalog entry."""
    return f"{count(number)} {singular if number == 1 else many or singular + 's'}"


# Letters whose spoken name starts with a vowel sound ("an A", "an F", "an O"; "a B").
_VOWEL_SOUNDING_LETTERS = frozenset("AEFHILMNORSX")


def letter_article(code: str) -> str:
    """A code read letter by letter with its article: "an O-", "an AB+", "a B+"."""
    return f"{'an' if code[:1].upper() in _VOWEL_SOUNDING_LETTERS else 'a'} {code}"


def ago(at: datetime | None, now: datetime) -> str:
    if at is None:
        return _("never")
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return _("%(seconds)s s ago", seconds=seconds)
    if seconds < 3600:
        return _("%(minutes)s min ago", minutes=seconds // 60)
    if seconds < 86400:
        return _("%(hours)s h %(minutes)s min ago", hours=seconds // 3600, minutes=seconds % 3600 // 60)
    return ngettext("%(num)s day ago", "%(num)s days ago", seconds // 86400)


def duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"

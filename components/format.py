"""How times, durations and counts are written for people."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from config import DISPLAY_TIMEZONE


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(at: datetime) -> datetime:
    """Wall-clock time in the display zone, without zone (what chart axes should show)."""
    return at.astimezone(_zone(DISPLAY_TIMEZONE)).replace(tzinfo=None)


def local_time(at: datetime | None, *, with_date: bool = False) -> str:
    if at is None:
        return "—"
    local = at.astimezone(_zone(DISPLAY_TIMEZONE))
    return local.strftime("%d %b %H:%M:%S" if with_date else "%H:%M:%S")


def moment(at: datetime | None, now: datetime) -> str:
    """The time of day if `at` is today (in the display zone), else with its date: "13:30:00",
    "27 Nov 13:30:00"."""
    if at is None:
        return "—"
    zone = _zone(DISPLAY_TIMEZONE)
    return local_time(at, with_date=at.astimezone(zone).date() != now.astimezone(zone).date())


def plural(count: int, singular: str, many: str | None = None) -> str:
    """"1 answer", "2 answers", "0 answers" (`many` where adding an s is wrong: "1 entry", "3 entries")."""
    return f"{count} {singular if count == 1 else many or singular + 's'}"


# Letters whose spoken name starts with a vowel sound ("an A", "an F", "an O"; "a B").
_VOWEL_SOUNDING_LETTERS = frozenset("AEFHILMNORSX")


def letter_article(code: str) -> str:
    """A code read letter by letter with its article: "an O-", "an AB+", "a B+"."""
    return f"{'an' if code[:1].upper() in _VOWEL_SOUNDING_LETTERS else 'a'} {code}"


def ago(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "never"
    seconds = int((now - at).total_seconds())
    if seconds < 0:
        seconds = 0
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"
    return f"{plural(seconds // 86400, 'day')} ago"


def duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"

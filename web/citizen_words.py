"""The citizen's plain pages in the reader's language: what db/ says (marked with `N_`/`NP_`,
never translated there) put in words at display time, and times written the Indian way.

    say(message, params)     a marked message (or an `NP_` pair) with its parameters, translated
    error_text(error)        a db.errors.DomainError's message, translated
    when(at, now)            "19:05" today, "02/12/2026, 19:05" another day (the configured zone)
    place_text(words)        db.landmarks.PlaceWords → "1.2 km north-east of Indiranagar Metro"
    arrival_text(estimate)   db.positions.Estimate → "Arriving in about 7 minutes (estimate) · …"
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext, ngettext

from config import DISPLAY_TIMEZONE
from db.errors import N_, DomainError
from db.sos import WORD_PARAMS

# Compass points as a person says them (db/geo.compass_point writes the short ones).
COMPASS = {"N": N_("north"), "NE": N_("north-east"), "E": N_("east"), "SE": N_("south-east"),
           "S": N_("south"), "SW": N_("south-west"), "W": N_("west"), "NW": N_("north-west")}
# CAP severities (the alerts banner).
SEVERITY = {"Extreme": N_("Extreme"), "Severe": N_("Severe"), "Moderate": N_("Moderate"),
            "Minor": N_("Minor"), "Unknown": N_("Unknown")}


def say(message: str | tuple[str, str], params: dict | None = None) -> str:
    """`message` in the reader's language; parameters named in db.sos.WORD_PARAMS (a status, a
    type, a reason) are marked words themselves and are translated too."""
    params = {key: gettext(value) if key in WORD_PARAMS and isinstance(value, str) and value else value
              for key, value in (params or {}).items()}
    if isinstance(message, tuple):
        return ngettext(message[0], message[1], params.get("count", 1), **params)
    return gettext(message, **params) if message else ""


def error_text(error: DomainError) -> str:
    return say(error.template, error.params)


def when(at: datetime | None, now: datetime, *, seconds: bool = False) -> str:
    """24-hour time in the configured zone, with the date (day/month/year) when not today."""
    if at is None:
        return "—"
    zone = ZoneInfo(DISPLAY_TIMEZONE)
    local = at.astimezone(zone)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    if local.date() == now.astimezone(zone).date():
        return clock
    return f"{local:%d/%m/%Y}, {clock}"


def place_text(words) -> str:
    if not words.text:
        return ""
    if not words.compass:
        return gettext("at %(place)s", place=words.landmark)
    km = format(words.distance_km, ".1f")
    return gettext("%(km)s km %(direction)s of %(place)s", km=km,
                   direction=gettext(COMPASS.get(words.compass, words.compass)), place=words.landmark)


def sketch_where(where: str) -> str:
    """components.minimap's "1.2 km NE" (the ambulance from the caller) as "1.2 km north-east", in
    the reader's language; "here" stays the template's own case."""
    distance, _, compass = where.rpartition(" ")
    if not distance or compass not in COMPASS:
        return where
    return gettext("%(distance)s %(direction)s", distance=distance, direction=gettext(COMPASS[compass]))


def _age(seconds: int | None) -> str:
    if seconds is None:
        return gettext("no position yet")
    if seconds < 60:
        return gettext("position %(num)s s ago", num=max(0, int(seconds)))
    return ngettext("position %(num)s minute ago", "position %(num)s minutes ago", int(seconds) // 60)


def arrival_text(estimate) -> str:
    """"Arriving in about 7 minutes (estimate) · position 20 s ago", from db.positions.Estimate."""
    if estimate is None:
        return ""
    text = ngettext("Arriving in about %(num)s minute (estimate)", "Arriving in about %(num)s minutes (estimate)",
                    estimate.minutes)
    text += " · " + _age(estimate.position_age_s)
    return text + (" · " + gettext("position may be out of date") if estimate.stale else "")

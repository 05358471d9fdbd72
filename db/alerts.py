"""Public health alerts (OASIS CAP 1.2): publish, update, cancel, and the lists built on them.

One row of `alerts` is one CAP message with a single info block. An Update or a Cancel is a new
message that names the one it replaces in `references` ("sender,identifier,sent"); the replaced
row gets `superseded_at`, set by a compare-and-set so two officers cannot both replace the same
alert. An alert is *active* from `effective` until `expires` while nothing replaced it, so
expired alerts drop out of every list by themselves: no job has to remove them. The public feed
also keeps each Update and Cancel for as long as the message it replaces would have stayed, so
feed readers see a cancellation instead of an alert that silently vanished (feed_alerts).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from config import DISPLAY_TIMEZONE
from db import audit
from db.errors import Conflict, InvalidInput, NotFound
from db.geo import haversine_km, parse_coordinates
from db.models import (
    CAP_CERTAINTIES,
    CAP_SEVERITIES,
    CAP_STATUSES,
    CAP_URGENCIES,
    Alert,
    AlertTranslation,
    User,
)
from db.parse import record_id
from db.parse import text as read_text
from db.permissions import require_role
from db.vocabulary import Role

# Who the alerts come from (CAP `sender`: no spaces, commas or "<&"), and the name people see.
SENDER = "alerts@healthfirst.in"
SENDER_NAME = "HealthFirst public health office"
PUBLISHER_ROLES = (Role.HEALTH_OFFICER,)

CAP_CATEGORIES = ("Health", "Safety", "Env", "Met", "Geo", "Rescue", "Fire", "Security",
                  "Transport", "Infra", "CBRNE", "Other")
# Most severe first: the order of every list people see.
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(CAP_SEVERITIES)}
# Shown to everyone in the banner; Test and System messages are for machines, Drafts for nobody.
BANNER_STATUSES = ("Actual", "Exercise")
# The public feed: everything published for real or for practice (CAP consumers read `status`).
FEED_STATUSES = ("Actual", "Exercise", "System", "Test")

HEADLINE_MAX = 160  # CAP advises under 160 characters (a text message)
EVENT_MAX = 120
TEXT_MAX = 4000
AREA_DESC_MAX = 200
MIN_RADIUS_KM = 0.1
MAX_RADIUS_KM = 1000.0  # wider than a state: name the region instead
MAX_DURATION = timedelta(days=30)
# An effective time typed a little in the past (a slow form) is accepted as it is.
PAST_TOLERANCE = timedelta(minutes=10)
DEFAULT_DURATION = timedelta(hours=24)
# A language's code as the form names it ("hi", "kn", "ta").
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# What a cancellation says in the languages the alert was in.
CANCELLED_WORD = {"hi": "रद्द"}
WITHDRAWN = {"hi": "यह चेतावनी वापस ले ली गई है।"}


@dataclass(frozen=True)
class AlertInput:
    """What an officer fills in. Times are aware datetimes (or None for the defaults)."""

    headline: str
    event: str
    urgency: str = "Expected"
    severity: str = "Moderate"
    certainty: str = "Likely"
    status: str = "Actual"
    category: str = "Health"
    description: str = ""
    instruction: str = ""
    effective: datetime | None = None
    expires: datetime | None = None
    area_desc: str = ""
    # A circle: centre and radius in km. Leave all three empty for a named region.
    circle_lat: float | None = None
    circle_lon: float | None = None
    circle_radius_km: float | None = None
    # The words in more languages: (language, event, headline, description, instruction) each.
    translations: tuple[tuple[str, str, str, str, str], ...] = ()


# ---- input parsing (text from a form into values, or a message at the field) ----------------


def parse_local_time(text: str | None, *, field: str, zone: str = DISPLAY_TIMEZONE) -> datetime | None:
    """'2026-11-28T14:30' (a datetime-local input, in the display zone) -> aware datetime."""
    text = read_text(text, field, max_len=64, label="The time").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise InvalidInput(field, "Give a date and time, e.g. 2026-11-28 14:30.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value


def parse_radius(text) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise InvalidInput("radius", "The radius is a number of kilometres, e.g. 5.") from None
    return value


def parse_centre(text: str | None) -> tuple[float | None, float | None]:
    text = read_text(text, "centre", max_len=100, label="The centre")
    if not text.strip():
        return None, None
    return parse_coordinates(text, field="centre")


# ---- validation -----------------------------------------------------------------------------


def _cap_time(at: datetime) -> datetime:
    """CAP times carry whole seconds; the stored `sent` must equal what `references` quote."""
    return at.replace(microsecond=0)


def _text(value: str | None, field: str, limit: int, *, required: str = "") -> str:
    value = read_text(value, field, max_len=10 * limit).strip()
    if required and not value:
        raise InvalidInput(field, required)
    if len(value) > limit:
        raise InvalidInput(field, f"Keep this under {limit} characters (it has {len(value)}).")
    return value


def _choice(value: str | None, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInput(field, f"Choose one of: {', '.join(allowed)}.")
    return value


@dataclass(frozen=True)
class CleanAlert:
    """Validated values, ready to store or to preview."""

    headline: str
    event: str
    urgency: str
    severity: str
    certainty: str
    status: str
    category: str
    description: str
    instruction: str
    effective: datetime
    expires: datetime
    area_desc: str
    circle_lat: float | None
    circle_lon: float | None
    circle_radius_km: float | None
    translations: tuple[tuple[str, str, str, str, str], ...] = ()


TRANSLATED_FIELDS = ("event", "headline", "description", "instruction")


def translated_field(name: str, language: str) -> str:
    """The form field of `name` in `language` ("headline:hi"): where its message shows."""
    return f"{name}:{language}"


def _translations(data: AlertInput) -> tuple[tuple[str, str, str, str, str], ...]:
    """Each language the officer filled: once anything is written in it, it needs its headline,
    and a description and an instruction where the English has one (a reader of that language
    must not miss what the English says); an empty event falls back to the English one. A
    language left empty is left out."""
    kept, seen = [], set()
    for language, event, headline, description, instruction in data.translations:
        if not isinstance(language, str) or not LANGUAGE_CODE.fullmatch(language) or language == "en" \
                or language in seen:
            raise InvalidInput("language", "Choose the languages from the form.")
        seen.add(language)
        at = {name: translated_field(name, language) for name in TRANSLATED_FIELDS}
        typed = [read_text(value, at[name], max_len=10 * TEXT_MAX)
                 for name, value in zip(TRANSLATED_FIELDS, (event, headline, description, instruction), strict=True)]
        if not any(value.strip() for value in typed):
            continue
        words = (
            language,
            _text(event, at["event"], EVENT_MAX),
            _text(headline, at["headline"], HEADLINE_MAX,
                  required="Write the headline in this language too, or leave all its fields empty."),
            _text(description, at["description"], TEXT_MAX,
                  required="The English has a description: write it in this language too, or leave all "
                           "this language's fields empty." if (data.description or "").strip() else ""),
            _text(instruction, at["instruction"], TEXT_MAX,
                  required="The English says what people should do: write it in this language too, or "
                           "leave all this language's fields empty." if (data.instruction or "").strip() else ""),
        )
        kept.append(words)
    return tuple(kept)


def _texts(data: AlertInput) -> dict:
    """The words and the CAP choices, in the form's order (the first problem is the one shown)."""
    return dict(
        headline=_text(data.headline, "headline", HEADLINE_MAX,
                       required="Write a headline: the one line people read first."),
        event=_text(data.event, "event", EVENT_MAX,
                    required="Name the event, e.g. Heatwave, Dengue outbreak, Unsafe water."),
        urgency=_choice(data.urgency, "urgency", CAP_URGENCIES),
        severity=_choice(data.severity, "severity", CAP_SEVERITIES),
        certainty=_choice(data.certainty, "certainty", CAP_CERTAINTIES),
        status=_choice(data.status, "status", CAP_STATUSES),
        category=_choice(data.category, "category", CAP_CATEGORIES),
        description=_text(data.description, "description", TEXT_MAX),
        instruction=_text(data.instruction, "instruction", TEXT_MAX),
    )


def _times(data: AlertInput, now: datetime) -> tuple[datetime, datetime]:
    """Effective (empty: now) and expires, in whole seconds, within MAX_DURATION of each other."""
    now = _cap_time(now)
    effective = _cap_time(data.effective) if data.effective is not None else now
    if effective < now - PAST_TOLERANCE:
        raise InvalidInput("effective", "The start time is in the past. Leave it empty to start now.")
    if data.expires is None:
        raise InvalidInput("expires", "Give an expiry: when the alert should stop showing.")
    expires = _cap_time(data.expires)
    if expires <= now:
        raise InvalidInput("expires", "The expiry is in the past. Choose a time after now.")
    if expires <= effective:
        raise InvalidInput("expires", "The expiry must come after the start time.")
    if expires - effective > MAX_DURATION:
        raise InvalidInput("expires", f"An alert can run for at most {MAX_DURATION.days} days. "
                                      "Publish an update to extend it.")
    return effective, expires


def _check_radius(radius) -> None:
    if radius is None:
        raise InvalidInput("radius", "Give the circle's radius in kilometres.")
    if not isinstance(radius, (int, float)) or math.isnan(radius) or radius <= 0:
        raise InvalidInput("radius", "The radius must be more than zero kilometres.")
    if radius < MIN_RADIUS_KM:
        raise InvalidInput("radius", f"A radius under {MIN_RADIUS_KM * 1000:.0f} m is too small for a "
                                     "public alert.")
    if radius > MAX_RADIUS_KM:
        raise InvalidInput("radius", f"A radius over {MAX_RADIUS_KM:.0f} km is not a local alert: "
                                     "name the region instead.")


def _area(data: AlertInput) -> tuple[str, float | None, float | None, float | None]:
    """A named region, or a circle (centre and radius) with a description made up if none is given."""
    lat, lon, radius = data.circle_lat, data.circle_lon, data.circle_radius_km
    area_desc = _text(data.area_desc, "area_desc", AREA_DESC_MAX)
    if lat is None and lon is None and radius is None:
        if not area_desc:
            raise InvalidInput("area_desc", "Name the region (e.g. Bengaluru Urban district), or draw a "
                                            "circle: a centre and a radius.")
        return area_desc, None, None, None
    if lat is None or lon is None:
        raise InvalidInput("centre", "Give the circle's centre: tap the map or type latitude, longitude.")
    _check_radius(radius)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("centre", "Latitude is -90 to 90 and longitude -180 to 180.")
    lat, lon, radius = round(float(lat), 5), round(float(lon), 5), round(float(radius), 3)
    return area_desc or f"Within {radius:g} km of {lat:.4f}, {lon:.4f}", lat, lon, radius


def validate(data: AlertInput, *, now: datetime) -> CleanAlert:
    """Every rule of an alert, checked before anything is stored (also used by the preview)."""
    texts = _texts(data)
    translations = _translations(data)  # the words first: the form shows the languages side by side
    effective, expires = _times(data, now)
    area_desc, lat, lon, radius = _area(data)
    return CleanAlert(**texts, effective=effective, expires=expires, area_desc=area_desc,
                      circle_lat=lat, circle_lon=lon, circle_radius_km=radius, translations=translations)


def preview(session: Session, *, actor: User, data: AlertInput, now: datetime,
            references_id: int | None = None, msg_type: str = "Alert") -> Alert:
    """The message as it would be published, not stored (for the officer's preview)."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = replaceable(session, references_id, now) if references_id else None
    clean = validate(data, now=now)
    return _build(clean, actor=actor, now=now, msg_type=msg_type, previous=previous)


# ---- publishing -----------------------------------------------------------------------------


def _new_identifier(now: datetime) -> str:
    return f"healthfirst-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _build(clean: CleanAlert, *, actor: User, now: datetime, msg_type: str,
           previous: Alert | None) -> Alert:
    return Alert(
        identifier=_new_identifier(now),
        sender=SENDER,
        sent=_cap_time(now),
        status=clean.status,
        msg_type=msg_type,
        scope="Public",
        references=cap_reference(previous) if previous is not None else "",
        references_alert_id=previous.id if previous is not None else None,
        category=clean.category,
        event=clean.event,
        urgency=clean.urgency,
        severity=clean.severity,
        certainty=clean.certainty,
        effective=clean.effective,
        expires=clean.expires,
        headline=clean.headline,
        description=clean.description,
        instruction=clean.instruction,
        area_desc=clean.area_desc,
        circle_lat=clean.circle_lat,
        circle_lon=clean.circle_lon,
        circle_radius_km=clean.circle_radius_km,
        created_by_id=actor.id,
        translations=[AlertTranslation(language=language, event=event, headline=headline, description=description,
                                       instruction=instruction)
                      for language, event, headline, description, instruction in clean.translations],
    )


def cap_time_text(at: datetime) -> str:
    """CAP 1.2 dateTime: whole seconds and an explicit offset, never 'Z' (UTC is '-00:00')."""
    local = at.astimezone(ZoneInfo(DISPLAY_TIMEZONE)).replace(microsecond=0)
    text = local.isoformat()
    if text.endswith("+00:00"):
        text = text[:-6] + "-00:00"
    return text


def cap_reference(alert: Alert) -> str:
    return f"{alert.sender},{alert.identifier},{cap_time_text(alert.sent)}"


def publish(session: Session, *, actor: User, data: AlertInput, now: datetime) -> Alert:
    """Publish a new alert (msgType Alert)."""
    require_role(actor, *PUBLISHER_ROLES)
    clean = validate(data, now=now)
    alert = _build(clean, actor=actor, now=now, msg_type="Alert", previous=None)
    session.add(alert)
    session.flush()
    audit.record(session, actor=actor, action="alert.publish", now=now, target_type="alert",
                 target_id=alert.identifier, detail={"headline": alert.headline, "severity": alert.severity,
                                                     "status": alert.status})
    return alert


def replaceable(session: Session, alert_id, now: datetime) -> Alert:
    """The alert an Update or Cancel would replace: it must be the newest version, not expired."""
    alert_id = record_id(alert_id, "reference", "Choose the alert to update or cancel.")
    previous = session.execute(
        select(Alert).where(Alert.id == alert_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if previous is None:
        raise NotFound("That alert does not exist.")
    if previous.msg_type == "Cancel":
        raise Conflict("That message is a cancellation: there is nothing left to update.")
    if previous.superseded_at is not None:
        raise Conflict("That alert was already updated or cancelled. Choose its newest version.")
    if previous.expires <= now:
        raise Conflict("That alert has expired. Publish a new alert instead.")
    return previous


def _supersede(session: Session, previous: Alert, now: datetime) -> None:
    """Compare-and-set: only one Update or Cancel can replace an alert."""
    changed = session.execute(
        update(Alert).where(Alert.id == previous.id, Alert.superseded_at.is_(None))
        .values(superseded_at=now)
    ).rowcount
    if changed != 1:
        raise Conflict("Someone else updated or cancelled that alert a moment ago. "
                       "Open the newest version and try again.")


def update_alert(session: Session, *, actor: User, alert_id: int, data: AlertInput, now: datetime) -> Alert:
    """Publish an Update that replaces `alert_id` and references it."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = replaceable(session, alert_id, now)
    clean = validate(data, now=now)
    with session.begin_nested():
        _supersede(session, previous, now)
        alert = _build(clean, actor=actor, now=now, msg_type="Update", previous=previous)
        session.add(alert)
        session.flush()
    audit.record(session, actor=actor, action="alert.update", now=now, target_type="alert",
                 target_id=alert.identifier, detail={"replaces": previous.identifier, "headline": alert.headline})
    return alert


def _cancel_reasons(previous: Alert, reason, reasons: dict | None) -> tuple[str, dict[str, str]]:
    """The officer's reason in English and in each language the alert was written in (each
    optional). A reason in a language the alert was not written in is refused at its field."""
    reason = _text(reason, "reason", TEXT_MAX)
    written = {t.language for t in previous.translations}
    kept = {}
    for language, words in sorted((reasons or {}).items()):
        field = translated_field("reason", language)
        words = _text(words, field, TEXT_MAX)
        if not words:
            continue
        if language not in written:
            raise InvalidInput(field, "The alert was not published in this language: leave this empty.")
        kept[language] = words
    return reason, kept


def _cancellation(previous: Alert, *, actor: User, reason: str, reasons: dict[str, str], now: datetime) -> Alert:
    """The Cancel that withdraws `previous` (not stored): its area, its expiry, its languages."""
    sent = _cap_time(now)
    return Alert(
        identifier=_new_identifier(now),
        sender=SENDER,
        sent=sent,
        status=previous.status,
        msg_type="Cancel",
        scope="Public",
        references=cap_reference(previous),
        references_alert_id=previous.id,
        category=previous.category,
        event=previous.event,
        urgency="Past",
        severity=previous.severity,
        certainty=previous.certainty,
        effective=sent,
        expires=max(previous.expires, sent + timedelta(minutes=1)),
        headline=f"Cancelled: {previous.headline}"[:200],
        description=reason or "This alert has been withdrawn.",
        instruction="",
        area_desc=previous.area_desc,
        circle_lat=previous.circle_lat,
        circle_lon=previous.circle_lon,
        circle_radius_km=previous.circle_radius_km,
        created_by_id=actor.id,
        # The withdrawal in every language the alert was in: the officer's reason in that
        # language, else the standard sentence (never the English reason in another language's block).
        translations=[AlertTranslation(language=t.language, event=t.event,
                                       headline=f"{CANCELLED_WORD.get(t.language, 'Cancelled')}: {t.headline}"[:200],
                                       description=reasons.get(t.language)
                                       or WITHDRAWN.get(t.language, "This alert has been withdrawn."),
                                       instruction="") for t in previous.translations],
    )


def cancel_alert(session: Session, *, actor: User, alert_id: int, reason: str = "", now: datetime,
                 reasons: dict[str, str] | None = None) -> Alert:
    """Publish a Cancel that withdraws `alert_id`; it keeps the old area and expiry. `reasons`:
    the reason in the other languages the alert was written in ({"hi": "…"}), each optional."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = replaceable(session, alert_id, now)
    reason, reasons = _cancel_reasons(previous, reason, reasons)
    with session.begin_nested():
        _supersede(session, previous, now)
        alert = _cancellation(previous, actor=actor, reason=reason, reasons=reasons, now=now)
        session.add(alert)
        session.flush()
    audit.record(session, actor=actor, action="alert.cancel", now=now, target_type="alert",
                 target_id=alert.identifier, detail={"cancels": previous.identifier, "reason": reason}
                 | ({"reasons": reasons} if reasons else {}))
    return alert


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertWords:
    """An alert's words in one language; `fallback` when the officer did not write that one."""

    language: str
    event: str
    headline: str
    description: str
    instruction: str
    fallback: bool = False


def words_in(alert: Alert, language: str) -> AlertWords:
    """The alert in the reader's language, else in English (marked as a fallback)."""
    for t in alert.translations:
        if t.language == language:
            return AlertWords(language, t.event or alert.event, t.headline, t.description, t.instruction)
    return AlertWords("en", alert.event, alert.headline, alert.description, alert.instruction,
                      fallback=language != "en")



def _active_query(now: datetime, statuses: tuple[str, ...]):
    return select(Alert).where(
        Alert.msg_type.in_(("Alert", "Update")),
        Alert.superseded_at.is_(None),
        Alert.effective <= now,
        Alert.expires > now,
        Alert.status.in_(statuses),
    )


def by_severity(alerts: list[Alert]) -> list[Alert]:
    """Most severe first (Extreme > Severe > Moderate > Minor > Unknown), then newest."""
    return sorted(alerts, key=lambda a: (SEVERITY_RANK.get(a.severity, 9), -a.sent.timestamp(), -a.id))


def active_alerts(session: Session, *, now: datetime, statuses: tuple[str, ...] = BANNER_STATUSES) -> list[Alert]:
    """Alerts in force now, most severe first. One query: the banner calls it on every refresh."""
    return by_severity(list(session.execute(_active_query(now, statuses)).scalars()))


def _feed_query(now: datetime):
    """The newest message of every alert thread a feed reader must still see (see feed_alerts)."""
    # (message, a message it replaces, directly or through earlier replacements), starting from
    # every message that has not expired yet: few rows, found by ix_alerts_expires.
    lineage = select(Alert.id.label("message_id"), Alert.id.label("origin_id")).where(
        Alert.expires > now).cte("lineage", recursive=True)
    later = aliased(Alert)
    lineage = lineage.union_all(
        select(later.id, lineage.c.origin_id).where(later.references_alert_id == lineage.c.message_id))
    replaces_unexpired = exists().where(lineage.c.message_id == Alert.id, lineage.c.origin_id != Alert.id)
    return select(Alert).where(
        Alert.superseded_at.is_(None),
        Alert.status.in_(FEED_STATUSES),
        or_(and_(Alert.effective <= now, Alert.expires > now),
            and_(Alert.msg_type.in_(("Update", "Cancel")), Alert.sent <= now, replaces_unexpired)),
    )


def feed_alerts(session: Session, *, now: datetime) -> list[Alert]:
    """What the public feed carries: the newest message of each alert thread, most severe first.

    An Alert while it is in force. An Update or a Cancel while it is in force, and also for as long
    as the message it replaces (or any earlier one it replaces in turn) would have stayed: a feed
    reader sees the Cancel instead of the alert simply vanishing, and can tell cancelled from expired.
    """
    return by_severity(list(session.execute(_feed_query(now)).scalars()))


def covers(alert: Alert, lat: float, lon: float) -> bool:
    if alert.circle_radius_km is None or alert.circle_lat is None or alert.circle_lon is None:
        return False
    return haversine_km(alert.circle_lat, alert.circle_lon, lat, lon) <= alert.circle_radius_km


@dataclass(frozen=True)
class PlacedAlert:
    alert: Alert
    # "here": the circle covers the person; "region": a named region (not mapped);
    # "elsewhere": a circle that does not cover them; "unknown": we do not know where they are.
    where: str


def alerts_for_person(session: Session, *, now: datetime, lat: float | None = None,
                      lon: float | None = None) -> list[PlacedAlert]:
    """Active alerts; with a location, those whose circle covers it come first."""
    alerts = active_alerts(session, now=now)
    if lat is None or lon is None:
        return [PlacedAlert(a, "unknown") for a in alerts]
    placed = []
    for alert in alerts:
        if covers(alert, lat, lon):
            placed.append(PlacedAlert(alert, "here"))
        elif alert.circle_radius_km is None:
            placed.append(PlacedAlert(alert, "region"))
        else:
            placed.append(PlacedAlert(alert, "elsewhere"))
    order = {"here": 0, "region": 1, "elsewhere": 2}
    return sorted(placed, key=lambda p: order[p.where])  # stable: severity order kept within groups


def history(session: Session, *, limit: int = 100) -> list[Alert]:
    """Every message, newest first."""
    return list(session.execute(select(Alert).order_by(Alert.sent.desc(), Alert.id.desc()).limit(limit)).scalars())


def replaceable_alerts(session: Session, *, actor: User, now: datetime) -> list[Alert]:
    """What an officer may update or cancel: the newest version of each alert not yet expired."""
    require_role(actor, *PUBLISHER_ROLES)
    return by_severity(list(session.execute(
        select(Alert).where(Alert.msg_type.in_(("Alert", "Update")), Alert.superseded_at.is_(None),
                            Alert.expires > now)
    ).scalars()))


def get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("That alert does not exist.")
    return alert


def by_identifier(session: Session, identifier: str) -> Alert | None:
    return session.execute(select(Alert).where(Alert.identifier == identifier)).scalar_one_or_none()


def state_of(alert: Alert, now: datetime) -> str:
    """A word for the history list: active, upcoming, expired, replaced, cancellation."""
    if alert.msg_type == "Cancel":
        return "cancellation"
    if alert.superseded_at is not None:
        return "replaced"
    if alert.expires <= now:
        return "expired"
    if alert.effective > now:
        return "upcoming"
    return "active"


# ---- form text <-> values -------------------------------------------------------------------


def local_input_text(at: datetime | None, zone: str = DISPLAY_TIMEZONE) -> str:
    """An aware time as a datetime-local input's value in the display zone ('2026-11-28T13:30')."""
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if at else ""


def input_from_text(values: dict, *, area_kind: str = "circle") -> AlertInput:
    """What a form sent (all text) as AlertInput, or InvalidInput at the field that is wrong."""
    lat = lon = radius = None
    if area_kind == "circle":
        lat, lon = parse_centre(values.get("centre"))
        radius = parse_radius(values.get("radius"))
        if lat is None:
            raise InvalidInput("centre", "Give the circle's centre: tap the map or type latitude, longitude.")
    return AlertInput(
        headline=values.get("headline") or "",
        event=values.get("event") or "",
        urgency=values.get("urgency") or "",
        severity=values.get("severity") or "",
        certainty=values.get("certainty") or "",
        status=values.get("status") or "",
        category=values.get("category") or "",
        description=values.get("description") or "",
        instruction=values.get("instruction") or "",
        effective=parse_local_time(values.get("effective"), field="effective"),
        expires=parse_local_time(values.get("expires"), field="expires"),
        area_desc=values.get("area_desc") or "",
        circle_lat=lat,
        circle_lon=lon,
        circle_radius_km=radius,
        translations=_translations_from_text(values),
    )


def _translations_from_text(values: dict) -> tuple[tuple[str, str, str, str, str], ...]:
    """The form's "headline:hi", "description:hi" … fields, one tuple per language, in code order."""
    languages = sorted({key.split(":", 1)[1] for key in values if ":" in key
                        and key.split(":", 1)[0] in TRANSLATED_FIELDS and LANGUAGE_CODE.fullmatch(key.split(":", 1)[1])})
    return tuple((language, *(values.get(translated_field(name, language)) or "" for name in TRANSLATED_FIELDS))
                 for language in languages)


def text_from(alert: Alert) -> dict:
    """An alert's values as form text (to start an update from it)."""
    circle = alert.circle_radius_km is not None
    return {
        "event": alert.event, "headline": alert.headline, "description": alert.description,
        "instruction": alert.instruction, "effective": "", "expires": local_input_text(alert.expires),
        "area_desc": alert.area_desc,
        "centre": f"{alert.circle_lat:.5f}, {alert.circle_lon:.5f}" if circle else "",
        "radius": f"{alert.circle_radius_km:g}" if circle else "",
        "category": alert.category, "urgency": alert.urgency, "severity": alert.severity,
        "certainty": alert.certainty, "status": alert.status,
        "area_kind": "circle" if circle else "region",
    } | {translated_field(name, t.language): getattr(t, name) for t in alert.translations for name in TRANSLATED_FIELDS}


def form_text_of(session: Session, *, actor: User, alert_id, now: datetime) -> dict | None:
    """The form text of an alert the officer may update (to start the update from), else None."""
    return next((text_from(a) for a in replaceable_alerts(session, actor=actor, now=now)
                 if str(a.id) == str(alert_id)), None)


# ---- the officer's form: preview first, then publish exactly what was previewed ------------
#
# A preview hands back a key computed from the content shown; publishing needs that key and
# recomputes it from what it is about to publish, so any change after the preview (or no
# preview at all) is refused with NOT_PREVIEWED instead of published unseen.

PREVIEW = "preview"  # the InvalidInput field of a publish whose content was not previewed as it is
NOT_PREVIEWED = "Press Preview first: check what people will see, then publish."


@dataclass(frozen=True)
class Draft:
    """What a preview shows and the key that publishing exactly this content needs. `alert` is
    the message as it would go out, never stored; for a cancellation, the alert it withdraws."""

    alert: Alert
    key: str
    # A cancellation's preview: the Cancel message as it would go out (its words per language).
    cancellation: Alert | None = None


def preview_key(msg_type: str, *, data: AlertInput | None = None, alert_id: int | None = None,
                reason: str = "", reasons: dict | None = None) -> str:
    content = {"msg_type": msg_type, "alert_id": alert_id, "reason": (reason or "").strip(),
               "reasons": {k: v.strip() for k, v in (reasons or {}).items() if v and v.strip()},
               "data": asdict(data) if data is not None else None}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _require_previewed(previewed: str | None, key: str) -> None:
    if previewed != key:
        raise InvalidInput(PREVIEW, NOT_PREVIEWED)


def _earlier(session: Session, alert_id, now: datetime) -> Alert:
    """The alert an Update or Cancel from the form replaces (it must be chosen first)."""
    if not alert_id:
        raise InvalidInput("reference", "Choose the earlier alert.")
    return replaceable(session, alert_id, now)


def _checked(text: dict, area_kind: str | None, now: datetime) -> AlertInput:
    """The form's text as AlertInput, every rule checked (a mistake shows at its field)."""
    data = input_from_text(text, area_kind=area_kind or "circle")
    validate(data, now=now)
    return data


def preview_alert(session: Session, *, actor: User, text: dict, area_kind: str | None, now: datetime) -> Draft:
    """Preview a new alert from the form's text."""
    require_role(actor, *PUBLISHER_ROLES)
    data = _checked(text, area_kind, now)
    return Draft(preview(session, actor=actor, data=data, now=now), preview_key("Alert", data=data))


def preview_update(session: Session, *, actor: User, alert_id, text: dict, area_kind: str | None,
                   now: datetime) -> Draft:
    """Preview an Update of `alert_id` from the form's text."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = _earlier(session, alert_id, now)
    data = _checked(text, area_kind, now)
    draft = preview(session, actor=actor, data=data, now=now, references_id=previous.id, msg_type="Update")
    return Draft(draft, preview_key("Update", data=data, alert_id=previous.id))


def preview_cancel(session: Session, *, actor: User, alert_id, reason: str | None, now: datetime,
                   reasons: dict[str, str] | None = None) -> Draft:
    """Preview the cancellation of `alert_id`: the alert that will stop showing, and the Cancel
    message in each of its languages."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = _earlier(session, alert_id, now)
    reason, kept = _cancel_reasons(previous, reason, reasons)
    cancellation = _cancellation(previous, actor=actor, reason=reason, reasons=kept, now=now)
    return Draft(previous, preview_key("Cancel", alert_id=previous.id, reason=reason, reasons=kept), cancellation)


def publish_previewed(session: Session, *, actor: User, text: dict, area_kind: str | None, previewed: str | None,
                      now: datetime) -> Alert:
    """Publish the new alert the form shows, if exactly this content was previewed."""
    require_role(actor, *PUBLISHER_ROLES)
    data = _checked(text, area_kind, now)
    _require_previewed(previewed, preview_key("Alert", data=data))
    return publish(session, actor=actor, data=data, now=now)


def update_previewed(session: Session, *, actor: User, alert_id, text: dict, area_kind: str | None,
                     previewed: str | None, now: datetime) -> Alert:
    """Publish the Update the form shows, if exactly this content was previewed."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = _earlier(session, alert_id, now)
    data = _checked(text, area_kind, now)
    _require_previewed(previewed, preview_key("Update", data=data, alert_id=previous.id))
    return update_alert(session, actor=actor, alert_id=previous.id, data=data, now=now)


def cancel_previewed(session: Session, *, actor: User, alert_id, reason: str | None, previewed: str | None,
                     now: datetime, reasons: dict[str, str] | None = None) -> Alert:
    """Publish the cancellation the form shows, if exactly this one was previewed."""
    require_role(actor, *PUBLISHER_ROLES)
    previous = _earlier(session, alert_id, now)
    reason, kept = _cancel_reasons(previous, reason, reasons)
    _require_previewed(previewed, preview_key("Cancel", alert_id=previous.id, reason=reason, reasons=kept))
    return cancel_alert(session, actor=actor, alert_id=previous.id, reason=reason, reasons=kept, now=now)

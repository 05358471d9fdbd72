"""Emergency SOS: creation, first-accept-wins, decline, cancel, and the views built on events.

Every status change is a conditional UPDATE (compare-and-set on the current status), so two
hospitals, two clicks or two job processes can never both win. Every change writes an
`sos_events` row; the citizen's timeline and all response-time figures come from those rows.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Integer, String, bindparam, case, cast, func, select, true, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from db import places
from db.dispatch import release_unit
from db.errors import N_, NP_, Conflict, DomainError, InvalidInput, NotAllowed, NotFound, english
from db.geo import haversine_km, valid_point
from db.models import (
    SOS_CLOSED_STATUSES,
    Ambulance,
    Hospital,
    Sos,
    SosEvent,
    SosOffer,
    User,
)
from db.parse import MAX_ID
from db.permissions import require_role
from db.prepared import naive_utc, run_prepared
from db.sos_state import compare_and_set, record_event
from db.users import clean_phone
from db.vocabulary import DEMO_EMAIL_DOMAIN, PRIORITY_LABELS, SOS_STATUS_LABELS, Role, sos_number


@dataclass(frozen=True)
class EmergencyType:
    label: str
    priority: str
    # The bed a hospital must have free to be offered this emergency (None: any hospital).
    bed_code: str | None


EMERGENCY_TYPES: dict[str, EmergencyType] = {
    "cardiac_arrest": EmergencyType(N_("Cardiac arrest / not breathing"), "critical", "ICU"),
    "breathing_difficulty": EmergencyType(N_("Breathing difficulty"), "emergent", "OXYGEN"),
    "chest_pain": EmergencyType(N_("Chest pain"), "emergent", "ICU"),
    "stroke": EmergencyType(N_("Stroke (face, arm, speech)"), "critical", "ICU"),
    "severe_bleeding": EmergencyType(N_("Severe bleeding"), "critical", "GENERAL"),
    "road_injury": EmergencyType(N_("Road accident / injury"), "critical", "GENERAL"),
    "burns": EmergencyType(N_("Burns"), "emergent", "GENERAL"),
    "choking": EmergencyType(N_("Choking"), "critical", None),
    "seizure": EmergencyType(N_("Seizure / fits"), "emergent", None),
    "poisoning": EmergencyType(N_("Poisoning"), "emergent", None),
    "childbirth": EmergencyType(N_("Childbirth"), "emergent", "GENERAL"),
    "other": EmergencyType(N_("Other emergency"), "emergent", None),
}
DEFAULT_PRIORITY = "emergent"
OPEN_STATUSES = tuple(s for s in SOS_STATUS_LABELS if s not in SOS_CLOSED_STATUSES)
ACCEPTABLE_STATUSES = ("pending", "unanswered")
# The citizen may cancel until the ambulance is with them.
CANCELLABLE_STATUSES = ("pending", "unanswered", "accepted", "dispatched", "en_route")
NOTE_MAX = 500


class AlreadyAccepted(Conflict):
    def __init__(self, by: str):
        super().__init__(f"Already accepted by {by}.")
        self.by = by


def _fresh(session: Session, sos_id: int) -> Sos | None:
    return session.execute(
        select(Sos).where(Sos.id == sos_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()


# ---- citizen --------------------------------------------------------------------------------


def open_sos_of(session: Session, citizen_id: int) -> Sos | None:
    return session.execute(
        select(Sos).where(Sos.citizen_id == citizen_id, Sos.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()


def create_sos(
    session: Session,
    *,
    actor: User,
    latitude: float | None,
    longitude: float | None,
    now: datetime,
    location_source: str = "gps",
    location_text: str = "",
    accuracy_m: float | None = None,
    emergency_type: str | None = None,
    note: str = "",
    client_key: str | None = None,
    callback_phone: str | None = None,
) -> tuple[Sos, bool]:
    """Send an SOS. Returns (sos, created): a citizen with an open SOS gets that one back.

    `client_key` is the phone's idempotency key: an SOS sent again with the same key (kept while
    offline and retried) gets back the SOS that key already made, open or not; the same key with
    different content is refused (Conflict), nothing made."""
    require_role(actor, Role.CITIZEN)
    client_key = _checked_key(client_key)
    if client_key is not None:
        made = _sos_with_key(session, actor.id, client_key)
        if made is not None:
            _same_content(made, latitude, longitude, emergency_type, note)
            return made, False
    existing = open_sos_of(session, actor.id)
    if existing is not None:
        return existing, False
    emergency_type, note = _checked_content(latitude, longitude, emergency_type, note)
    try:
        # A number to call back, asked of a citizen who registered none (hospitals call it).
        callback_phone = clean_phone(callback_phone)
    except InvalidInput as bad:
        raise InvalidInput("callback_phone", bad.template, **bad.params) from None
    priority = EMERGENCY_TYPES[emergency_type].priority if emergency_type else DEFAULT_PRIORITY
    sos = Sos(
        citizen_id=actor.id,
        status="pending",
        emergency_type=emergency_type,
        priority=priority,
        note=note,
        callback_phone=callback_phone,
        latitude=float(latitude),
        longitude=float(longitude),
        location_source=location_source if location_source in ("gps", "map", "typed", "landmark") else "typed",
        location_text=(location_text or "")[:200],
        accuracy_m=accuracy_m,
        client_key=client_key,
        ring=0,
        next_escalation_at=None,  # due for matching at once
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(sos)
            session.flush()
    except IntegrityError:
        # Two presses at the same instant (or the same key twice): the database let one through;
        # return that one.
        existing = open_sos_of(session, actor.id) or (
            _sos_with_key(session, actor.id, client_key) if client_key else None)
        if existing is None:
            raise
        return existing, False
    record_event(session, sos, kind="created", to_status="pending", now=now, actor=actor,
                 detail=EMERGENCY_TYPES[emergency_type].label if emergency_type else "")
    return sos, True


def _checked_content(latitude, longitude, emergency_type, note) -> tuple[str | None, str]:
    """What a new SOS says, checked: a point on Earth, a known type (or none), a short note."""
    if latitude is None or longitude is None:
        raise InvalidInput(
            "location",
            N_("We need your location to send help. Allow location in your browser, "
               "or type your coordinates or a landmark."),
        )
    if not valid_point(latitude, longitude):
        raise InvalidInput(
            "location", N_("Those coordinates are not on Earth: latitude is -90 to 90, longitude -180 to 180.")
        )
    if emergency_type in ("", None):
        emergency_type = None
    elif emergency_type not in EMERGENCY_TYPES:
        raise InvalidInput("emergency_type", N_("Choose the kind of emergency from the list."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("note", N_("Keep the note under %(max)s characters."), max=NOTE_MAX)
    return emergency_type, note


def send_sos(
    session: Session,
    *,
    actor: User,
    now: datetime,
    picked: dict | None = None,
    coordinates: str | None = None,
    landmark: str | None = None,
    position: dict | None = None,
    emergency_type: str | None = None,
    note: str = "",
    client_key: str | None = None,
    callback_phone: str | None = None,
) -> tuple[Sos, bool]:
    """The SOS button: work out where the person is from everything the page was told
    (`places.sos_location`: the most explicit source wins), then `create_sos` (with the phone's
    idempotency key, if it sent one)."""
    place = places.sos_location(session, picked=picked, coordinates=coordinates, landmark=landmark,
                                position=position)
    return create_sos(session, actor=actor, latitude=place.latitude, longitude=place.longitude, now=now,
                      location_source=place.source, location_text=place.text, accuracy_m=place.accuracy_m,
                      emergency_type=emergency_type, note=note, client_key=client_key,
                      callback_phone=callback_phone)


KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _checked_key(client_key: str | None) -> str | None:
    key = (client_key or "").strip()
    if not key:
        return None
    if not 8 <= len(key) <= 64 or not set(key) <= KEY_CHARACTERS:
        raise InvalidInput("client_key", N_("This SOS form is damaged: reload the page and press SOS again."))
    return key


def _sos_with_key(session: Session, citizen_id: int, client_key: str) -> Sos | None:
    return session.execute(
        select(Sos).where(Sos.citizen_id == citizen_id, Sos.client_key == client_key)
    ).scalar_one_or_none()


def _same_content(made: Sos, latitude, longitude, emergency_type, note) -> None:
    """A repeat of `made` (same key) must say what it said; anything else is another SOS."""
    same = (
        latitude is not None and longitude is not None
        and abs(float(latitude) - made.latitude) < 1e-6 and abs(float(longitude) - made.longitude) < 1e-6
        and (emergency_type or None) == made.emergency_type
        and (note or "").strip() == made.note
    )
    if not same:
        raise Conflict(N_("This SOS was already sent as %(number)s with other details; nothing new "
                          "was sent. Reload the page to send a new one."), number=sos_number(made.id))


def cancel_sos(session: Session, *, actor: User, sos_id: int, now: datetime) -> Sos:
    sos = session.get(Sos, sos_id)
    if sos is None or sos.citizen_id != actor.id:
        raise NotFound(N_("That SOS is not yours."))
    before = sos.status
    if before not in CANCELLABLE_STATUSES or not compare_and_set(
        session, sos_id, CANCELLABLE_STATUSES, "cancelled", now, closed_at=now
    ):
        sos = _fresh(session, sos_id)
        raise Conflict(N_("This SOS can no longer be cancelled. Its status: %(status)s."),
                       status=SOS_STATUS_LABELS[sos.status])
    session.execute(
        update(SosOffer).where(SosOffer.sos_id == sos_id, SosOffer.status == "offered")
        .values(status="withdrawn", responded_at=now)
    )
    record_event(session, sos_id, kind="cancelled", from_status=before, to_status="cancelled",
                 now=now, actor=actor)
    if sos.ambulance_id is not None:
        # Free the unit that was on its way.
        unit = session.get(Ambulance, sos.ambulance_id)
        if unit is not None and unit.current_sos_id == sos_id:
            release_unit(session, unit, now=now, actor=actor)
    return _fresh(session, sos_id)


# ---- hospital -------------------------------------------------------------------------------


def _require_hospital_admin(actor: User) -> int:
    require_role(actor, Role.HOSPITAL_ADMIN)
    if actor.hospital_id is None:
        raise NotAllowed("Your account is not bound to a hospital.")
    return actor.hospital_id


def accept_sos(session: Session, *, actor: User, sos_id: int, now: datetime) -> Sos:
    """First accept wins: one conditional UPDATE decides, on every database.

    Any hospital the SOS was offered to may accept while it is open, including one that declined
    it (a dispatcher whose screen was not refreshed, or whose bed has since freed up): a late yes
    helps the caller. A withdrawn offer belongs to an SOS that is no longer open (cancelled, or
    taken by another hospital) and is refused by the status check.

    On PostgreSQL the offer check, the compare-and-set, the winner's offer, its event and the
    loser's "who has it" are one prepared statement (`_ACCEPT_SQL`): a loser, fifteen of sixteen
    presses in a race, costs one round trip. SQLite runs the same rules step by step."""
    hospital_id = _require_hospital_admin(actor)
    one_statement = session.get_bind().dialect.name == "postgresql"
    attempt = (_accept_in_one_statement if one_statement else _accept_step_by_step)(
        session, sos_id=sos_id, hospital_id=hospital_id, actor=actor, now=now)
    if attempt.won:
        # The other offers are withdrawn in a statement of their own, which sees every offer
        # committed before this one won: the one statement's snapshot may predate offers that the
        # matching job added while it held the SOS (`won` waited for it).
        session.execute(
            update(SosOffer)
            .where(SosOffer.sos_id == sos_id, SosOffer.id != attempt.offer_id, SosOffer.status == "offered")
            .values(status="withdrawn", responded_at=now)
        )
    _judge(attempt, hospital_id)
    return _fresh(session, sos_id)


def _judge(attempt: _Attempt, hospital_id: int) -> None:
    """Raise the refusal an Accept came to; return for a win, or a double click (already ours)."""
    if attempt.offer_id is None:
        raise NotAllowed("This SOS was not offered to your hospital.")
    if attempt.won or attempt.holder_id == hospital_id:
        return  # won, or a double click: already ours, nothing to do twice
    if attempt.holder_id is not None:
        raise AlreadyAccepted(by=attempt.holder_name)
    raise Conflict(f"This SOS is no longer open: {SOS_STATUS_LABELS[attempt.status].lower()}.")


class _Attempt(NamedTuple):
    """What one Accept found: the hospital's offer (None: not offered to it), whether this press
    won, and otherwise the SOS's status and who holds it now (their name: the loser is told)."""

    offer_id: int | None
    won: bool
    status: str | None = None
    holder_id: int | None = None
    holder_name: str | None = None


def _accept_step_by_step(session: Session, *, sos_id: int, hospital_id: int, actor: User,
                         now: datetime) -> _Attempt:
    offer_id = session.execute(
        select(SosOffer.id).where(SosOffer.sos_id == sos_id, SosOffer.hospital_id == hospital_id)
    ).scalar_one_or_none()
    if offer_id is None:
        return _Attempt(None, False)
    if compare_and_set(session, sos_id, ACCEPTABLE_STATUSES, "accepted", now, hospital_id=hospital_id,
                       accepted_at=now):
        session.execute(update(SosOffer).where(SosOffer.id == offer_id).values(status="accepted", responded_at=now))
        record_event(session, sos_id, kind="accepted", to_status="accepted", now=now, actor=actor,
                     hospital_id=hospital_id)
        return _Attempt(offer_id, True)
    status, holder_id, holder_name = session.execute(
        select(Sos.status, Sos.hospital_id, Hospital.name)
        .outerjoin(Hospital, Hospital.id == Sos.hospital_id).where(Sos.id == sos_id)
    ).one()
    return _Attempt(offer_id, False, status, holder_id, holder_name)


def _accept_in_one_statement(session: Session, *, sos_id: int, hospital_id: int, actor: User,
                             now: datetime) -> _Attempt:
    [row] = run_prepared(session, "healthfirst_accept_sos", _ACCEPT_TYPES, _ACCEPT_SQL,
                         [sos_id, hospital_id, naive_utc(now), actor.id])
    attempt = _Attempt(*row)
    # What the statement changed behind the ORM's back is read afresh if this session holds it.
    if attempt.won and attempt.offer_id is not None:
        held = session.identity_map.get(identity_key(SosOffer, attempt.offer_id))
        if held is not None:
            session.expire(held)
    held = session.identity_map.get(identity_key(Sos, sos_id))
    if held is not None:
        session.expire(held)
    return attempt


def _sql_words(words: tuple[str, ...]) -> str:
    """Constants of this code base as an SQL list, checked to be plain words first."""
    if not all(re.fullmatch(r"[a-z_]+", word) for word in words):
        raise ValueError(f"{words!r}: letters and _ only")
    return ", ".join(f"'{word}'" for word in words)


# The rules of one Accept as one statement, shared by `_ACCEPT_SQL` and `_ACCEPT_AS_SQL`: $1 the
# SOS, $3 now; {hospital} the accepting hospital and {actor} the person pressing (SQL expressions),
# {before} CTEs that come first.
_ACCEPT_TEMPLATE = f"""
WITH {{before}}offer AS (
    SELECT id FROM sos_offers WHERE sos_id = $1 AND hospital_id = {{hospital}}
),
won AS (
    -- The compare-and-set. A press holding the row is waited for; the row is then checked again
    -- as that press left it (READ COMMITTED): exactly one press wins.
    UPDATE sos SET status = 'accepted', hospital_id = {{hospital}}, accepted_at = $3, updated_at = $3
    WHERE id = $1 AND status IN ({_sql_words(ACCEPTABLE_STATUSES)}) AND EXISTS (SELECT 1 FROM offer)
    RETURNING id
),
mine AS (
    UPDATE sos_offers SET status = 'accepted', responded_at = $3
    WHERE id = (SELECT id FROM offer) AND EXISTS (SELECT 1 FROM won)
),
event AS (
    INSERT INTO sos_events (sos_id, kind, to_status, at, actor_id, hospital_id, detail)
    SELECT id, 'accepted', 'accepted', $3, {{actor}}, {{hospital}}, '' FROM won
),
held AS (
    -- Not won: who holds the SOS now. The statement's snapshot may predate the winner's commit
    -- that `won` waited for; a row lock reads the row as last committed. FOR SHARE: losers never
    -- wait for one another, and a row no longer open to accepts is nothing a winner needs.
    SELECT status, hospital_id FROM sos
    WHERE id = $1 AND EXISTS (SELECT 1 FROM offer) AND NOT EXISTS (SELECT 1 FROM won)
    FOR SHARE
)
"""
_ATTEMPT_COLUMNS = "(SELECT id FROM offer), EXISTS (SELECT 1 FROM won), held.status, held.hospital_id, h.name"
_HELD_JOIN = "FROM (SELECT 1) AS one LEFT JOIN held ON TRUE LEFT JOIN hospitals h ON h.id = held.hospital_id"

# $1 the SOS, $2 the accepting hospital, $3 now, $4 the person pressing.
_ACCEPT_TYPES = "int, int, timestamp, int"
_ACCEPT_SQL = _ACCEPT_TEMPLATE.format(before="", hospital="$2", actor="$4") + f"SELECT {_ATTEMPT_COLUMNS} {_HELD_JOIN}"


# ---- Accept as the person a login cookie names, in one round trip (web/queue_answer.AcceptPath) --

# $1 the SOS, $2 the user id of the login cookie, $3 now, $4 the cookie's session token, $5 whether
# demo accounts may sign in. `actor`: `users.session_row`'s login rule and the route's role check
# (active, the same session token, a hospital's admin bound to a hospital). A demo account is
# recognised as `users.is_demo_account` does (its email ends in the demo domain, ignoring case);
# an email with a character outside ASCII is never signed in here (where lower() could differ
# between Python and the database, the route decides). No actor: nothing is read or written.
_ACCEPT_AS_TYPES = "int, int, timestamp, text, boolean"
_ACCEPT_AS_SQL = _ACCEPT_TEMPLATE.format(before=f"""actor AS (
    SELECT id, hospital_id FROM users
    WHERE id = $2 AND session_token = $4 AND status = 'active' AND role = {_sql_words((Role.HOSPITAL_ADMIN,))}
      AND hospital_id IS NOT NULL
      AND ($5 OR (octet_length(email) = char_length(email) AND right(lower(email), {len(DEMO_EMAIL_DOMAIN) + 1}) <> '@{DEMO_EMAIL_DOMAIN}'))
),
""", hospital="(SELECT hospital_id FROM actor)", actor="$2") + f"""SELECT set_config('healthfirst.accept', json_build_array(
    (SELECT hospital_id FROM actor), {_ATTEMPT_COLUMNS})::text, true)
{_HELD_JOIN}"""
# The same round trip's second statement, in the same transaction: a winner withdraws the other
# offers in a statement of its own (see `accept_sos`); the first statement's answer (kept in a
# setting of the transaction) is the answer. $1 the SOS, $2 now.
_WITHDRAW_TYPES = "int, timestamp"
_WITHDRAW_SQL = """
WITH answer AS (SELECT current_setting('healthfirst.accept')::json AS found),
gone AS (
    UPDATE sos_offers SET status = 'withdrawn', responded_at = $2
    WHERE sos_id = $1 AND status = 'offered'
      AND (SELECT (found->>2)::boolean FROM answer) AND id <> (SELECT (found->>1)::int FROM answer)
)
SELECT found::text FROM answer
"""


def accept_as(raw, *, user_id: int, token: str, sos_id: int, now: datetime, demo_accounts: bool,
              driver_error: type[Exception]) -> tuple[int, str | None] | None:
    """`accept_sos` as the person a login cookie names (`users.session_row`'s rule and a hospital
    admin's), on PostgreSQL, on a pool's driver connection in autocommit (`engine.raw_connection()`):
    one round trip, one transaction. None when that login does not stand for a hospital's admin
    (nothing was read or written: the caller leaves it to the route, which says why); else
    (hospital id, None) for a win or a double click, or (hospital id, the refusal's message).
    A driver error is raised as SQLAlchemy's (`DBAPIError`)."""
    if not 0 < user_id <= MAX_ID or not 0 < sos_id <= MAX_ID:
        return None
    prepared = raw.info.setdefault("healthfirst_prepared", set())
    execute = "EXECUTE healthfirst_accept_as (%s, %s, %s, %s, %s); EXECUTE healthfirst_withdraw_others (%s, %s)"
    at = naive_utc(now)
    params = (sos_id, user_id, at, token, demo_accounts, sos_id, at)
    try:
        with raw.dbapi_connection.cursor() as cursor:
            for name, types, statement in (("healthfirst_accept_as", _ACCEPT_AS_TYPES, _ACCEPT_AS_SQL),
                                           ("healthfirst_withdraw_others", _WITHDRAW_TYPES, _WITHDRAW_SQL)):
                if name not in prepared:
                    cursor.execute(f"PREPARE {name} ({types}) AS {statement}")
                    prepared.add(name)
            cursor.execute(execute, params)
            [(found,)] = cursor.fetchall()
    except driver_error as error:
        raise DBAPIError.instance(execute, params, error, driver_error) from error
    hospital_id, *attempt = json.loads(found)
    if hospital_id is None:
        return None
    try:
        _judge(_Attempt(*attempt), hospital_id)
    except DomainError as refused:
        return hospital_id, refused.message
    return hospital_id, None


def decline_sos(session: Session, *, actor: User, sos_id: int, now: datetime) -> None:
    """Removes the SOS from this hospital's queue only. When every hospital offered so far has
    declined, the SOS is due for the next ring at once instead of waiting out the timer."""
    hospital_id = _require_hospital_admin(actor)
    declined = session.execute(
        update(SosOffer)
        .where(SosOffer.sos_id == sos_id, SosOffer.hospital_id == hospital_id,
               SosOffer.status == "offered")
        .values(status="declined", responded_at=now)
    ).rowcount
    if declined == 0:
        offer = session.execute(
            select(SosOffer).where(SosOffer.sos_id == sos_id, SosOffer.hospital_id == hospital_id)
        ).scalar_one_or_none()
        if offer is None:
            raise NotAllowed("This SOS was not offered to your hospital.")
        return  # already declined, accepted or withdrawn: nothing to do twice
    record_event(session, sos_id, kind="declined", now=now, actor=actor, hospital_id=hospital_id)
    still_offered = session.execute(
        select(func.count()).select_from(SosOffer)
        .where(SosOffer.sos_id == sos_id, SosOffer.status == "offered")
    ).scalar_one()
    if still_offered == 0:
        session.execute(
            update(Sos).where(Sos.id == sos_id, Sos.status == "pending")
            .values(next_escalation_at=now)
        )


@dataclass(frozen=True)
class QueueItem:
    sos_id: int
    emergency_type: str | None
    type_label: str
    priority: str
    note: str
    distance_km: float
    created_at: datetime
    offered_at: datetime
    status: str
    latitude: float
    longitude: float
    location_text: str = ""
    # Offered by a health officer by hand (db/officer_desk.py), not by the matching rings.
    requested_by_officer: bool = False


def _waiting_offers(hospital_id: int):
    """The offers to the hospital still waiting for its answer, on SOS that can still be accepted."""
    return (SosOffer.hospital_id == hospital_id, SosOffer.status == "offered", Sos.status.in_(ACCEPTABLE_STATUSES))


def _priority_rank(column):
    """The order of urgency: the first priority of PRIORITY_LABELS first, an unknown one last."""
    return case({p: rank for rank, p in enumerate(PRIORITY_LABELS)}, value=column, else_=len(PRIORITY_LABELS))


def hospital_queue(session: Session, *, actor: User, limit: int | None = None) -> list[QueueItem]:
    """The SOS offered to the actor's hospital and still waiting for an answer from it, the most
    urgent first and, within a priority, the oldest first; with `limit`, only that many (the
    database sorts and cuts, so the cost does not grow with the queue)."""
    hospital_id = _require_hospital_admin(actor)
    return _queue_items(session, hospital_id, order=(_priority_rank(Sos.priority), Sos.created_at, Sos.id),
                        limit=limit)


# How long an SOS offered to a hospital counts as just arrived (shown apart, marked NEW).
JUST_OFFERED_FOR = timedelta(seconds=30)


def just_offered(session: Session, *, actor: User, since: datetime, limit: int) -> list[QueueItem]:
    """The SOS offered to the actor's hospital after `since` and still waiting, the newest first,
    at most `limit`: a long queue shows these apart, so a new SOS is seen wherever it ranks."""
    hospital_id = _require_hospital_admin(actor)
    return _queue_items(session, hospital_id, order=(SosOffer.id.desc(),), limit=limit,
                        where=(SosOffer.offered_at > since,))


def _queue_items(session: Session, hospital_id: int, *, order: tuple, limit: int | None,
                 where: tuple = ()) -> list[QueueItem]:
    query = (
        select(Sos, SosOffer)
        .join(SosOffer, SosOffer.sos_id == Sos.id)
        .where(*_waiting_offers(hospital_id), *where)
        .order_by(*order)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        QueueItem(
            sos_id=sos.id,
            emergency_type=sos.emergency_type,
            type_label=EMERGENCY_TYPES[sos.emergency_type].label if sos.emergency_type else "Not given",
            priority=sos.priority,
            note=sos.note,
            distance_km=offer.distance_km,
            created_at=sos.created_at,
            offered_at=offer.offered_at,
            status=sos.status,
            latitude=sos.latitude,
            longitude=sos.longitude,
            location_text=sos.location_text,
            requested_by_officer=offer.requested_by_id is not None,
        )
        for sos, offer in session.execute(query).all()
    ]


def queue_count(session: Session, *, actor: User) -> int:
    """How many SOS wait for the actor's hospital's answer."""
    hospital_id = _require_hospital_admin(actor)
    return session.execute(
        select(func.count()).select_from(SosOffer).join(Sos, Sos.id == SosOffer.sos_id)
        .where(*_waiting_offers(hospital_id))
    ).scalar_one()


def _status_rank(column):
    """A number per status, so a sum over (id × rank) changes when any row's status does."""
    return case({status: rank for rank, status in enumerate(SOS_STATUS_LABELS, start=1)}, value=column, else_=0)


def _joined(*columns):
    """The columns as one string, `|` between them (NULL as empty), on every database."""
    parts = [func.coalesce(cast(column, String), "") for column in columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "|" + part
    return joined


def queue_version(session: Session, *, actor: User, new_since: datetime) -> str:
    """A cheap fingerprint of everything the hospital's queue screen shows, in one query of three
    one-row aggregates: the SOS offered to it and waiting (which, their statuses, how many are
    still new, i.e. offered after `new_since`), the open emergencies it holds (status, unit), and
    its ambulances (status, assignment, call sign, level, crew). Whatever changes on that screen
    changes this; the screen redraws only when it does.

    An offer entering the waiting list has the highest offer id yet, so `max` moves even when
    another leaves at the same moment; one leaving lowers the count. The statement is built once
    (`_queue_version_statement`): building it took more time than running it."""
    return queue_versions(session, actor=actor, new_since=new_since, stale_before=new_since)[0]


def queue_versions(session: Session, *, actor: User, new_since: datetime, stale_before: datetime) -> tuple[str, str]:
    """(`queue_version`, the version of where its ambulances are), from the same one query. The
    second moves with any unit's newest position and when one turns stale (its position older than
    `stale_before`): a unit on the move changes only it, so the screen redraws its maps, never
    its cards."""
    hospital_id = _require_hospital_admin(actor)
    row = tuple(session.execute(_queue_version_statement(), {"hospital_id": hospital_id, "new_since": new_since,
                                                              "stale_before": stale_before}).one())
    cards, moved = row[:-3], row[-3:]
    return (hashlib.blake2b(repr(cards).encode(), digest_size=8).hexdigest(),
            hashlib.blake2b(repr(moved).encode(), digest_size=6).hexdigest())


@functools.cache
def _queue_version_statement():
    hospital_id = bindparam("hospital_id", type_=Integer)
    new_since = bindparam("new_since", type_=SosOffer.offered_at.type)
    waiting = (
        select(func.count().label("n"), func.max(SosOffer.id).label("last"), func.sum(SosOffer.id).label("ids"),
               func.sum(SosOffer.id * _status_rank(Sos.status)).label("statuses"),
               func.max(Sos.updated_at).label("changed"),
               func.count(case((SosOffer.offered_at > new_since, 1))).label("new"))
        .join(Sos, Sos.id == SosOffer.sos_id)
        .where(SosOffer.hospital_id == hospital_id, SosOffer.status == "offered",
               Sos.status.in_(ACCEPTABLE_STATUSES))
    ).subquery()
    held = (
        select(func.count().label("n"), func.sum(Sos.id).label("ids"),
               func.sum(Sos.id * _status_rank(Sos.status)).label("statuses"),
               func.sum(Sos.id * func.coalesce(Sos.ambulance_id, 0)).label("units"),
               func.max(Sos.updated_at).label("changed"))
        .where(Sos.hospital_id == hospital_id, Sos.status.in_(OPEN_STATUSES))
    ).subquery()
    fleet = (
        select(func.aggregate_strings(_joined(
            Ambulance.id, Ambulance.status, Ambulance.current_sos_id, Ambulance.call_sign, Ambulance.level,
            Ambulance.crew_contact, Ambulance.retired_at), ";").label("units"))
        .where(Ambulance.hospital_id == hospital_id)
    ).subquery()
    # Last: where the units are (queue_versions keeps it apart from the cards' version).
    stale_before = bindparam("stale_before", type_=Ambulance.position_at.type)
    moved = (
        select(func.count(Ambulance.position_at).label("placed"), func.max(Ambulance.position_at).label("newest"),
               func.count(case((Ambulance.position_at < stale_before, 1))).label("stale"))
        .where(Ambulance.hospital_id == hospital_id, Ambulance.retired_at.is_(None))
    ).subquery()
    return select(waiting, held, fleet, moved).select_from(
        waiting.join(held, true()).join(fleet, true()).join(moved, true()))


def live_version(session: Session) -> tuple:
    """What moves whenever an SOS or an ambulance the wall display's live part shows changes: the
    open SOS (how many, the last change), the ambulances out (how many, the last status change).
    One query of two one-row aggregates, for the wall feed to ask every fraction of a second."""
    open_sos = select(func.count().label("sos"), func.max(Sos.updated_at).label("changed"),
                      func.max(Sos.id).label("last")).where(Sos.status.in_(OPEN_STATUSES)).subquery()
    units = select(func.count().label("units"), func.max(Ambulance.status_since).label("moved")) \
        .where(Ambulance.status != "available").subquery()
    return tuple(session.execute(select(open_sos, units).select_from(open_sos.join(units, true()))).one())


def hospital_active(session: Session, *, actor: User) -> list[Sos]:
    """SOS this hospital accepted that are not yet closed."""
    hospital_id = _require_hospital_admin(actor)
    return list(
        session.execute(
            select(Sos).where(Sos.hospital_id == hospital_id, Sos.status.in_(OPEN_STATUSES))
            .order_by(Sos.accepted_at)
        ).scalars()
    )


# ---- tracking and oversight -----------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    kind: str
    # `text` as a marked message and its parameters, for a page to show in the reader's language
    # (a tuple: singular and plural, chosen by params["count"]). Parameters named in
    # WORD_PARAMS are themselves marked words (a status, a type, a reason) and are translated too.
    message: str | tuple[str, str] = ""
    params: dict = field(default_factory=dict)


@dataclass
class Tracking:
    sos: Sos
    hospital: Hospital | None
    distance_km: float | None
    ambulance: Ambulance | None
    offered_count: int
    declined_count: int
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def can_cancel(self) -> bool:
        return self.sos.status in CANCELLABLE_STATUSES


WORD_PARAMS = ("type", "reason", "status", "hospital", "unit")
# What an ambulance's status change says on the citizen's timeline.
_UNIT_STATUS_EVENTS = {
    "en_route": N_("Ambulance %(unit)s: ambulance on the way"),
    "on_scene": N_("Ambulance %(unit)s: ambulance with you"),
    "transporting": N_("Ambulance %(unit)s: on the way to hospital"),
    "at_hospital": N_("Ambulance %(unit)s: arrived at hospital"),
}
# The details other modules write (db/matching.py, db/officer_desk.py), read back into parameters.
_OFFERED = re.compile(r"^Offered to (?P<count>\d+) hospitals? within (?P<km>[\d.]+) km$")
_OFFICER_OFFERED = re.compile(r"^A health officer asked (?P<hospital>.+) \((?P<km>[\d.]+) km away\) to take it$")
_WIDENED = re.compile(r"^A health officer widened the search: asked (?P<count>\d+) more hospitals? "
                      r"(?:up to (?P<km>[\d.]+) km)?$")
_CLOSED = re.compile(r"^Closed by a health officer: (?P<reason>.+)$")
_FIXED_DETAILS = (N_("A health officer is calling you"),)
_FIXED_EVENTS = {
    "unanswered": N_("No hospital answered in time: a health officer has been alerted"),
    "cancelled": N_("Cancelled"),
    "resolved": N_("Resolved"),
    "offered": N_("Offered to nearby hospitals"),
}


def _words(event: SosEvent, hospitals: dict[int, str], units: dict[int, str]) -> tuple[str | tuple, dict]:
    """What the citizen reads of one event: a marked message and its parameters."""
    hospital = hospitals.get(event.hospital_id) or N_("a hospital")
    unit = units.get(event.ambulance_id) or N_("an ambulance")
    kind, detail = event.kind, event.detail or ""
    if kind == "created":
        return (N_("SOS sent (%(type)s)"), {"type": detail}) if detail else (N_("SOS sent"), {})
    if kind == "accepted":
        return N_("Accepted by %(hospital)s"), {"hospital": hospital}
    if kind == "declined":
        return N_("%(hospital)s could not take it"), {"hospital": hospital}
    if kind == "dispatched":
        return N_("Ambulance %(unit)s assigned"), {"unit": unit}
    if kind == "unit_status":
        if event.to_status in _UNIT_STATUS_EVENTS:
            return _UNIT_STATUS_EVENTS[event.to_status], {"unit": unit}
        return "Ambulance %(unit)s: %(state)s", {
            "unit": unit, "state": SOS_STATUS_LABELS.get(event.to_status, event.to_status or "").lower()}
    if kind == "resolved" and event.from_status == "at_hospital":
        return N_("Resolved: handed over at the hospital"), {}
    if kind in _FIXED_EVENTS and not (kind == "offered" and detail):
        return _FIXED_EVENTS[kind], {}
    return _detail_words(detail or kind)


def _detail_words(detail: str) -> tuple[str | tuple, dict]:
    """An event whose words were written by the module that recorded it, read back into a message."""
    if found := _OFFERED.match(detail):
        return NP_("Offered to %(count)s hospital within %(km)s km",
                   "Offered to %(count)s hospitals within %(km)s km"), \
            {"count": int(found["count"]), "km": found["km"]}
    if found := _OFFICER_OFFERED.match(detail):
        return N_("A health officer asked %(hospital)s (%(km)s km away) to take it"), found.groupdict()
    if (found := _WIDENED.match(detail)) and found["km"]:
        return NP_("A health officer widened the search: asked %(count)s more hospital up to %(km)s km",
                   "A health officer widened the search: asked %(count)s more hospitals up to %(km)s km"), \
            {"count": int(found["count"]), "km": found["km"]}
    if found := _CLOSED.match(detail):
        return N_("Closed by a health officer: %(reason)s"), {"reason": found["reason"]}
    # An officer's note, in their words; or a fixed sentence (_FIXED_DETAILS), translated as it is.
    return detail, {}


def _describe(event: SosEvent, hospitals: dict[int, str], units: dict[int, str]) -> TimelineEntry:
    message, params = _words(event, hospitals, units)
    return TimelineEntry(event.at, english(message, params), event.kind, message, params)


def tracking(session: Session, *, actor: User, sos_id: int, show_declines: bool = False) -> Tracking:
    sos = session.get(Sos, sos_id)
    allowed = sos is not None and (
        sos.citizen_id == actor.id or actor.role in (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
        or (actor.role == Role.HOSPITAL_ADMIN and sos.hospital_id == actor.hospital_id
            and sos.hospital_id is not None)
    )
    if not allowed:
        raise NotFound(N_("No SOS with that number is yours to see."))
    hospital = session.get(Hospital, sos.hospital_id) if sos.hospital_id else None
    ambulance = session.get(Ambulance, sos.ambulance_id) if sos.ambulance_id else None
    events = list(session.execute(
        select(SosEvent).where(SosEvent.sos_id == sos_id).order_by(SosEvent.at, SosEvent.id)
    ).scalars())
    hospital_ids = {e.hospital_id for e in events if e.hospital_id}
    unit_ids = {e.ambulance_id for e in events if e.ambulance_id}
    names = dict(session.execute(select(Hospital.id, Hospital.name).where(Hospital.id.in_(hospital_ids))).all()) if hospital_ids else {}
    units = dict(session.execute(select(Ambulance.id, Ambulance.call_sign).where(Ambulance.id.in_(unit_ids))).all()) if unit_ids else {}
    counts = dict(session.execute(
        select(SosOffer.status, func.count()).where(SosOffer.sos_id == sos_id).group_by(SosOffer.status)
    ).all())
    timeline = [
        _describe(e, names, units)
        for e in events
        # A citizen does not need each refusal; officers and super admins see them.
        if show_declines or e.kind != "declined"
    ]
    return Tracking(
        sos=sos,
        hospital=hospital,
        distance_km=haversine_km(sos.latitude, sos.longitude, hospital.latitude, hospital.longitude)
        if hospital else None,
        ambulance=ambulance,
        offered_count=sum(counts.values()),
        declined_count=counts.get("declined", 0),
        timeline=timeline,
    )


@dataclass(frozen=True)
class OfferLine:
    hospital: str
    status: str
    distance_km: float
    ring: int


@dataclass(frozen=True)
class AttentionItem:
    sos: Sos
    waiting: timedelta
    offers: list[OfferLine]


def needing_attention(session: Session, *, actor: User, now: datetime,
                      late_after: timedelta) -> list[AttentionItem]:
    """For health officers: SOS not accepted in time, and those marked unanswered."""
    require_role(actor, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
    rows = list(session.execute(
        select(Sos).where(
            (Sos.status == "unanswered")
            | ((Sos.status == "pending") & (Sos.created_at <= now - late_after))
        ).order_by(Sos.created_at)
    ).scalars())
    if not rows:
        return []
    offers = session.execute(
        select(SosOffer.sos_id, Hospital.name, SosOffer.status, SosOffer.distance_km, SosOffer.ring)
        .join(Hospital, Hospital.id == SosOffer.hospital_id)
        .where(SosOffer.sos_id.in_([s.id for s in rows]))
        .order_by(SosOffer.ring, SosOffer.distance_km)
    ).all()
    by_sos: dict[int, list[OfferLine]] = {}
    for sos_id, name, status, distance, ring in offers:
        by_sos.setdefault(sos_id, []).append(OfferLine(name, status, distance, ring))
    return [AttentionItem(s, now - s.created_at, by_sos.get(s.id, [])) for s in rows]

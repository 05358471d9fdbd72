"""Where ambulances are: the crew's phone posts positions, everyone else reads them.

One write operation, `record_position`. A position is checked (ranges, accuracy, not in the
future, newer than the unit's latest) and then kept twice: as the unit's latest position (columns
on the unit row, moved forward by a compare-and-set so an older position can never replace a
newer one) and as a row of the unit's track (`unit_positions`, with the SOS the unit served).
Reading the latest position reads the unit row only; the track is read by SOS or by unit through
its (sos_id, at) and (ambulance_id, at) indexes and pruned after a retention period (`prune`).

Arrival estimates are the great-circle distance ÷ an average urban speed (HEALTHFIRST_AMBULANCE_KMH):
an estimate, always shown with how old the position is.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Float, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from db.crew import still_valid_row, touch, unit_of
from db.errors import NotAllowed, NotFound
from db.geo import haversine_km
from db.models import Ambulance, CrewLink, Sos, UnitPosition, User
from db.permissions import require_role
from db.vocabulary import OVERSIGHT_ROLES, Role

log = logging.getLogger("healthfirst.positions")

MAX_ACCURACY_M = 5_000.0  # worse than 5 km says nothing useful about where a unit is
FUTURE_SKEW = timedelta(seconds=30)  # a phone's clock may run a little ahead; more is refused
MAX_SPEED_MPS = 120.0  # 430 km/h: anything faster is a sensor error, the speed is dropped
STALE_AFTER = timedelta(minutes=2)  # screens grey a position older than this
DEFAULT_KMH = 30.0
NOT_NEWER = "older than the latest position stored"  # why a position was ignored (HTTP 200)
PRUNE_BATCH = 10_000
# While a unit serves an SOS in these statuses it is heading to the patient; afterwards to hospital.
TO_PATIENT = ("dispatched", "en_route")


@dataclass(frozen=True)
class PositionResult:
    """What became of a posted position: `stored`, or not with the `reason` (also logged)."""

    stored: bool
    reason: str = ""
    refused: bool = False  # bad input (4xx), as opposed to merely out of date (ignored)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def check_position(latitude, longitude, accuracy_m, at: datetime, now: datetime) -> str:
    """Why a position must be refused, or "" when it may be stored."""
    lat, lon = _number(latitude), _number(longitude)
    if lat is None or lon is None:
        return "latitude and longitude must be numbers"
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return "latitude is -90 to 90 and longitude -180 to 180"
    if accuracy_m is not None:
        accuracy = _number(accuracy_m)
        if accuracy is None or accuracy < 0:
            return "accuracy must be a number of metres"
        if accuracy > MAX_ACCURACY_M:
            return f"accuracy worse than {MAX_ACCURACY_M / 1000:.0f} km"
    if at > now + FUTURE_SKEW:
        return "the position's time is in the future"
    return ""


def _speed(speed_mps) -> float | None:
    speed = _number(speed_mps)
    return speed if speed is not None and 0 <= speed <= MAX_SPEED_MPS else None


def record_position(session: Session, *, actor: User, latitude, longitude, accuracy_m=None, speed_mps=None,
                    at: datetime | None = None, now: datetime) -> PositionResult:
    """Store a position of the actor's own unit (a crew account acts for exactly one unit).

    Refused (bad input, nothing stored) or ignored (older than the latest stored) with a reason in
    the log; never stored as the latest unless it is newer than what the unit row holds."""
    require_role(actor, Role.CREW)
    at = at or now
    reason = check_position(latitude, longitude, accuracy_m, at, now)
    if reason:
        log.warning("position from crew account %s refused: %s", actor.id, reason)
        return PositionResult(False, reason, refused=True)
    values = {"actor_id": actor.id, "lat": float(latitude), "lon": float(longitude), "at": at,
              "accuracy": _number(accuracy_m), "speed": _speed(speed_mps), "recorded_at": now}
    # The unit is the one this crew account is bound to, in service, and the position is newer
    # than its latest (a compare-and-set: whatever order concurrent posts arrive in, only a newer
    # one becomes the latest). On PostgreSQL that and the track row are one statement.
    if session.get_bind().dialect.name == "postgresql":
        moved = session.execute(_MOVE_AND_TRACK, values).first()
    else:
        moved = session.execute(_MOVE, values).first()
        if moved is not None:
            session.execute(_TRACK_ROW, {**values, "unit_id": moved[0], "sos_id": moved[1]})
    if moved is None:
        unit = unit_of(session, actor)  # refuses an account bound to no unit in service
        log.warning("position of unit %s ignored: not newer than the latest stored", unit.id)
        return PositionResult(False, NOT_NEWER)
    held = session.identity_map.get(identity_key(Ambulance, moved[0]))
    if held is not None:  # a unit this session already holds shows what was just written
        session.expire(held, ["latitude", "longitude", "position_at", "position_accuracy_m"])
    return PositionResult(True)


# Built once (every crew phone posts every few seconds): Core statements on the tables.
_UNITS, _TRACK, _LINKS = Ambulance.__table__, UnitPosition.__table__, CrewLink.__table__
_AT = _UNITS.c.position_at.type
_BOUND = select(_LINKS.c.ambulance_id).where(_LINKS.c.crew_user_id == bindparam("actor_id")).limit(1) \
    .scalar_subquery()
_MOVE = (
    update(_UNITS)
    .where(_UNITS.c.id == _BOUND, _UNITS.c.retired_at.is_(None),
           or_(_UNITS.c.position_at.is_(None), _UNITS.c.position_at < bindparam("at", type_=_AT)))
    .values(latitude=bindparam("lat"), longitude=bindparam("lon"), position_at=bindparam("at", type_=_AT),
            position_accuracy_m=bindparam("accuracy"))
    .returning(_UNITS.c.id, _UNITS.c.current_sos_id)
)
_TRACK_COLUMNS = ["ambulance_id", "sos_id", "at", "latitude", "longitude", "accuracy_m", "speed_mps", "recorded_at"]
_TRACK_ROW = insert(_TRACK).values(
    ambulance_id=bindparam("unit_id"), sos_id=bindparam("sos_id"), at=bindparam("at", type_=_AT),
    latitude=bindparam("lat"), longitude=bindparam("lon"), accuracy_m=bindparam("accuracy"),
    speed_mps=bindparam("speed"), recorded_at=bindparam("recorded_at", type_=_AT))
_moved = _MOVE.cte("moved")
_MOVE_AND_TRACK = insert(_TRACK).from_select(_TRACK_COLUMNS, select(
    _moved.c.id, _moved.c.current_sos_id, bindparam("at", type_=_AT), bindparam("lat", type_=Float),
    bindparam("lon", type_=Float), bindparam("accuracy", type_=Float), bindparam("speed", type_=Float),
    bindparam("recorded_at", type_=_AT))).returning(_TRACK.c.ambulance_id, _TRACK.c.sos_id)


# ---- many posts in one write (the crew phones' path: db/position_writer.py) ---------------------

STORED, OLDER, NOT_ALLOWED = "stored", "older", "not allowed"


@dataclass(frozen=True)
class Post:
    """A position a crew's phone sent, already checked (`checked_post`), waiting to be written.
    It names the crew link it came through (id and token hash prefix, as the session cookie
    names them): the write checks that link again, so a link revoked meanwhile stores nothing."""

    link_id: int
    token_prefix: str
    latitude: float
    longitude: float
    accuracy_m: float | None
    speed_mps: float | None
    at: datetime


def checked_post(*, link_id: int, token_prefix: str, latitude, longitude, accuracy_m=None, speed_mps=None,
                 at: datetime, now: datetime) -> tuple[Post | None, str]:
    """`record_position`'s checks: (the post to write, "") or (None, why it is refused)."""
    reason = check_position(latitude, longitude, accuracy_m, at, now)
    if reason:
        return None, reason
    return Post(link_id, token_prefix, float(latitude), float(longitude), _number(accuracy_m), _speed(speed_mps),
                at), ""


def store_posts(connection: Connection, posts: list[Post], *, now: datetime) -> list[str]:
    """Write `posts` in the caller's transaction; what became of each: STORED, OLDER (ignored, not
    newer than the latest) or NOT_ALLOWED (its link revoked, its account disabled or its unit
    retired: nothing stored).

    The posts count as having come one by one in their order: a post is stored (the unit's latest
    and a track row) only if it is newer than the unit's latest position and than every earlier
    post of the batch for the same unit. On PostgreSQL that is one prepared statement for the
    whole batch, which locks the units it moves (in id order) before it compares, so batches
    written at once by several workers keep every unit's latest right; SQLite runs the same rules
    post by post."""
    if connection.dialect.name == "postgresql":
        return store_batch(connection.connection, posts, now=now, driver_error=connection.dialect.loaded_dbapi.Error)
    return _outcomes([_store_one(connection, post, now) for post in posts])


def store_batch(raw, posts: list[Post], *, now: datetime, driver_error: type[Exception]) -> list[str]:
    """`store_posts` on PostgreSQL, on a pool's driver connection (`engine.raw_connection()`: the
    group writer's, in autocommit, where the statement is its own transaction); a driver error is
    raised as SQLAlchemy's (`DBAPIError`)."""
    return _outcomes(_store_in_one_statement(raw, posts, now, driver_error))


def _outcomes(written: list[tuple[str, int | None]]) -> list[str]:
    for outcome, unit_id in written:
        if outcome == OLDER:
            log.warning("position of unit %s ignored: not newer than the latest stored", unit_id)
    return [outcome for outcome, _unit in written]


_IN_SERVICE = select(_UNITS.c.id).where(_UNITS.c.id == bindparam("unit_id"), _UNITS.c.retired_at.is_(None))


def _store_one(connection: Connection, post: Post, now: datetime) -> tuple[str, int | None]:
    found = still_valid_row(connection, post.link_id, post.token_prefix)
    if found is None or found[1]["role"] != Role.CREW:
        return NOT_ALLOWED, None
    link, account = found
    values = {"actor_id": account["id"], "lat": post.latitude, "lon": post.longitude, "at": post.at,
              "accuracy": post.accuracy_m, "speed": post.speed_mps, "recorded_at": now}
    moved = connection.execute(_MOVE, values).first()
    if moved is None:
        in_service = connection.execute(_IN_SERVICE, {"unit_id": link.ambulance_id}).first() is not None
        return (OLDER if in_service else NOT_ALLOWED), link.ambulance_id
    connection.execute(_TRACK_ROW, {**values, "unit_id": moved[0], "sos_id": moved[1]})
    touch(connection, link.id, now=now, last_seen_at=link.last_seen_at)
    return STORED, moved[0]


# One statement for a whole batch (PostgreSQL). `posted`: the batch in its order (n); `allowed`:
# those whose link is in force and account active, with the link's unit (looked up per post by
# primary key, whatever the tables' statistics say: the plan is kept per connection); `units`: those units in
# service, locked and read as they are now (a batch of another worker may just have moved one);
# `kept`: the posts newer than their unit's latest and than every earlier post of the batch for it;
# the newest kept per unit becomes its latest (compare-and-set once more), every kept one a track
# row; the links used are noted (at most once a minute, as `crew.touch`).
_STORE_SQL = """
WITH posted AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
                         $7::timestamp[])
        WITH ORDINALITY AS p(link_id, prefix, latitude, longitude, accuracy_m, speed_mps, at, n)
), allowed AS (
    SELECT p.*, l.ambulance_id FROM posted p CROSS JOIN LATERAL (
        SELECT l.ambulance_id FROM crew_links l JOIN users u ON u.id = l.crew_user_id
        WHERE l.id = p.link_id AND l.revoked_at IS NULL AND left(l.token_hash, 16) = p.prefix
            AND u.status = 'active' AND u.role = 'crew'
        LIMIT 1) l
), units AS (
    SELECT a.* FROM (SELECT DISTINCT ambulance_id FROM allowed ORDER BY ambulance_id) d CROSS JOIN LATERAL (
        SELECT a.id, a.position_at, a.current_sos_id FROM ambulances a
        WHERE a.id = d.ambulance_id AND a.retired_at IS NULL
        LIMIT 1 FOR UPDATE) a
), ranked AS (
    SELECT al.*, un.current_sos_id, GREATEST(un.position_at, max(al.at) OVER (
        PARTITION BY al.ambulance_id ORDER BY al.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS newest_before
    FROM allowed al JOIN units un ON un.id = al.ambulance_id
), kept AS (
    SELECT * FROM ranked WHERE newest_before IS NULL OR at > newest_before
), moved AS (
    UPDATE ambulances a SET latitude = k.latitude, longitude = k.longitude, position_at = k.at,
        position_accuracy_m = k.accuracy_m
    FROM (SELECT DISTINCT ON (ambulance_id) * FROM kept ORDER BY ambulance_id, at DESC) k
    WHERE a.id = k.ambulance_id AND (a.position_at IS NULL OR a.position_at < k.at)
), tracked AS (
    INSERT INTO unit_positions (ambulance_id, sos_id, at, latitude, longitude, accuracy_m, speed_mps, recorded_at)
    SELECT ambulance_id, current_sos_id, at, latitude, longitude, accuracy_m, speed_mps, $8 FROM kept
), touched AS (
    UPDATE crew_links l SET last_seen_at = $8 FROM (
        SELECT id FROM crew_links WHERE id = ANY (ARRAY(SELECT link_id FROM allowed))
            AND (last_seen_at IS NULL OR last_seen_at < $8 - interval '1 minute')
        ORDER BY id FOR UPDATE) due
    WHERE l.id = due.id
)
SELECT CASE WHEN k.n IS NOT NULL THEN 's' WHEN r.n IS NOT NULL THEN 'o' ELSE 'x' END, al.ambulance_id
FROM posted p LEFT JOIN allowed al ON al.n = p.n LEFT JOIN ranked r ON r.n = p.n LEFT JOIN kept k ON k.n = p.n
ORDER BY p.n
"""
_STORE_NAME = "healthfirst_store_positions"
# Its one plan (PostgreSQL would otherwise plan it afresh for each batch: a custom plan looks
# cheaper for a handful of posts, and planning costs more than running it), in the same round trip.
_STORE_EXECUTE = ("SET LOCAL plan_cache_mode = force_generic_plan; "
                  f"EXECUTE {_STORE_NAME} (%s::int[], %s::text[], %s::float8[], %s::float8[], %s::float8[], "
                  "%s::float8[], %s::timestamp[], %s::timestamp)")
_OUTCOMES = {"s": STORED, "o": OLDER, "x": NOT_ALLOWED}


def _store_in_one_statement(raw, posts: list[Post], now: datetime,
                            driver_error: type[Exception]) -> list[tuple[str, int | None]]:
    params = ([p.link_id for p in posts], [p.token_prefix for p in posts], [p.latitude for p in posts],
              [p.longitude for p in posts], [p.accuracy_m for p in posts], [p.speed_mps for p in posts],
              [_naive_utc(p.at) for p in posts], _naive_utc(now))
    # Straight to the driver's cursor (a batch is written hundreds of times a second); errors are
    # still SQLAlchemy's, so an unreachable database is told apart from a bug as everywhere else.
    # Prepared once per database connection (as db/matching.py; the pool keeps `info` for the
    # connection's lifetime and starts afresh on a reconnect).
    prepared = raw.info.setdefault("healthfirst_prepared", set())
    statement = _STORE_EXECUTE
    try:
        with raw.cursor() as cursor:
            if _STORE_NAME not in prepared:
                statement = f"PREPARE {_STORE_NAME} AS {_STORE_SQL}"
                cursor.execute(statement)
                prepared.add(_STORE_NAME)
                statement = _STORE_EXECUTE
            cursor.execute(statement, params)
            rows = cursor.fetchall()
    except driver_error as error:
        raise DBAPIError.instance(statement, params, error, driver_error) from error
    return [(_OUTCOMES[outcome], unit_id) for outcome, unit_id in rows]


def _naive_utc(moment: datetime) -> datetime:
    """The stored form of times (db.models.UTCDateTime)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latest:
    latitude: float
    longitude: float
    at: datetime
    accuracy_m: float | None
    age_s: int

    @property
    def stale(self) -> bool:
        return self.age_s > STALE_AFTER.total_seconds()


def latest(unit: Ambulance, *, now: datetime) -> Latest | None:
    """A unit's latest position (from its own row: no track read), or None if it never sent one."""
    if unit.latitude is None or unit.longitude is None or unit.position_at is None:
        return None
    return Latest(unit.latitude, unit.longitude, unit.position_at, unit.position_accuracy_m,
                  max(0, int((now - unit.position_at).total_seconds())))


@dataclass(frozen=True)
class Estimate:
    """An arrival estimate: minutes (never below 1), the distance, and the position's age."""

    minutes: int
    distance_km: float
    position_age_s: int
    unit_lat: float
    unit_lon: float
    stale: bool


def estimate(from_lat: float, from_lon: float, to_lat: float, to_lon: float, *, kmh: float = DEFAULT_KMH,
             position_age_s: int = 0) -> Estimate:
    distance = haversine_km(from_lat, from_lon, to_lat, to_lon)
    minutes = max(1, math.ceil(distance / kmh * 60))
    return Estimate(minutes, round(distance, 2), position_age_s, from_lat, from_lon,
                    position_age_s > STALE_AFTER.total_seconds())


def eta(unit: Ambulance, to_lat: float, to_lon: float, *, now: datetime, kmh: float = DEFAULT_KMH) -> Estimate | None:
    position = latest(unit, now=now)
    if position is None:
        return None
    return estimate(position.latitude, position.longitude, to_lat, to_lon, kmh=kmh, position_age_s=position.age_s)


def arrival_for_sos(session: Session, *, actor: User, sos_id: int, now: datetime,
                    kmh: float = DEFAULT_KMH) -> Estimate | None:
    """The arrival estimate of the ambulance coming to an SOS, for the citizen who sent it (only
    their own SOS, only its own unit) or the hospital that took it. None when no unit is on its way
    to the patient or the unit has not sent a position yet."""
    sos = session.get(Sos, sos_id)
    if sos is None:
        raise NotFound("No such SOS.")
    if actor is None or actor.status != "active":
        raise NotAllowed()
    if actor.role == Role.CITIZEN:
        if sos.citizen_id != actor.id:
            raise NotAllowed("That is not your SOS.")
    elif actor.role == Role.HOSPITAL_ADMIN:
        if sos.hospital_id is None or sos.hospital_id != actor.hospital_id:
            raise NotAllowed("Your hospital has not accepted that SOS.")
    elif actor.role not in OVERSIGHT_ROLES:
        raise NotAllowed()
    if sos.ambulance_id is None or sos.status not in TO_PATIENT:
        return None
    unit = session.get(Ambulance, sos.ambulance_id)
    if unit is None or unit.current_sos_id != sos.id:
        return None
    return eta(unit, sos.latitude, sos.longitude, now=now, kmh=kmh)


@dataclass(frozen=True)
class UnitOnMap:
    unit_id: int
    call_sign: str
    status: str
    latitude: float
    longitude: float
    age_s: int
    stale: bool


def hospital_units(session: Session, *, actor: User, now: datetime) -> list[UnitOnMap]:
    """The hospital's units that have sent a position, each with its age (for its map)."""
    require_role(actor, Role.HOSPITAL_ADMIN)
    units = session.execute(
        select(Ambulance).where(Ambulance.hospital_id == actor.hospital_id, Ambulance.retired_at.is_(None),
                                Ambulance.position_at.is_not(None)).order_by(Ambulance.call_sign)
    ).scalars()
    shown = []
    for unit in units:
        position = latest(unit, now=now)
        if position is not None:
            shown.append(UnitOnMap(unit.id, unit.call_sign, unit.status, position.latitude, position.longitude,
                                   position.age_s, position.stale))
    return shown


@dataclass(frozen=True)
class Track:
    sos_id: int
    call_sign: str
    points: list[tuple[float, float]]
    first_at: datetime | None
    last_at: datetime | None
    sos_lat: float
    sos_lon: float


def sos_id_from_number(text) -> int | None:
    """"SOS-00012", "sos 12" or "12" -> 12; None for anything else."""
    digits = "".join(ch for ch in str(text or "") if ch.isdigit())
    return int(digits) if digits and len(digits) <= 12 and int(digits) > 0 else None


def track_for_sos(session: Session, *, actor: User, sos_id: int, limit: int = 5_000) -> Track:
    """The positions of the unit that served an SOS, between dispatch and handover (officers)."""
    require_role(actor, *OVERSIGHT_ROLES)
    sos = session.get(Sos, sos_id)
    if sos is None:
        raise NotFound("No such SOS.")
    rows = session.execute(
        select(UnitPosition.latitude, UnitPosition.longitude, UnitPosition.at)
        .where(UnitPosition.sos_id == sos_id).order_by(UnitPosition.at).limit(limit)
    ).all()
    call_sign = ""
    if sos.ambulance_id is not None:
        call_sign = session.execute(select(Ambulance.call_sign).where(Ambulance.id == sos.ambulance_id)).scalar() or ""
    return Track(sos_id, call_sign, [(r.latitude, r.longitude) for r in rows], rows[0].at if rows else None,
                 rows[-1].at if rows else None, sos.latitude, sos.longitude)


# ---- keeping the track table small --------------------------------------------------------------


def prune(session: Session, *, now: datetime, retention_days: int, batch: int = PRUNE_BATCH) -> int:
    """Delete track rows older than the retention period, a batch at a time (by the `at` index),
    so the job never holds long locks. The latest position lives on the unit row and stays."""
    cutoff = now - timedelta(days=retention_days)
    ids = select(UnitPosition.id).where(UnitPosition.at < cutoff).order_by(UnitPosition.at).limit(batch)
    return session.execute(delete(UnitPosition).where(UnitPosition.id.in_(ids.scalar_subquery()))).rowcount or 0

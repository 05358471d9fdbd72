"""Matching: offer each SOS to the nearest hospitals able to help, in widening rings.

A hospital can help when it is active, not on diversion (EMS status `closed`) and, where the
emergency type needs a bed, has one of that type free. A ring offers the nearest `per_ring` such
hospitals within its radius that were not offered this SOS before; the ring offered is the first
one not yet offered that has anyone new in it; when no ring has, the SOS becomes `unanswered`.

`match_due` is the job body (and what the SOS button calls at once for a new SOS); both run it
with the configured settings through `match_due_as_configured`. On PostgreSQL it is one prepared
statement: it claims the due SOS rows with FOR UPDATE SKIP LOCKED, finds the nearest hospitals
through the GiST index on `earth_point` (migration 0002), writes the offers and events and moves
the SOS on, in a single round trip. On SQLite (one writer at a time anyway) the
same rules run step by step with a bounding-box search. The unique (sos, hospital) offer key means
no hospital is ever offered the same SOS twice, however many job processes run; the tests run
every matching rule on both databases.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from db.geo import EARTH_RADIUS_KM, bounding_box
from db.models import BedType, Hospital, HospitalBeds, Sos, SosEvent, SosOffer
from db.prepared import naive_utc, run_prepared
from db.sos import EMERGENCY_TYPES
from db.sos_state import compare_and_set, record_event

DEFAULT_RINGS_KM = (5.0, 15.0, 40.0)
DEFAULT_PER_RING = 8
DEFAULT_ESCALATE_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class Candidate:
    hospital_id: int
    name: str
    distance_km: float


def distance_km_sql(latitude: float, longitude: float):
    """Great-circle distance from a point to each hospital, computed by the database, so only the
    nearest few rows ever reach Python. (SQLite gets the math functions from db.engine.)"""
    to_rad = math.pi / 180.0
    half_dlat = (Hospital.latitude - latitude) * (to_rad / 2)
    half_dlon = (Hospital.longitude - longitude) * (to_rad / 2)
    sin_dlat, sin_dlon = func.sin(half_dlat), func.sin(half_dlon)
    a = sin_dlat * sin_dlat + math.cos(latitude * to_rad) * func.cos(Hospital.latitude * to_rad) * sin_dlon * sin_dlon
    return (2 * EARTH_RADIUS_KM) * func.asin(func.sqrt(a))


def capable_hospitals(
    session: Session,
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    bed_code: str | None = None,
    exclude: Iterable[int] = (),
    limit: int | None = None,
) -> list[Candidate]:
    """Nearest first, within radius_km, able to help: a bounding-box pre-filter on the indexed
    coordinates, then the exact distance, ordering and limit in the database."""
    lat_min, lat_max, lon_min, lon_max = bounding_box(latitude, longitude, radius_km)
    distance = distance_km_sql(latitude, longitude).label("distance_km")
    query = select(Hospital.id, Hospital.name, distance).where(
        Hospital.latitude.between(lat_min, lat_max),
        Hospital.longitude.between(lon_min, lon_max),
        Hospital.status == "active",
        Hospital.ems_status != "closed",
        distance_km_sql(latitude, longitude) <= radius_km,
    )
    if bed_code is not None:
        query = query.where(
            exists().where(
                HospitalBeds.hospital_id == Hospital.id,
                HospitalBeds.bed_type_id == BedType.id,
                BedType.code == bed_code,
                HospitalBeds.available > 0,
            )
        )
    excluded = list(set(exclude))
    if excluded:
        query = query.where(Hospital.id.not_in(excluded))
    query = query.order_by(distance, Hospital.id)
    if limit:
        query = query.limit(limit)
    return [Candidate(hospital_id, name, float(km)) for hospital_id, name, km in session.execute(query)]


@dataclass
class MatchSummary:
    offered: int = 0
    sos_matched: int = 0
    unanswered: int = 0

    def __str__(self) -> str:
        return (f"{self.sos_matched} SOS matched, {self.offered} offers made, "
                f"{self.unanswered} marked unanswered")


def _offer_next_ring(session: Session, sos: Sos, *, now: datetime, rings: tuple[float, ...],
                     per_ring: int, escalate_after: timedelta) -> int:
    """Offer the next ring that has anyone new in it. Returns the number of offers made."""
    already = set() if sos.ring == 0 else set(
        session.execute(select(SosOffer.hospital_id).where(SosOffer.sos_id == sos.id)).scalars())
    bed_code = EMERGENCY_TYPES[sos.emergency_type].bed_code if sos.emergency_type else None
    while sos.ring < len(rings):
        radius = rings[sos.ring]
        candidates = capable_hospitals(
            session, latitude=sos.latitude, longitude=sos.longitude, radius_km=radius,
            bed_code=bed_code, exclude=already, limit=per_ring,
        )
        ring = sos.ring
        sos.ring += 1
        if candidates:
            # One multi-row INSERT; the unique (sos, hospital) key refuses any repeat.
            session.execute(insert(SosOffer), [
                {"sos_id": sos.id, "hospital_id": c.hospital_id, "ring": ring,
                 "distance_km": round(c.distance_km, 3), "status": "offered", "offered_at": now}
                for c in candidates
            ])
            sos.next_escalation_at = now + escalate_after
            session.execute(insert(SosEvent).values(
                sos_id=sos.id, kind="offered", at=now, detail=f"Offered to {len(candidates)} hospital"
                f"{'s' if len(candidates) != 1 else ''} within {radius:g} km"))
            return len(candidates)
    return 0


def offer_next_ring(session: Session, sos: Sos, *, now: datetime, rings: tuple[float, ...],
                    per_ring: int, escalate_after: timedelta) -> int:
    """Offer `sos` to the next ring with anyone new in it now (a health officer's "widen the
    search"); the caller holds the SOS's row. Returns the number of offers made."""
    return _offer_next_ring(session, sos, now=now, rings=tuple(float(r) for r in rings),
                            per_ring=per_ring, escalate_after=escalate_after)


def match_due(
    session: Session,
    *,
    now: datetime,
    rings: tuple[float, ...] = DEFAULT_RINGS_KM,
    per_ring: int = DEFAULT_PER_RING,
    escalate_after: timedelta = DEFAULT_ESCALATE_AFTER,
    limit: int = 100,
    sos_id: int | None = None,
) -> MatchSummary:
    """Offer every due SOS to its next ring; mark it unanswered when no ring is left."""
    rings = tuple(float(r) for r in rings)
    if session.get_bind().dialect.name == "postgresql":
        return _match_due_in_one_statement(session, now=now, rings=rings, per_ring=per_ring,
                                           escalate_after=escalate_after, limit=limit, sos_id=sos_id)
    summary = MatchSummary()
    query = (
        select(Sos)
        .where(Sos.status == "pending",
               (Sos.next_escalation_at.is_(None)) | (Sos.next_escalation_at <= now))
        .order_by(Sos.created_at, Sos.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if sos_id is not None:
        query = query.where(Sos.id == sos_id)
    for sos in session.execute(query).scalars().all():
        # Nothing this loop reads depends on its own unflushed changes: one flush at the end,
        # not one before every query.
        with session.no_autoflush:
            offered = _offer_next_ring(session, sos, now=now, rings=rings, per_ring=per_ring,
                                       escalate_after=escalate_after)
        if offered:
            summary.offered += offered
            summary.sos_matched += 1
            sos.updated_at = now
            continue
        # No ring left with anyone new in it, and the last ring's time is up.
        session.flush()
        if compare_and_set(session, sos.id, ("pending",), "unanswered", now, next_escalation_at=None):
            record_event(session, sos.id, kind="unanswered", from_status="pending",
                         to_status="unanswered", now=now)
            summary.unanswered += 1
    session.flush()
    return summary


def match_due_as_configured(session: Session, *, now: datetime, config, sos_id: int | None = None) -> MatchSummary:
    """`match_due` with the rings and escalation time the deployment configured
    (HEALTHFIRST_SOS_RINGS_KM, HEALTHFIRST_SOS_ESCALATE_SECONDS): what the matching job runs, and
    what the SOS button runs at once for a new SOS (`sos_id`)."""
    return match_due(session, now=now, sos_id=sos_id, rings=tuple(config.sos_rings_km),
                     escalate_after=timedelta(seconds=config.sos_escalate_seconds))


# ---- PostgreSQL: the whole of match_due in one prepared statement ----------------------------
#
# The same rules as the loop above. Parameters: $1 now, $2 next escalation time, $3 ring radii
# (km), $4 chord of the widest ring on the unit sphere, $5 per ring, $6 how many SOS at most,
# $7 the SOS (match_one only).
# Two job processes: the row lock decides who matches an SOS, and PostgreSQL re-checks a locked
# row that another process changed meanwhile, so it is no longer due. Should escalation ever be
# shorter than the clock skew between processes, the unique (sos, hospital) key still refuses a
# repeated offer: that round fails and the next one starts afresh.
_MATCH_SQL = """
WITH due AS (
    SELECT id, ring, earth_point(latitude, longitude) AS point,
           -- The bed type this emergency needs: NULL when any hospital will do, 0 when no such type exists.
           CASE WHEN {bed_code} IS NOT NULL THEN
               coalesce((SELECT t.id FROM bed_types t WHERE t.code = {bed_code}), 0)
           END AS bed_type_id
    FROM sos
    WHERE status = 'pending' AND (next_escalation_at IS NULL OR next_escalation_at <= $1) {only_one}
    {order_and_limit}
    FOR UPDATE SKIP LOCKED
),
nearest AS (
    -- The nearest capable hospitals not offered this SOS yet, walking the GiST index outward.
    SELECT d.id AS sos_id, h.id AS hospital_id, h.km
    FROM due d CROSS JOIN LATERAL (
        SELECT h.id, {earth_radius_x2} * asin(least(1.0, (earth_point(h.latitude, h.longitude) <-> d.point) / 2)) AS km
        FROM hospitals h
        WHERE earth_point(h.latitude, h.longitude) <@ cube_enlarge(d.point, $4, 3)
          AND h.status = 'active' AND h.ems_status <> 'closed'
          AND NOT EXISTS (SELECT 1 FROM sos_offers o WHERE o.sos_id = d.id AND o.hospital_id = h.id)
          AND (d.bed_type_id IS NULL OR EXISTS (
                SELECT 1 FROM hospital_beds b
                WHERE b.hospital_id = h.id AND b.bed_type_id = d.bed_type_id AND b.available > 0))
        ORDER BY earth_point(h.latitude, h.longitude) <-> d.point
        LIMIT $5
    ) h
),
chosen AS (
    -- The first ring not offered yet whose radius reaches the nearest new hospital (none: NULL).
    SELECT d.id AS sos_id, r.ring_no, ($3)[r.ring_no] AS radius
    FROM due d CROSS JOIN LATERAL (
        SELECT min(i) AS ring_no FROM generate_subscripts($3, 1) AS i
        WHERE i > d.ring AND ($3)[i] >= (SELECT min(n.km) FROM nearest n WHERE n.sos_id = d.id)
    ) r
),
offers AS (
    INSERT INTO sos_offers (sos_id, hospital_id, ring, distance_km, status, offered_at)
    SELECT n.sos_id, n.hospital_id, c.ring_no - 1, round(n.km::numeric, 3), 'offered', $1
    FROM nearest n JOIN chosen c USING (sos_id)
    WHERE n.km <= c.radius
    RETURNING sos_id
),
counted AS (SELECT sos_id, count(*) AS offered FROM offers GROUP BY sos_id),
moved AS (
    -- Offered: the ring moves on and the next escalation is set. No ring left: unanswered.
    UPDATE sos s SET status = CASE WHEN c.ring_no IS NULL THEN 'unanswered' ELSE s.status END,
                     ring = coalesce(c.ring_no, greatest(s.ring, cardinality($3))),
                     next_escalation_at = CASE WHEN c.ring_no IS NULL THEN NULL ELSE $2 END,
                     updated_at = $1
    FROM chosen c WHERE s.id = c.sos_id
    RETURNING s.id, c.ring_no, c.radius
),
events AS (
    -- One event per SOS moved: "offered" with what was offered, or "unanswered".
    INSERT INTO sos_events (sos_id, kind, from_status, to_status, at, detail)
    SELECT m.id, CASE WHEN m.ring_no IS NULL THEN 'unanswered' ELSE 'offered' END,
           CASE WHEN m.ring_no IS NULL THEN 'pending' END, CASE WHEN m.ring_no IS NULL THEN 'unanswered' END, $1,
           CASE WHEN m.ring_no IS NULL THEN '' ELSE
               'Offered to ' || k.offered || ' hospital' || CASE WHEN k.offered = 1 THEN '' ELSE 's' END
               || ' within ' || m.radius || ' km' END
    FROM moved m LEFT JOIN counted k ON k.sos_id = m.id
    RETURNING sos_id, kind
)
SELECT coalesce(array_agg(sos_id), ARRAY[]::int[]), (SELECT coalesce(sum(offered), 0) FROM counted),
       count(*) FILTER (WHERE kind = 'offered'), count(*) FILTER (WHERE kind = 'unanswered')
FROM events
"""


def _bed_code_sql() -> str:
    """The bed code each emergency type needs, as SQL over sos.emergency_type (from EMERGENCY_TYPES:
    constants of this code base, checked to be plain words before they are written into SQL)."""
    cases = []
    for name, kind in EMERGENCY_TYPES.items():
        if not re.fullmatch(r"[a-z_]+", name) or not re.fullmatch(r"[A-Z_]*", kind.bed_code or ""):
            raise ValueError(f"emergency type {name!r} / bed code {kind.bed_code!r}: letters and _ only")
        if kind.bed_code is not None:
            cases.append(f"WHEN '{name}' THEN '{kind.bed_code}'")
    return f"(CASE emergency_type {' '.join(cases)} END)"


_MATCH_TYPES = "timestamp, timestamp, float8[], float8, int, int"
_MATCH_STATEMENTS = {
    # name: (parameter types, statement)
    "healthfirst_match_due": (_MATCH_TYPES, _MATCH_SQL.format(
        only_one="", order_and_limit="ORDER BY created_at, id LIMIT $6", bed_code=_bed_code_sql(),
        earth_radius_x2=2 * EARTH_RADIUS_KM)),
    "healthfirst_match_one": (_MATCH_TYPES + ", int", _MATCH_SQL.format(
        only_one="AND id = $7", order_and_limit="", bed_code=_bed_code_sql(), earth_radius_x2=2 * EARTH_RADIUS_KM)),
}


def _match_due_in_one_statement(session: Session, *, now: datetime, rings: tuple[float, ...], per_ring: int,
                                escalate_after: timedelta, limit: int, sos_id: int | None) -> MatchSummary:
    name = "healthfirst_match_one" if sos_id is not None else "healthfirst_match_due"
    widest = max(rings, default=0.0)
    params = [naive_utc(now), naive_utc(now + escalate_after), list(rings),
              2 * math.sin(min(widest / (2 * EARTH_RADIUS_KM), math.pi / 2)), per_ring, limit]
    if sos_id is not None:
        params.append(sos_id)
    # The product's hottest statement goes straight to the driver's cursor: SQLAlchemy's result
    # machinery cost 0.1 ms of the 1.5 ms an SOS takes (measured).
    [(claimed, offered, matched, unanswered)] = run_prepared(session, name, *_MATCH_STATEMENTS[name], params)
    # SOS rows this session already holds were changed behind the ORM's back: reload on next use.
    for claimed_id in claimed:
        held = session.identity_map.get(identity_key(Sos, claimed_id))
        if held is not None:
            session.expire(held, _SOS_COLUMNS_SET)
    return MatchSummary(offered=int(offered), sos_matched=int(matched), unanswered=int(unanswered))


# What the statement's UPDATE of sos sets (`moved` in _MATCH_SQL).
_SOS_COLUMNS_SET = ("status", "ring", "next_escalation_at", "updated_at")

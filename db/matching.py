"""Matching: offer each SOS to the nearest hospitals able to help, in widening rings.

A hospital can help when it is active, not on diversion (EMS status `closed`) and, where the
emergency type needs a bed, has one of that type free. The search pre-filters on a bounding box
over the indexed latitude/longitude columns, then keeps the exact great-circle distance.

`match_due` is the job body. It claims due SOS rows with FOR UPDATE SKIP LOCKED on PostgreSQL
(SQLite serialises writers anyway), and the unique (sos, hospital) offer key means no hospital is
ever offered the same SOS twice, however many job processes run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session

from db.geo import EARTH_RADIUS_KM, bounding_box
from db.models import BedType, Hospital, HospitalBeds, Sos, SosEvent, SosOffer
from db.sos import EMERGENCY_TYPES, compare_and_set, record_event

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
    bed_code: Optional[str] = None,
    exclude: Iterable[int] = (),
    limit: Optional[int] = None,
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


def match_due(
    session: Session,
    *,
    now: datetime,
    rings: tuple[float, ...] = DEFAULT_RINGS_KM,
    per_ring: int = DEFAULT_PER_RING,
    escalate_after: timedelta = DEFAULT_ESCALATE_AFTER,
    limit: int = 100,
    sos_id: Optional[int] = None,
) -> MatchSummary:
    """Offer every due SOS to its next ring; mark it unanswered when no ring is left."""
    summary = MatchSummary()
    query = (
        select(Sos)
        .where(Sos.status == "pending",
               (Sos.next_escalation_at.is_(None)) | (Sos.next_escalation_at <= now))
        .order_by(Sos.created_at)
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

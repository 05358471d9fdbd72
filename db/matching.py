"""Matching: offer each SOS to the nearest hospitals able to help, in widening rings.

A hospital can help when it is active, not on diversion (EMS status `closed`) and, where the
emergency type needs a bed, has one of that type free. The search pre-filters on a bounding box
over the indexed latitude/longitude columns, then keeps the exact great-circle distance.

`match_due` is the job body. It claims due SOS rows with FOR UPDATE SKIP LOCKED on PostgreSQL
(SQLite serialises writers anyway), and the unique (sos, hospital) offer key means no hospital is
ever offered the same SOS twice, however many job processes run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from db.geo import bounding_box, haversine_km
from db.models import BedType, Hospital, HospitalBeds, Sos, SosOffer
from db.sos import EMERGENCY_TYPES, compare_and_set, record_event

DEFAULT_RINGS_KM = (5.0, 15.0, 40.0)
DEFAULT_PER_RING = 8
DEFAULT_ESCALATE_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class Candidate:
    hospital_id: int
    name: str
    distance_km: float


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
    """Nearest first, within radius_km, able to help."""
    lat_min, lat_max, lon_min, lon_max = bounding_box(latitude, longitude, radius_km)
    query = select(Hospital.id, Hospital.name, Hospital.latitude, Hospital.longitude).where(
        Hospital.latitude.between(lat_min, lat_max),
        Hospital.longitude.between(lon_min, lon_max),
        Hospital.status == "active",
        Hospital.ems_status != "closed",
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
    excluded = set(exclude)
    found = []
    for hospital_id, name, lat, lon in session.execute(query):
        if hospital_id in excluded:
            continue
        distance = haversine_km(latitude, longitude, lat, lon)
        if distance <= radius_km:
            found.append(Candidate(hospital_id, name, distance))
    found.sort(key=lambda c: (c.distance_km, c.hospital_id))
    return found[:limit] if limit else found


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
    already = set(session.execute(select(SosOffer.hospital_id).where(SosOffer.sos_id == sos.id)).scalars())
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
            for candidate in candidates:
                session.add(SosOffer(sos_id=sos.id, hospital_id=candidate.hospital_id, ring=ring,
                                     distance_km=round(candidate.distance_km, 3), status="offered",
                                     offered_at=now))
            sos.next_escalation_at = now + escalate_after
            record_event(session, sos, kind="offered", now=now,
                         detail=f"Offered to {len(candidates)} hospital"
                                f"{'s' if len(candidates) != 1 else ''} within {radius:g} km")
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

"""Hospital capacity: bed types and counts.

The list of bed types is data (the `bed_types` table): adding Ventilator or Pediatric ICU is a
row, not a code change. The capacity issue adds editing, search and history on top of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import NotAllowed
from db.models import BedType, Hospital, HospitalBeds, User
from db.users import require_role

# (code, name shown to people, EDXL-HAVE 1.0 bed type)
DEFAULT_BED_TYPES = (
    ("ICU", "ICU", "AdultICU"),
    ("OXYGEN", "Oxygen", "Oxygen"),
    ("GENERAL", "General", "MedicalSurgical"),
)


def ensure_bed_types(session: Session) -> list[BedType]:
    """Create the default bed types that are missing; safe to run at every start."""
    existing = {b.code: b for b in session.execute(select(BedType)).scalars()}
    for order, (code, name, have_type) in enumerate(DEFAULT_BED_TYPES):
        if code not in existing:
            existing[code] = BedType(code=code, name=name, have_type=have_type, sort_order=order)
            session.add(existing[code])
    session.flush()
    return sorted(existing.values(), key=lambda b: (b.sort_order, b.id))


@dataclass(frozen=True)
class BedFigure:
    code: str
    name: str
    total: int
    available: int
    updated_at: Optional[datetime]


def beds_of_hospital(session: Session, *, actor: User, hospital_id: int) -> list[BedFigure]:
    """A hospital's own figures, for its admins (and officers, super admins)."""
    if actor.role == "hospital_admin":
        if actor.hospital_id != hospital_id:
            raise NotAllowed("You can only see your own hospital's figures here.")
    else:
        require_role(actor, "health_officer", "super_admin")
    rows = session.execute(
        select(BedType, HospitalBeds)
        .outerjoin(HospitalBeds, (HospitalBeds.bed_type_id == BedType.id)
                   & (HospitalBeds.hospital_id == hospital_id))
        .order_by(BedType.sort_order, BedType.id)
    ).all()
    return [
        BedFigure(bt.code, bt.name, hb.total if hb else 0, hb.available if hb else 0,
                  hb.updated_at if hb else None)
        for bt, hb in rows
    ]


def region_bed_totals(session: Session) -> list[BedFigure]:
    """Available and total beds per type across active hospitals (public figures)."""
    sums = {
        bed_type_id: (int(total), int(available), updated)
        for bed_type_id, total, available, updated in session.execute(
            select(HospitalBeds.bed_type_id, func.sum(HospitalBeds.total),
                   func.sum(HospitalBeds.available), func.max(HospitalBeds.updated_at))
            .join(Hospital, Hospital.id == HospitalBeds.hospital_id)
            .where(Hospital.status == "active")
            .group_by(HospitalBeds.bed_type_id)
        )
    }
    bed_types = session.execute(select(BedType).order_by(BedType.sort_order, BedType.id)).scalars()
    return [BedFigure(bt.code, bt.name, *sums.get(bt.id, (0, 0, None))) for bt in bed_types]


def hospitals_by_ems_status(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Hospital.ems_status, func.count()).where(Hospital.status == "active")
        .group_by(Hospital.ems_status)
    )
    return {status: count for status, count in rows}

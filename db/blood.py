"""Blood stock. The capacity issue adds adjustments, search and compatibility."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import NotAllowed
from db.models import BLOOD_GROUPS, BloodStock, Hospital, User


def units_by_group(session: Session, *, actor: User, hospital_id: int) -> dict[str, int]:
    if actor.role not in ("super_admin", "health_officer") and actor.hospital_id != hospital_id:
        raise NotAllowed("You can only see your own hospital's blood stock.")
    rows = session.execute(
        select(BloodStock.blood_group, func.sum(BloodStock.units))
        .where(BloodStock.hospital_id == hospital_id)
        .group_by(BloodStock.blood_group)
    )
    found = {group: int(units) for group, units in rows}
    return {group: found.get(group, 0) for group in BLOOD_GROUPS}


def region_shortages(session: Session) -> dict[str, int]:
    """Per blood group, how many active hospitals are at or below their low-stock threshold."""
    rows = session.execute(
        select(BloodStock.blood_group, func.count())
        .join(Hospital, Hospital.id == BloodStock.hospital_id)
        .where(Hospital.status == "active", BloodStock.units <= BloodStock.low_threshold)
        .group_by(BloodStock.blood_group)
    )
    found = dict(rows.all())
    return {group: int(found.get(group, 0)) for group in BLOOD_GROUPS}

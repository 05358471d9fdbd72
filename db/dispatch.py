"""Ambulances (units) and their dispatch. The SOS issue adds assignment and the status cycle."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import NotAllowed
from db.models import Ambulance, User


def units_by_status(session: Session, *, actor: User, hospital_id: int) -> dict[str, int]:
    if actor.role != "super_admin" and actor.hospital_id != hospital_id:
        raise NotAllowed("You can only see your own hospital's ambulances.")
    rows = session.execute(
        select(Ambulance.status, func.count())
        .where(Ambulance.hospital_id == hospital_id, Ambulance.retired_at.is_(None))
        .group_by(Ambulance.status)
    )
    return {status: count for status, count in rows}

"""The demo city comes alive (only where demo data is on; jobs/demo_city.py runs it).

Dispatched demo units drive in straight lines at an urban speed to their patient and, once
transporting, to their hospital; each step is posted through `db.positions.record_position` as
the unit's crew would. Demo hospitals' figures are marked fresh now and then, so a demo left
running never turns STALE (the two hospitals the demo leaves stale on purpose stay so).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import crew, positions
from db.demo import HOSPITALS
from db.geo import haversine_km
from db.models import Ambulance, BloodStock, CrewLink, Hospital, HospitalBeds, Sos

MOVING = ("dispatched", "en_route", "transporting")
MAX_STEP_S = 30  # a job process that was down does not make units jump across the city
ARRIVED_KM = 0.03
# A unit whose real crew phone posted lately is left to that phone.
PHONE_QUIET = timedelta(minutes=2)
FRESH_FOR = timedelta(minutes=10)
STALE_ON_PURPOSE = {HOSPITALS[5][1], HOSPITALS[12][1]}  # db.demo seeds these hours old


@dataclass(frozen=True)
class Drive:
    unit_id: int
    call_sign: str
    from_lat: float
    from_lon: float
    to_lat: float
    to_lon: float
    last_at: datetime | None


def _toward(lat: float, lon: float, to_lat: float, to_lon: float, km: float) -> tuple[float, float]:
    """The point `km` along the straight line to (to_lat, to_lon), or the end if nearer."""
    total = haversine_km(lat, lon, to_lat, to_lon)
    if total <= km or total == 0:
        return to_lat, to_lon
    share = km / total
    return lat + (to_lat - lat) * share, lon + (to_lon - lon) * share


def drives(session: Session, *, now: datetime) -> list[Drive]:
    """Units on the move, where they are (or their hospital if they never sent a position) and
    where they are going."""
    rows = session.execute(
        select(Ambulance, Sos, Hospital).join(Sos, Sos.id == Ambulance.current_sos_id)
        .join(Hospital, Hospital.id == Ambulance.hospital_id).where(Ambulance.status.in_(MOVING))
    ).all()
    phones = set(session.execute(select(CrewLink.ambulance_id).where(
        CrewLink.revoked_at.is_(None), CrewLink.last_seen_at > now - PHONE_QUIET)).scalars())
    found = []
    for unit, sos, hospital in rows:
        if unit.id in phones:
            continue
        to = (hospital.latitude, hospital.longitude) if unit.status == "transporting" else (sos.latitude, sos.longitude)
        here = (unit.latitude, unit.longitude) if unit.latitude is not None else (hospital.latitude, hospital.longitude)
        found.append(Drive(unit.id, unit.call_sign, here[0], here[1], to[0], to[1], unit.position_at))
    return found


def _driver(session: Session, unit: Ambulance, *, now: datetime):
    """The unit's crew account, bound to the unit by a link no phone holds (made revoked: it opens
    nothing and is listed nowhere)."""
    account = crew.crew_account(session, unit, now=now)
    if session.execute(select(CrewLink.id).where(CrewLink.crew_user_id == account.id).limit(1)).first() is None:
        session.add(CrewLink(token_hash=crew.token_hash(secrets.token_urlsafe(32)), ambulance_id=unit.id,
                             crew_user_id=account.id, label="Demo city driver", issued_by_id=account.id,
                             issued_at=now, revoked_at=now))
        session.flush()
    return account


def drive(session: Session, *, now: datetime, kmh: float) -> int:
    """Move every unit on the move one step; returns how many moved."""
    moved = 0
    for d in drives(session, now=now):
        if haversine_km(d.from_lat, d.from_lon, d.to_lat, d.to_lon) < ARRIVED_KM and d.last_at is not None:
            continue
        seconds = MAX_STEP_S if d.last_at is None else min(MAX_STEP_S, max(0.0, (now - d.last_at).total_seconds()))
        lat, lon = _toward(d.from_lat, d.from_lon, d.to_lat, d.to_lon, kmh * seconds / 3600)
        unit = session.get(Ambulance, d.unit_id)
        account = _driver(session, unit, now=now)
        result = positions.record_position(session, actor=account, latitude=lat, longitude=lon, accuracy_m=10.0,
                                           speed_mps=kmh / 3.6, at=now, now=now)
        moved += result.stored
    return moved


def freshen_demo_figures(session: Session, *, now: datetime) -> int:
    """Mark demo hospitals' beds and blood as just updated when they get old (not the two that
    are stale on purpose); returns how many rows were touched."""
    names = [name for _area, name, _lat, _lon in HOSPITALS if name not in STALE_ON_PURPOSE]
    ids = select(Hospital.id).where(Hospital.name.in_(names))
    touched = session.execute(update(HospitalBeds).where(HospitalBeds.hospital_id.in_(ids),
                                                        HospitalBeds.updated_at < now - FRESH_FOR)
                              .values(updated_at=now)).rowcount or 0
    touched += session.execute(update(BloodStock).where(BloodStock.hospital_id.in_(ids),
                                                       BloodStock.updated_at < now - FRESH_FOR)
                               .values(updated_at=now)).rowcount or 0
    return touched


"""What a control-room wall display shows: one snapshot of plain data.

Nothing here identifies a patient: no names, phone numbers, notes or report data, and SOS
positions are rounded to about 100 m. The wall's feed (web/display_feed.py) sends only what
this builds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import alerts, blood, capacity, metrics
from db.models import Ambulance, Hospital, HospitalBeds, Sos
from db.sos import EMERGENCY_TYPES, OPEN_STATUSES
from db.vocabulary import Role

POSITION_DECIMALS = 3  # ~110 m: enough for a map of the region, not a front door
MAP_HOSPITALS = 500
# Who may watch the wall: display accounts (and kiosk links) and those who oversee the region.
VIEWER_ROLES = (Role.DISPLAY, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)


@dataclass
class Snapshot:
    generated_at: str
    sos: list[dict] = field(default_factory=list)
    sos_by_status: dict = field(default_factory=dict)
    unanswered: int = 0
    units: list[dict] = field(default_factory=list)
    units_by_status: dict = field(default_factory=dict)
    hospitals: list[dict] = field(default_factory=list)
    beds: list[dict] = field(default_factory=list)
    shortages: dict = field(default_factory=dict)
    alerts: list[dict] = field(default_factory=list)
    response_times: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        # Shallow: every field already holds plain lists and dicts.
        return dict(vars(self))


def snapshot(session: Session, *, now: datetime, day_start: datetime, day_end: datetime) -> Snapshot:
    open_sos = list(session.execute(select(Sos).where(Sos.status.in_(OPEN_STATUSES)).order_by(Sos.created_at)).scalars())
    unit_rows = list(session.execute(select(Ambulance).where(Ambulance.retired_at.is_(None))
                                     .order_by(Ambulance.status, Ambulance.status_since)).scalars())
    # Names of the hospitals these rows name, not of the whole national directory.
    named = {s.hospital_id for s in open_sos if s.hospital_id} | {u.hospital_id for u in unit_rows}
    names = dict(session.execute(select(Hospital.id, Hospital.name).where(Hospital.id.in_(named))).all()) \
        if named else {}
    call_signs = {u.id: u.call_sign for u in unit_rows}
    result = Snapshot(generated_at=now.isoformat())
    for sos in open_sos:
        result.sos.append({
            "id": sos.id,
            "status": sos.status,
            "type": EMERGENCY_TYPES[sos.emergency_type].label if sos.emergency_type else "Not given",
            "priority": sos.priority,
            # Timers tick in the browser from these start times: the data itself stays unchanged
            # between refreshes, so an idle poll can answer "nothing new".
            "since_ms": int(sos.created_at.timestamp() * 1000),
            "lat": round(sos.latitude, POSITION_DECIMALS),
            "lon": round(sos.longitude, POSITION_DECIMALS),
            "hospital": names.get(sos.hospital_id, "") if sos.hospital_id else "",
            "unit": call_signs.get(sos.ambulance_id, "") if sos.ambulance_id else "",
        })
    result.sos_by_status = dict(Counter(s.status for s in open_sos))
    result.unanswered = result.sos_by_status.get("unanswered", 0)
    for unit in unit_rows:
        result.units.append({
            "call_sign": unit.call_sign, "hospital": names.get(unit.hospital_id, ""), "status": unit.status,
            "since_ms": int(unit.status_since.timestamp() * 1000), "level": unit.level,
            # Rounded as SOS are: a unit on scene stands at a patient's door.
            "lat": round(unit.latitude, POSITION_DECIMALS) if unit.latitude is not None else None,
            "lon": round(unit.longitude, POSITION_DECIMALS) if unit.longitude is not None else None,
        })
    result.units_by_status = dict(Counter(u.status for u in unit_rows))
    # Hospitals taking part (they publish beds), not the whole national directory.
    result.hospitals = [
        {"name": h.name, "lat": h.latitude, "lon": h.longitude, "ems": h.ems_status}
        for h in session.execute(
            select(Hospital).where(Hospital.status == "active",
                                   Hospital.id.in_(select(HospitalBeds.hospital_id).distinct()))
            .order_by(Hospital.id).limit(MAP_HOSPITALS)).scalars()
    ]
    result.beds = [{"name": b.name, "available": b.available, "total": b.total,
                    "updated": b.updated_at.isoformat() if b.updated_at else None}
                   for b in capacity.region_bed_totals(session)]
    result.shortages = blood.region_shortages(session)
    result.alerts = [{"headline": a.headline, "severity": a.severity, "area": a.area_desc, "event": a.event}
                     for a in alerts.active_alerts(session, now=now)]
    result.response_times = [
        {"key": s.key, "label": s.label, "count": s.count, "median": s.median, "p90": s.p90,
         "target": s.target_seconds, "source": s.target_source}
        for s in metrics.response_times(session, start=day_start, end=day_end)
    ]
    return result

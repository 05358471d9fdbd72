"""What an ambulance crew's phone shows: its unit's current job, and nothing of any other.

The crew sees the caller's first name and phone, the place, the note and where to go: the patient
until on scene, then the hospital that took the SOS. Steps go through `db.dispatch.crew_step`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from db import landmarks, positions
from db.crew import unit_of
from db.dispatch import NEXT_STATUS, UNIT_TO_SOS_STATUS
from db.models import Hospital, Sos, User
from db.sos import EMERGENCY_TYPES
from db.vocabulary import PRIORITY_LABELS, UNIT_STATUS_LABELS, sos_number


@dataclass(frozen=True)
class CrewJob:
    unit_id: int
    call_sign: str
    unit_status: str
    unit_status_label: str
    sos_id: int | None = None
    number: str = ""
    emergency: str = ""
    priority: str = ""
    caller: str = ""
    phone: str = ""
    place: str = ""  # in words: what the caller typed, the nearest named place (else the point)
    point: str = ""  # the coordinates, for the radio and a maps app
    note: str = ""
    patient_lat: float | None = None
    patient_lon: float | None = None
    hospital: str = ""
    hospital_lat: float | None = None
    hospital_lon: float | None = None
    heading_to: str = ""  # "patient" or "hospital"
    next_status: str | None = None
    unit_lat: float | None = None
    unit_lon: float | None = None
    position_age_s: int | None = None
    eta_minutes: int | None = None

    @property
    def dest(self) -> tuple[float, float] | None:
        if self.heading_to == "hospital" and self.hospital_lat is not None:
            return self.hospital_lat, self.hospital_lon
        if self.patient_lat is not None:
            return self.patient_lat, self.patient_lon
        return None


def first_name(full_name: str) -> str:
    return (full_name or "").strip().split(" ")[0] if full_name else ""


def _place_words(session: Session, sos: Sos) -> str:
    """Where the patient is, as the crew reads it: the place the caller typed and the nearest named
    place ("0.9 km S of Indiranagar Metro"), the same words the hospital's card shows; the point
    when neither is known."""
    near = landmarks.describe_place_cached(session, sos.latitude, sos.longitude).text
    words = [part for part in (sos.location_text, near) if part]
    return " · ".join(words) if words else f"{sos.latitude:.5f}, {sos.longitude:.5f}"


def crew_job(session: Session, *, actor: User, now: datetime, kmh: float = positions.DEFAULT_KMH) -> CrewJob:
    """The crew's unit and its current job (fields empty when it has none)."""
    unit = unit_of(session, actor)
    session.refresh(unit)
    base = dict(unit_id=unit.id, call_sign=unit.call_sign, unit_status=unit.status,
                unit_status_label=UNIT_STATUS_LABELS[unit.status])
    latest = positions.latest(unit, now=now)
    if latest is not None:
        base.update(unit_lat=latest.latitude, unit_lon=latest.longitude, position_age_s=latest.age_s)
    sos = session.get(Sos, unit.current_sos_id) if unit.current_sos_id else None
    if sos is None:
        return CrewJob(**base)
    hospital = session.get(Hospital, sos.hospital_id) if sos.hospital_id else None
    nexts = [s for s in NEXT_STATUS.get(unit.status, ()) if s in UNIT_TO_SOS_STATUS]
    heading = "hospital" if unit.status in ("transporting", "at_hospital") else "patient"
    job = CrewJob(
        **base, sos_id=sos.id, number=sos_number(sos.id),
        emergency=EMERGENCY_TYPES[sos.emergency_type].label if sos.emergency_type in EMERGENCY_TYPES else "Not given",
        priority=PRIORITY_LABELS.get(sos.priority, sos.priority),
        caller=first_name(sos.citizen.full_name), phone=sos.citizen.phone or "",
        place=_place_words(session, sos), point=f"{sos.latitude:.5f}, {sos.longitude:.5f}", note=sos.note or "",
        patient_lat=sos.latitude, patient_lon=sos.longitude,
        hospital=hospital.name if hospital else "", hospital_lat=hospital.latitude if hospital else None,
        hospital_lon=hospital.longitude if hospital else None, heading_to=heading,
        next_status=nexts[0] if nexts else None,
    )
    if latest is not None and job.dest is not None:
        est = positions.estimate(latest.latitude, latest.longitude, *job.dest, kmh=kmh, position_age_s=latest.age_s)
        job = CrewJob(**{**vars(job), "eta_minutes": est.minutes})
    return job

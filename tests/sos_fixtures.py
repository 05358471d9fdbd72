"""Helpers for SOS tests: a small city with beds, and SOS offered to hospitals."""

from __future__ import annotations

from datetime import timedelta

from db import matching, sos as sos_ops
from db.capacity import ensure_bed_types
from db.models import HospitalBeds
from tests.conftest import T0, add_hospital, add_user

CENTRE = (12.9716, 77.5946)


def give_beds(session, hospital, *, icu=5, oxygen=5, general=20, now=T0):
    for bed_type in ensure_bed_types(session):
        total = {"ICU": icu, "OXYGEN": oxygen}.get(bed_type.code, general)
        session.add(HospitalBeds(hospital_id=hospital.id, bed_type_id=bed_type.id, total=max(total, 1),
                                 available=total, version=1, updated_at=now))
    session.flush()


def city(session, count=3, *, spacing_km=1.0):
    """Hospitals due east of the centre at 1, 2, 3 … km, each with free beds."""
    hospitals = []
    for index in range(count):
        lon = CENTRE[1] + (index + 1) * spacing_km / 108.5  # ~108.5 km per degree here
        hospital = add_hospital(session, f"Hospital {index + 1}", lat=CENTRE[0], lon=lon)
        give_beds(session, hospital)
        hospitals.append(hospital)
    admins = [add_user(session, "hospital_admin", hospital=h) for h in hospitals]
    return hospitals, admins


def send_sos(session, citizen, *, now=T0, emergency_type=None, lat=CENTRE[0], lon=CENTRE[1]):
    sos, created = sos_ops.create_sos(session, actor=citizen, latitude=lat, longitude=lon, now=now,
                                      emergency_type=emergency_type)
    assert created
    return sos


def match_now(session, *, now=T0, **kwargs):
    kwargs.setdefault("escalate_after", timedelta(seconds=60))
    return matching.match_due(session, now=now, **kwargs)

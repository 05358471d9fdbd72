"""Data builders and constants the tests share: plain functions, no fixtures (those are in
conftest.py). A fixed start time, the one password every test account has, hospitals and
accounts, a small city with beds, SOS sent and matched, and small real report files."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from db import alerts, dispatch, matching, users
from db import sos as sos_ops
from db.capacity import ensure_bed_types
from db.clock import utcnow
from db.models import Hospital, HospitalBeds, User

ROOT = Path(__file__).resolve().parent.parent
"""The repository's root folder."""

PASSWORD = "Correct-horse-42"
_PASSWORD_HASH = users.hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
T0 = datetime(2026, 11, 28, 8, 0, 0, tzinfo=UTC)


# ---- clock ----------------------------------------------------------------------------------


class Clock:
    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# ---- people and places ----------------------------------------------------------------------


def add_hospital(session: Session, name: str = "Test Hospital", *, lat: float = 12.97,
                 lon: float = 77.59, status: str = "active", now: datetime = T0) -> Hospital:
    hospital = Hospital(name=name, address="1 Test Road", city="Testpur", latitude=lat,
                        longitude=lon, phone="+91 80 1234 5678", status=status,
                        ems_status="normal", ems_reason="", created_at=now)
    session.add(hospital)
    session.flush()
    return hospital


def add_user(session: Session, role: str = "citizen", *, email: str | None = None,
             status: str = "active", hospital: Hospital | None = None, now: datetime = T0) -> User:
    user = User(
        email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.in",
        password_hash=_PASSWORD_HASH,
        full_name=f"Test {role.replace('_', ' ').title()}",
        phone=None,
        role=role,
        status=status,
        hospital_id=hospital.id if hospital else None,
        session_token=uuid.uuid4().hex,
        failed_login_count=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def one_of_each(session) -> dict:
    """Two hospitals and one active account per role (two citizens), flushed."""
    ensure_bed_types(session)
    h1 = add_hospital(session, "Alpha Hospital", lat=12.9784, lon=77.6408)
    h2 = add_hospital(session, "Beta Hospital", lat=12.9352, lon=77.6245)
    return {
        "hospital_a": h1,
        "hospital_b": h2,
        "citizen": add_user(session, "citizen", email="citizen@example.in"),
        "citizen2": add_user(session, "citizen", email="citizen2@example.in"),
        "admin_a": add_user(session, "hospital_admin", email="admin.a@example.in", hospital=h1),
        "admin_b": add_user(session, "hospital_admin", email="admin.b@example.in", hospital=h2),
        "officer": add_user(session, "health_officer", email="officer@example.in"),
        "super": add_user(session, "super_admin", email="super@example.in"),
        "display": add_user(session, "display", email="display@example.in"),
    }


# ---- beds and SOS: a small city with beds, and SOS offered to hospitals ------------------------

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


# ---- report files: small real files, made here (nothing downloaded) -------------------------

KEY = b"test-hmac-key-kept-outside-the-database"


def pdf_bytes(text: str = "Discharge summary") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"3 0 obj << /Length " + str(len(body)).encode() + b" >> stream\n" + body +
            b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def png_bytes() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


# ---- ambulance crews -----------------------------------------------------------------------------


def add_crew(session, admin, *, call_sign: str = "AMB-1", now=T0):
    """A unit of `admin`'s hospital and a crew link for it: (token, unit, crew account)."""
    from db import crew, dispatch

    unit = dispatch.register_unit(session, actor=admin, call_sign=call_sign, now=now)
    token, link = crew.issue(session, actor=admin, ambulance_id=unit.id, now=now)
    return token, unit, session.get(User, link.crew_user_id)


# ---- the browser tests' city (web_db, web_people) ---------------------------------------------


def beds_and_an_ambulance(web_db, web_people) -> None:
    """Both test hospitals get free beds; Alpha gets its ambulance AMB-1 (the browser tests' city)."""
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        give_beds(session, session.get(Hospital, web_people["hospital_b"].id))
        admin_a = session.get(User, web_people["admin_a"].id)
        dispatch.register_unit(session, actor=admin_a, call_sign="AMB-1", registration_plate="KA-01-AB-1234",
                               crew_contact="+91 98450 00001", now=utcnow())
        session.commit()


def sos_nearby(web_db, web_people, *, accepted_by: str | None = None) -> int:
    """The citizen's SOS at WHERE, offered to both hospitals (and accepted by one, if named)."""
    with web_db.factory() as session:
        citizen = session.get(User, web_people["citizen"].id)
        sos, _created = sos_ops.create_sos(session, actor=citizen, latitude=12.96, longitude=77.63,
                                           now=utcnow(), location_source="typed")
        session.flush()
        matching.match_due(session, now=utcnow(), sos_id=sos.id)
        if accepted_by:
            sos_ops.accept_sos(session, actor=session.get(User, web_people[accepted_by].id), sos_id=sos.id,
                               now=utcnow())
        session.commit()
        return sos.id


# ---- alerts --------------------------------------------------------------------------------------

# An alert's Hindi words: (language, event, headline, description, instruction).
HINDI = ("hi", "लू", "लू: दोपहर 12 से 4 बजे तक घर के अंदर रहें", "तापमान 44 °C तक पहुँच सकता है।",
         "बार-बार पानी पिएँ।")


def heatwave(**overrides) -> alerts.AlertInput:
    """The officer's usual alert in the tests, with any field replaced."""
    values = dict(
        headline="Heatwave: stay indoors 12:00-16:00",
        event="Heatwave",
        urgency="Expected",
        severity="Severe",
        certainty="Likely",
        description="Temperatures up to 44 °C are expected.",
        instruction="Drink water often. Check on elderly neighbours.",
        expires=T0 + timedelta(hours=24),
        area_desc="Central Bengaluru",
        circle_lat=CENTRE[0],
        circle_lon=CENTRE[1],
        circle_radius_km=10.0,
    )
    values.update(overrides)
    return alerts.AlertInput(**values)


# ---- outages -------------------------------------------------------------------------------------


def cut_database(web_app):
    """Point the running test app at a database that refuses connections (an outage); returns
    the function that restores the real one."""
    from auth.context import EXTENSION_KEY
    from db.engine import make_engine, make_session_factory

    state = web_app.server.extensions[EXTENSION_KEY]
    working, dead = state["session_factory"], make_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none")
    state["session_factory"] = make_session_factory(dead)

    def restore():
        state["session_factory"] = working
        dead.dispose()

    return restore


def two_crew_jobs(web_db, web_people):
    """Hospital A sent AMB-1 to one SOS and AMB-2 to another; each unit has a crew link."""
    now = utcnow()
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        made = {}
        for call_sign, citizen_name in (("AMB-1", "Asha Rao"), ("AMB-2", "Ravi Kumar")):
            token, unit, crew = add_crew(session, admin, call_sign=call_sign, now=now)
            citizen = add_user(session)
            citizen.full_name = citizen_name
            sos = send_sos(session, citizen, now=now, lat=12.9784, lon=77.6408)
            match_now(session, now=now)
            sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=now)
            dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=now)
            made[call_sign] = {"token": token, "unit": unit.id, "sos": sos.id, "crew": crew.id}
        session.commit()
    return made

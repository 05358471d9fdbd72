"""Demo data: a city of 20 hospitals with beds, blood and ambulances, and one account per role.

Loaded on the first run of an empty database so the quick start shows a working product. The
passwords are public (printed at startup): never enable demo data on a real deployment.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import audit
from db.capacity import ensure_bed_types
from db.models import (
    BLOOD_GROUPS,
    Ambulance,
    BedHistory,
    BloodStock,
    Hospital,
    HospitalBeds,
    Landmark,
    User,
)
from db.users import hash_password
from db.vocabulary import DEMO_EMAIL_DOMAIN, Role

CITY = "Bengaluru"
# (area, hospital name, latitude, longitude)
HOSPITALS = (
    ("Indiranagar", "Indiranagar City Hospital", 12.9784, 77.6408),
    ("Koramangala", "Koramangala General Hospital", 12.9352, 77.6245),
    ("Jayanagar", "Jayanagar Multispeciality Hospital", 12.9250, 77.5938),
    ("Malleshwaram", "Malleshwaram Care Hospital", 13.0031, 77.5643),
    ("Whitefield", "Whitefield Medical Centre", 12.9698, 77.7500),
    ("Hebbal", "Hebbal Lakeside Hospital", 13.0358, 77.5970),
    ("Yelahanka", "Yelahanka Community Hospital", 13.1007, 77.5963),
    ("Banashankari", "Banashankari Heart and Trauma Centre", 12.9255, 77.5468),
    ("Electronic City", "Electronic City Hospital", 12.8452, 77.6602),
    ("Marathahalli", "Marathahalli Sunrise Hospital", 12.9569, 77.7011),
    ("Rajajinagar", "Rajajinagar ESI Hospital", 12.9915, 77.5560),
    ("BTM Layout", "BTM Layout Family Hospital", 12.9166, 77.6101),
    ("HSR Layout", "HSR Layout Children's and General Hospital", 12.9116, 77.6389),
    ("Basavanagudi", "Basavanagudi Government Hospital", 12.9421, 77.5754),
    ("Yeshwanthpur", "Yeshwanthpur Railway Hospital", 13.0280, 77.5400),
    ("KR Puram", "KR Puram District Hospital", 13.0050, 77.6960),
    ("Bellandur", "Bellandur Lake View Hospital", 12.9260, 77.6762),
    ("Shivajinagar", "Shivajinagar Bowring Hospital", 12.9857, 77.6057),
    ("Vijayanagar", "Vijayanagar Health Centre", 12.9719, 77.5320),
    ("RT Nagar", "RT Nagar Maternity and General Hospital", 13.0213, 77.5951),
)


# Places people name, so a demo SOS's place is told in words (db/landmarks.py).
LANDMARKS = (
    ("Indiranagar Metro", "metro", 12.9783, 77.6385),
    ("MG Road Metro", "metro", 12.9755, 77.6067),
    ("Forum Mall, Koramangala", "mall", 12.9345, 77.6112),
    ("Silk Board Junction", "junction", 12.9177, 77.6238),
    ("Majestic Bus Station", "bus", 12.9767, 77.5713),
    ("Cubbon Park", "park", 12.9763, 77.5929),
    ("Lalbagh West Gate", "park", 12.9507, 77.5848),
    ("Hebbal Flyover", "junction", 13.0358, 77.5920),
    ("Marathahalli Bridge", "junction", 12.9561, 77.7010),
    ("ITPL Main Gate, Whitefield", "landmark", 12.9866, 77.7372),
    ("Electronic City Toll Plaza", "junction", 12.8491, 77.6630),
    ("Yeshwanthpur Railway Station", "rail", 13.0237, 77.5501),
)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    full_name: str
    hospital_index: int | None = None


DEMO_ACCOUNTS = (
    DemoAccount(Role.CITIZEN, f"citizen@{DEMO_EMAIL_DOMAIN}", "Citizen-demo-2026", "Asha Citizen"),
    DemoAccount(Role.HOSPITAL_ADMIN, f"admin.indiranagar@{DEMO_EMAIL_DOMAIN}", "Hospital-demo-2026",
                "Ravi Indiranagar Admin", 0),
    DemoAccount(Role.HOSPITAL_ADMIN, f"admin.koramangala@{DEMO_EMAIL_DOMAIN}", "Hospital-demo-2026",
                "Meera Koramangala Admin", 1),
    DemoAccount(Role.HEALTH_OFFICER, f"officer@{DEMO_EMAIL_DOMAIN}", "Officer-demo-2026",
                "Dr. Kiran Officer"),
    DemoAccount(Role.SUPER_ADMIN, f"superadmin@{DEMO_EMAIL_DOMAIN}", "Super-demo-2026",
                "Sam Superadmin"),
    DemoAccount(Role.DISPLAY, f"display@{DEMO_EMAIL_DOMAIN}", "Display-demo-2026",
                "Control room wall"),
)


def is_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def seed_demo(session: Session, *, now: datetime, seed: int = 2026) -> bool:
    """Fill an empty database; returns False (and does nothing) if any account exists."""
    if not is_empty(session):
        return False
    rng = random.Random(seed)
    bed_types = ensure_bed_types(session)
    hospitals: list[Hospital] = []
    for index, (area, name, lat, lon) in enumerate(HOSPITALS):
        on_diversion = index == 17
        hospital = Hospital(
            name=name,
            address=f"Main Road, {area}",
            city=CITY,
            latitude=lat,
            longitude=lon,
            phone=f"+91 80 4{index:03d} {rng.randint(1000, 9999)}",
            status="active",
            ems_status="closed" if on_diversion else "normal",
            ems_reason="Emergency department full" if on_diversion else "",
            ems_updated_at=now,
            created_at=now,
        )
        session.add(hospital)
        hospitals.append(hospital)
    session.add_all(Landmark(name=name, kind=kind, latitude=lat, longitude=lon, created_at=now)
                    for name, kind, lat, lon in LANDMARKS)
    session.flush()

    for index, hospital in enumerate(hospitals):
        # A few hospitals last updated hours ago, so the stale-figure flag has something to show.
        updated = now - timedelta(hours=3) if index in (5, 12) else now - timedelta(minutes=rng.randint(1, 20))
        for bed_type in bed_types:
            total = {"ICU": rng.randint(6, 30), "OXYGEN": rng.randint(10, 60)}.get(
                bed_type.code, rng.randint(40, 200)
            )
            available = 0 if index == 3 and bed_type.code == "ICU" else rng.randint(0, total // 2)
            session.add(HospitalBeds(hospital_id=hospital.id, bed_type_id=bed_type.id, total=total,
                                     available=available, version=1, updated_at=updated))
            session.add(BedHistory(hospital_id=hospital.id, bed_type_id=bed_type.id, total=total,
                                   available=available, changed_at=updated))
        for group in BLOOD_GROUPS:
            rare = group.endswith("-") or group.startswith("AB")
            units = rng.randint(0, 6) if rare else rng.randint(4, 40)
            session.add(BloodStock(hospital_id=hospital.id, blood_group=group,
                                   component="whole_blood", units=units,
                                   low_threshold=2 if rare else 8, updated_at=updated))
        prefix = HOSPITALS[index][0].replace(" ", "")[:3].upper()
        for number in range(1, rng.randint(2, 3) + 1):
            session.add(Ambulance(
                hospital_id=hospital.id,
                call_sign=f"{prefix}-{number}",
                registration_plate=f"KA-0{rng.randint(1, 5)}-{rng.choice('ABCDEFG')}"
                                   f"{rng.choice('ABCDEFG')}-{rng.randint(1000, 9999)}",
                level=("ALS", "BLS", "CCT")[number % 3],
                crew_contact=f"+91 9{rng.randint(100000000, 999999999)}",
                status="available",
                status_since=now,
                latitude=hospital.latitude,
                longitude=hospital.longitude,
                position_at=now,
                created_at=now,
            ))

    password_hashes: dict[str, str] = {}
    for account in DEMO_ACCOUNTS:
        if account.password not in password_hashes:
            password_hashes[account.password] = hash_password(account.password)
        session.add(User(
            email=account.email,
            password_hash=password_hashes[account.password],
            full_name=account.full_name,
            phone="+91 98450 00000" if account.role == Role.CITIZEN else None,
            role=account.role,
            status="active",
            hospital_id=hospitals[account.hospital_index].id
            if account.hospital_index is not None else None,
            session_token=secrets.token_hex(16),
            failed_login_count=0,
            created_at=now,
        ))
    session.flush()
    audit.record(session, actor=None, action="demo.seed", now=now,
                 detail={"hospitals": len(hospitals), "accounts": len(DEMO_ACCOUNTS)})
    return True

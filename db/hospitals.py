"""The hospital directory, and the bulk CSV import that onboards hospitals."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import audit
from db.errors import InvalidInput, NotFound
from db.geo import parse_coordinates
from db.models import HOSPITAL_STATUSES, Hospital, User
from db.models import Landmark as KnownPlace
from db.parse import text as read_text
from db.permissions import require_role
from db.users import clean_phone
from db.vocabulary import Role

# The directory is India's: a point outside this box is a geocoding error, not a hospital.
INDIA_BOUNDS = (6.0, 37.0, 68.0, 98.0)  # lat_min, lat_max, lon_min, lon_max
CSV_COLUMNS = ("Location_Coordinates", "Hospital_Name", "Address_Original_First_Line")


def list_active(session: Session) -> list[Hospital]:
    return list(
        session.execute(
            select(Hospital).where(Hospital.status == "active").order_by(Hospital.name)
        ).scalars()
    )


def get(session: Session, hospital_id: int) -> Hospital | None:
    return session.get(Hospital, hospital_id)


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    def summary(self) -> str:
        return (
            f"{self.read} rows read: {self.imported} imported, "
            f"{self.already_present} already present, {len(self.skipped)} skipped"
        )


def _import_key(name: str, address: str, lat: float, lon: float) -> str:
    normalised = "|".join([" ".join(name.lower().split()), " ".join(address.lower().split()),
                           f"{lat:.7f}", f"{lon:.7f}"])
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def import_csv(
    session: Session,
    source: TextIO | Iterable[str],
    *,
    now: datetime,
    bounds: tuple[float, float, float, float] = INDIA_BOUNDS,
) -> ImportReport:
    """Import hospitals from the National Hospital Directory format.

    Bad rows are skipped and reported with their line number; a row already imported (same
    name, address and point) is counted, not added again, so running twice is harmless.
    """
    report = ImportReport()
    reader = csv.DictReader(source)
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"the CSV has no column {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)}")
    existing = set(
        session.execute(select(Hospital.import_key).where(Hospital.import_key.is_not(None))).scalars()
    )
    seen_in_file: dict[str, int] = {}
    lat_min, lat_max, lon_min, lon_max = bounds
    for row in reader:
        report.read += 1
        line = reader.line_num
        name = " ".join((row.get("Hospital_Name") or "").split())
        address = " ".join((row.get("Address_Original_First_Line") or "").split())
        if not name:
            report.skipped.append((line, "no hospital name"))
            continue
        try:
            lat, lon = parse_coordinates(row.get("Location_Coordinates") or "")
        except InvalidInput as bad:
            report.skipped.append((line, f"coordinates {row.get('Location_Coordinates')!r}: {bad.message}"))
            continue
        if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
            report.skipped.append((line, f"coordinates {lat}, {lon} are outside the region"))
            continue
        key = _import_key(name, address, lat, lon)
        if key in seen_in_file:
            report.skipped.append((line, f"exact duplicate of line {seen_in_file[key]}"))
            continue
        seen_in_file[key] = line
        if key in existing:
            report.already_present += 1
            continue
        session.add(
            Hospital(
                name=name[:200],
                address=address[:300],
                city="",
                latitude=lat,
                longitude=lon,
                status="active",
                ems_status="normal",
                ems_reason="",
                import_key=key,
                created_at=now,
            )
        )
        report.imported += 1
    session.flush()
    audit.record(session, actor=None, action="hospital.import_csv", now=now,
                 target_type="hospital",
                 detail={"read": report.read, "imported": report.imported,
                         "already_present": report.already_present,
                         "skipped": len(report.skipped)})
    return report


@dataclass(frozen=True)
class Landmark:
    latitude: float
    longitude: float
    label: str


def locate_landmark(session: Session, text: str) -> Landmark | None:
    """An offline stand-in for geocoding: a landmark is matched against the hospital directory
    (names, addresses, cities), which covers the places people name in an emergency."""
    words = " ".join((text or "").split()).lower()
    if len(words) < 3:
        return None
    pattern = f"%{words}%"
    match = session.execute(
        select(Hospital)
        .where(Hospital.status == "active")
        .where(func.lower(Hospital.name).like(pattern) | func.lower(Hospital.address).like(pattern)
               | func.lower(Hospital.city).like(pattern))
        .order_by(func.length(Hospital.name))
        .limit(1)
    ).scalar_one_or_none()
    if match is None:
        # Then the imported landmarks (db/landmarks.py): "Indiranagar Metro", "Forum Mall".
        named = session.execute(
            select(KnownPlace).where(func.lower(KnownPlace.name).like(pattern))
            .order_by(func.length(KnownPlace.name)).limit(1)
        ).scalar_one_or_none()
        return Landmark(named.latitude, named.longitude, f"near {named.name}") if named else None
    return Landmark(match.latitude, match.longitude, f"near {match.name}, {match.address}".strip(", "))


# ---- directory management (super admin console) ---------------------------------------------

ADMIN_LIST_LIMIT = 1000
# What a super admin may correct in a directory entry (EMS status is each hospital's own).
EDITABLE_FIELDS = ("name", "address", "city", "phone", "latitude", "longitude", "status")


def _coordinate(value, field: str, label: str, limit: float) -> float:
    if isinstance(value, bool):
        value = None
    try:
        number = float(str(value).strip()) if value is not None and str(value).strip() != "" else None
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput(field, f"Enter the {label} as a number (for example {12.97 if limit == 90 else 77.59}).")
    if not -limit <= number <= limit:
        raise InvalidInput(field, f"The {label} must be between -{limit:g} and {limit:g}.")
    return number


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    cleaned = " ".join(str(value if value is not None else "").split())
    if required and not cleaned:
        raise InvalidInput(field, f"Enter the hospital's {label}.")
    if len(cleaned) > limit:
        raise InvalidInput(field, f"The {label} is limited to {limit} characters.")
    return cleaned


def _same_phone(given, stored: str | None) -> bool:
    return str(given if given is not None else "").strip() == (stored or "").strip()


def _existing(session: Session, hospital_id) -> Hospital:
    try:
        hospital = session.get(Hospital, int(hospital_id))
    except (TypeError, ValueError):
        hospital = None
    if hospital is None:
        raise NotFound("That hospital no longer exists.")
    return hospital


def edit_hospital(session: Session, *, actor: User, hospital_id: int, name: str, address: str,
                  city: str, phone: str | None, latitude, longitude, status: str,
                  now: datetime) -> Hospital:
    """A super admin corrects a directory entry, or activates / rejects a hospital.

    A hospital with active admins stays active: move or disable its admins first, so an active
    hospital admin is always bound to an active hospital. Nothing changed, nothing recorded."""
    require_role(actor, Role.SUPER_ADMIN)
    hospital = _existing(session, hospital_id)
    if status not in HOSPITAL_STATUSES:
        raise InvalidInput("status", "Choose active, proposed or rejected.")
    wanted = {
        "name": _text(name, "name", "name", 200, required=True),
        "address": _text(address, "address", "address", 300),
        "city": _text(city, "city", "city", 100),
        # A stored number is kept as it is; only a new one must look like a phone number.
        "phone": hospital.phone if _same_phone(phone, hospital.phone) else clean_phone(
            str(phone) if phone is not None else None),
        "latitude": _coordinate(latitude, "latitude", "latitude", 90),
        "longitude": _coordinate(longitude, "longitude", "longitude", 180),
        "status": status,
    }
    before = {field: getattr(hospital, field) for field in EDITABLE_FIELDS}
    changed = {field for field in EDITABLE_FIELDS if wanted[field] != before[field]}
    if not changed:
        return hospital
    if "status" in changed and hospital.status == "active":
        admins = admin_counts(session, [hospital.id]).get(hospital.id, 0)
        if admins:
            raise InvalidInput(
                "status", f"{hospital.name} has {admins} active hospital admin(s): bind them to "
                          "another hospital or disable them before it stops being active."
            )
    for name in changed:
        setattr(hospital, name, wanted[name])
    session.flush()
    audit.record(session, actor=actor, action="hospital.edit", now=now, target_type="hospital",
                 target_id=hospital.id,
                 detail={"before": {f: before[f] for f in sorted(changed)},
                         "after": {f: wanted[f] for f in sorted(changed)}})
    return hospital


def edit_hospital_field(session: Session, *, actor: User, hospital_id, field: str, value,
                        now: datetime) -> Hospital:
    """A super admin corrects one field of a directory entry (one cell of the console's grid).

    The other fields keep their stored values, so a stale copy of the row in someone's browser
    never overwrites a newer change made elsewhere. Only `EDITABLE_FIELDS` can be changed."""
    require_role(actor, Role.SUPER_ADMIN)
    if field not in EDITABLE_FIELDS:
        raise InvalidInput(str(field), "That column cannot be edited here.")
    hospital = _existing(session, hospital_id)
    values = {name: getattr(hospital, name) for name in EDITABLE_FIELDS}
    values[field] = value
    return edit_hospital(session, actor=actor, hospital_id=hospital.id, now=now, **values)


def admin_counts(session: Session, hospital_ids: Iterable[int]) -> dict[int, int]:
    """Active hospital admins per hospital."""
    hospital_ids = list(hospital_ids)
    if not hospital_ids:
        return {}
    rows = session.execute(
        select(User.hospital_id, func.count())
        .where(User.role == Role.HOSPITAL_ADMIN, User.status == "active",
               User.hospital_id.in_(hospital_ids))
        .group_by(User.hospital_id)
    )
    return {hospital_id: count for hospital_id, count in rows}


@dataclass(frozen=True)
class HospitalRow:
    hospital: Hospital
    admins: int


def list_for_admin(session: Session, *, actor: User, text: str = "", status: str = "") -> list[HospitalRow]:
    """Hospitals for the console's grid: proposed first, then by name (at most 1000), each with
    its number of active hospital admins. `text` matches name, address or city."""
    require_role(actor, Role.SUPER_ADMIN)
    query = select(Hospital).order_by((Hospital.status != "proposed"), func.lower(Hospital.name), Hospital.id)
    words = " ".join(read_text(text, "text", max_len=200, label="The search").split()).lower()
    status = read_text(status, "status", max_len=50, label="The status filter")
    if words:
        query = query.where(func.lower(Hospital.name).contains(words, autoescape=True)
                            | func.lower(Hospital.address).contains(words, autoescape=True)
                            | func.lower(Hospital.city).contains(words, autoescape=True))
    if status:
        query = query.where(Hospital.status == status)
    found = list(session.execute(query.limit(ADMIN_LIST_LIMIT)).scalars())
    counts = admin_counts(session, [h.id for h in found])
    return [HospitalRow(h, counts.get(h.id, 0)) for h in found]


def find_active(session: Session, text: str = "", *, limit: int = 30) -> list[Hospital]:
    """Active hospitals whose name or city contains `text` (any case), by name: a picker's
    options, without sending the whole directory to the browser."""
    query = (select(Hospital).where(Hospital.status == "active")
             .order_by(func.lower(Hospital.name), Hospital.id))
    words = " ".join((text or "").split()).lower()
    if words:
        query = query.where(func.lower(Hospital.name).contains(words, autoescape=True)
                            | func.lower(Hospital.city).contains(words, autoescape=True))
    return list(session.execute(query.limit(limit)).scalars())

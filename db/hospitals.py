"""The hospital directory, and the bulk CSV import that onboards hospitals."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import audit
from db.models import Hospital

# The directory is India's: a point outside this box is a geocoding error, not a hospital.
INDIA_BOUNDS = (6.0, 37.0, 68.0, 98.0)  # lat_min, lat_max, lon_min, lon_max
CSV_COLUMNS = ("Location_Coordinates", "Hospital_Name", "Address_Original_First_Line")


def list_active(session: Session) -> list[Hospital]:
    return list(
        session.execute(
            select(Hospital).where(Hospital.status == "active").order_by(Hospital.name)
        ).scalars()
    )


def get(session: Session, hospital_id: int) -> Optional[Hospital]:
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


def _parse_coordinates(value: str) -> tuple[float, float]:
    parts = [p.strip() for p in (value or "").split(",")]
    if len(parts) != 2:
        raise ValueError(f"coordinates {value!r} are not 'lat, lon'")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f"coordinates {value!r} are not numbers") from None
    if lat != lat or lon != lon:  # NaN
        raise ValueError(f"coordinates {value!r} are not numbers")
    return lat, lon


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
            lat, lon = _parse_coordinates(row.get("Location_Coordinates") or "")
        except ValueError as exc:
            report.skipped.append((line, str(exc)))
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


def locate_landmark(session: Session, text: str) -> Optional[Landmark]:
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
        return None
    return Landmark(match.latitude, match.longitude, f"near {match.name}, {match.address}".strip(", "))

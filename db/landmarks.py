"""An SOS's place in words a driver understands: "1.2 km NE of Indiranagar Metro".

Offline, from data the product holds: the landmarks table (imported from a CSV, seeded by the demo
city) and the hospital directory. The raw coordinates stay beside the words; this only adds a
name people know.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.geo import bearing_deg, bounding_box, compass_point, haversine_km, valid_point
from db.models import Hospital, Landmark

# Beyond this a landmark no longer helps a driver find the place.
NEAR_ENOUGH_KM = 5.0
# Within this the place is "at" the landmark.
AT_KM = 0.1
# How many candidates of each kind the bounding box may bring back before exact distances.
_CANDIDATES = 200


@dataclass(frozen=True)
class PlaceWords:
    """`text` is what a person reads: "1.2 km NE of Indiranagar Metro", "at Forum Mall", or ""
    when nothing known is near enough."""

    text: str
    landmark: str = ""
    distance_km: float | None = None
    compass: str = ""


def _nearest(session: Session, model, lat: float, lon: float) -> tuple[str, float, float, float] | None:
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, NEAR_ENOUGH_KM)
    query = select(model.name, model.latitude, model.longitude).where(
        model.latitude.between(lat_min, lat_max), model.longitude.between(lon_min, lon_max))
    if model is Hospital:
        query = query.where(Hospital.status == "active")
    best = None
    for name, p_lat, p_lon in session.execute(query.limit(_CANDIDATES)):
        km = haversine_km(p_lat, p_lon, lat, lon)
        if km <= NEAR_ENOUGH_KM and (best is None or km < best[1]):
            best = (name, km, p_lat, p_lon)
    return best


def describe_place(session: Session, latitude: float, longitude: float) -> PlaceWords:
    """The nearest named place (a landmark, else a hospital) with distance and compass point from
    it to the SOS."""
    if not valid_point(latitude, longitude):
        return PlaceWords("")
    found = [hit for hit in (_nearest(session, Landmark, latitude, longitude),
                             _nearest(session, Hospital, latitude, longitude)) if hit]
    if not found:
        return PlaceWords("")
    name, km, p_lat, p_lon = min(found, key=lambda hit: hit[1])
    if km < AT_KM:
        return PlaceWords(f"at {name}", name, km, "")
    compass = compass_point(bearing_deg(p_lat, p_lon, latitude, longitude))
    return PlaceWords(f"{km:.1f} km {compass} of {name}", name, km, compass)


# An SOS's place never moves, and landmarks change only by an import: each worker keeps the words
# it worked out for a while instead of asking the database on every redraw of a queue.
_CACHE_SECONDS = 600.0
_CACHE_SIZE = 5_000
_cache: dict[tuple[float, float], tuple[float, PlaceWords]] = {}


def forget_cached_places() -> None:
    """Drop the remembered words (landmarks changed; a test on a database of its own)."""
    _cache.clear()


def describe_place_cached(session: Session, latitude: float, longitude: float) -> PlaceWords:
    """`describe_place`, remembered per point by this worker for up to ten minutes."""
    key = (round(latitude, 5), round(longitude, 5))
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    words = describe_place(session, latitude, longitude)
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[key] = (now, words)
    return words


def map_links(latitude: float, longitude: float) -> tuple[str, str]:
    """(geo: URI, https maps link): the point opens in any maps app, or in a browser."""
    point = f"{latitude:.5f},{longitude:.5f}"
    return f"geo:{point}?q={point}", f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}#map=17/{point.replace(',', '/')}"


# ---- import --------------------------------------------------------------------------------

CSV_COLUMNS = ("name", "latitude", "longitude")


@dataclass
class ImportSummary:
    added: int = 0
    already_there: int = 0
    refused: list[str] | None = None


def _row_key(name: str, lat: float, lon: float) -> str:
    return hashlib.sha256(f"{name.lower()}|{lat:.5f}|{lon:.5f}".encode()).hexdigest()


def import_csv(session: Session, text: str, *, now: datetime) -> ImportSummary:
    """Landmarks from a CSV with columns name, latitude, longitude (and optionally kind). A row that
    cannot be read is reported by its line number and skipped; importing the same file twice adds
    nothing."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("file", f"The CSV needs the columns {', '.join(CSV_COLUMNS)}; "
                                   f"missing: {', '.join(missing)}.")
    summary = ImportSummary(refused=[])
    known = set(session.execute(select(Landmark.import_key).where(Landmark.import_key.is_not(None))).scalars())
    for line, row in enumerate(reader, start=2):
        name = " ".join((row.get("name") or "").split())[:200]
        try:
            lat, lon = float(row.get("latitude") or ""), float(row.get("longitude") or "")
        except ValueError:
            lat = lon = float("nan")
        if not name or not valid_point(lat, lon):
            summary.refused.append(f"line {line}: needs a name and a valid latitude and longitude")
            continue
        key = _row_key(name, lat, lon)
        if key in known:
            summary.already_there += 1
            continue
        known.add(key)
        session.add(Landmark(name=name, kind=(row.get("kind") or "").strip()[:40], latitude=lat,
                             longitude=lon, import_key=key, created_at=now))
        summary.added += 1
    session.flush()
    forget_cached_places()
    return summary

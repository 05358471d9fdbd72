"""Great-circle distance and the bounding box that pre-filters nearby searches."""

from __future__ import annotations

import math

from db.errors import N_, InvalidInput

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) containing every point within radius_km.

    Near the poles the longitude span opens to the whole circle; across the antimeridian the box
    is widened to all longitudes rather than split (rare for this product, and still correct)."""
    dlat = radius_km / _KM_PER_DEGREE_LAT
    lat_min, lat_max = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    cos_lat = math.cos(math.radians(max(abs(lat_min), abs(lat_max))))
    if cos_lat < 1e-6:
        return lat_min, lat_max, -180.0, 180.0
    dlon = radius_km / (_KM_PER_DEGREE_LAT * cos_lat)
    lon_min, lon_max = lon - dlon, lon + dlon
    if lon_min < -180.0 or lon_max > 180.0:
        return lat_min, lat_max, -180.0, 180.0
    return lat_min, lat_max, lon_min, lon_max


def valid_point(lat: float, lon: float) -> bool:
    return (
        isinstance(lat, (int, float)) and isinstance(lon, (int, float))
        and not math.isnan(lat) and not math.isnan(lon)
        and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0
    )


def parse_coordinates(text: str, *, field: str = "coordinates") -> tuple[float, float]:
    """"12.9716, 77.5946" -> (12.9716, 77.5946), or a message fit for the person who typed it."""
    parts = [p for p in (text or "").replace(";", ",").split(",") if p.strip()]
    if len(parts) != 2:
        raise InvalidInput(field, N_("Type two numbers: latitude, longitude (e.g. 12.9716, 77.5946)."))
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise InvalidInput(field, N_("Coordinates must be numbers, e.g. 12.9716, 77.5946.")) from None
    if not valid_point(lat, lon):
        raise InvalidInput(field, N_("Latitude is -90 to 90 and longitude -180 to 180."))
    return lat, lon


_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, 0-360 degrees clockwise from north."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlambda = math.radians(lon2 - lon1)
    x = math.sin(dlambda) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlambda)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def compass_point(bearing: float) -> str:
    """The nearest of the eight compass points a driver uses: 44° is NE, 350° is N."""
    return _COMPASS[int(((bearing % 360.0) + 22.5) // 45.0) % 8]

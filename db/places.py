"""Resolving "where is this person" for the search pages (typed text wins over the browser)."""

from __future__ import annotations

from db import hospitals
from db.errors import InvalidInput
from db.geo import parse_coordinates


def resolve_place(session, position, place_text, default_center):
    """Returns (lat, lon, description, problem)."""
    text = (place_text or "").strip()
    if text:
        if any(ch.isdigit() for ch in text) and "," in text:
            try:
                lat, lon = parse_coordinates(text)
                return lat, lon, f"from {lat:.4f}, {lon:.4f}", None
            except InvalidInput as bad:
                return default_center[0], default_center[1], "from the city centre", bad.message
        found = hospitals.locate_landmark(session, text)
        if found is not None:
            return found.latitude, found.longitude, found.label, None
        return default_center[0], default_center[1], "from the city centre", \
            f"We could not find “{text}”. Showing distances from the city centre."
    if position and position.get("lat") is not None:
        return position["lat"], position["lon"], "from your location", None
    return default_center[0], default_center[1], "from the city centre (allow location for yours)", None

"""Where is this person? The rules that turn what a page was told (the browser's position, a tap
on the map, typed coordinates, a landmark) into one point.

Two rules, for two situations:
- `sos_location`: sending an SOS. What the person told us most explicitly wins (a tap, typed
  numbers, a landmark, then GPS), and a place we cannot read or find is refused at its field.
- `resolve_place`: the search pages (beds, blood). Typed text wins over the browser, and
  anything unreadable falls back to the city centre with a note: a search must always answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from db import hospitals
from db.errors import N_, InvalidInput
from db.geo import parse_coordinates, valid_point
from db.parse import text as read_text


@dataclass(frozen=True)
class SosPlace:
    """Where an SOS is sent from. `latitude`/`longitude` are None when nothing was given
    (creating the SOS refuses that with its own message)."""

    latitude: float | None
    longitude: float | None
    source: str  # how we know: "map", "typed", "landmark" or "gps"
    text: str = ""  # the landmark found, as people read it
    accuracy_m: float | None = None  # the browser's estimate, for GPS only


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_point(position: dict | None) -> bool:
    """The browser's position ({lat, lon, accuracy}) when it is one: anything else is no position."""
    return (isinstance(position, dict) and _number(position.get("lat")) and _number(position.get("lon"))
            and valid_point(position["lat"], position["lon"])
            and (position.get("accuracy") is None or _number(position["accuracy"])))


def sos_location(session, *, picked: dict | None = None, coordinates: str | None = None,
                 landmark: str | None = None, position: dict | None = None) -> SosPlace:
    """What the person told us most explicitly wins: a tap on the map, typed numbers, a landmark,
    then the browser's GPS. Raises InvalidInput at "coordinates" or "landmark" when what was
    typed cannot be read or found."""
    if picked:
        return SosPlace(picked["lat"], picked["lon"], "map")
    if (coordinates or "").strip():
        lat, lon = parse_coordinates(coordinates)
        return SosPlace(lat, lon, "typed")
    if (landmark or "").strip():
        found = hospitals.locate_landmark(session, landmark)
        if found is None:
            raise InvalidInput("landmark", N_("We could not find “%(place)s”. Try a nearby hospital or "
                                              "area name, or type coordinates."), place=landmark.strip())
        return SosPlace(found.latitude, found.longitude, "landmark", found.label)
    if _has_point(position):
        return SosPlace(position["lat"], position["lon"], "gps", accuracy_m=position.get("accuracy"))
    return SosPlace(None, None, "gps")


def resolve_place(session, position, place_text, default_center):
    """Returns (lat, lon, description, problem)."""
    try:
        text = read_text(place_text, "place", max_len=200, label="The place").strip()
    except InvalidInput as bad:
        return default_center[0], default_center[1], "from the city centre", bad.message
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
    if _has_point(position):
        return position["lat"], position["lon"], "from your location", None
    return default_center[0], default_center[1], "from the city centre (allow location for yours)", None

"""Sketch maps: a few points around a centre, drawn as a small inline SVG without tiles.

Where a real map costs too much (25 waiting cards on a queue that polls every 0.75 s; the
citizen's tracking page on a 3G budget), a sketch shows what matters at a glance: the centre (the
hospital, or the caller), the other points at their true bearing and distance, north up, a scale
ring and a scale bar. `sketch` computes the geometry once, here, as plain numbers; the queue's
waiting cards draw it in the browser (assets/queue.js, `miniMap`), the tracking page in its
template (templates/citizen/_track_map.html). Every sketch comes with its text alternative.
"""

from __future__ import annotations

import math

from db.geo import bearing_deg, compass_point, haversine_km

SIZE = 120  # the viewBox is SIZE × SIZE, the centre in its middle
MIDDLE = SIZE / 2
REACH = 44  # pixels from the centre to the farthest point
# Scale lengths a person reads at a glance (km).
NICE_KM = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
NEAREST_KM = 0.2  # a sketch never zooms in further than this radius (points on top of each other)


def offset_km(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> tuple[float, float]:
    """(east, north) of the second point from the first, in km, along the great circle."""
    distance = haversine_km(from_lat, from_lon, to_lat, to_lon)
    if distance == 0:
        return 0.0, 0.0
    bearing = math.radians(bearing_deg(from_lat, from_lon, to_lat, to_lon))
    return distance * math.sin(bearing), distance * math.cos(bearing)


def scale_label(km: float) -> str:
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:g} km"


def where_words(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> str:
    """"2.6 km NE", "300 m S", "here": the second point from the first, as a driver says it."""
    distance = haversine_km(from_lat, from_lon, to_lat, to_lon)
    if distance < 0.05:
        return "here"
    where = compass_point(bearing_deg(from_lat, from_lon, to_lat, to_lon))
    return f"{round(distance * 1000, -1):.0f} m {where}" if distance < 1 else f"{distance:.1f} km {where}"


def sketch(centre: tuple[float, float], points: list[tuple[float, float] | None]) -> dict:
    """The geometry of a sketch map around `centre` (lat, lon), in a SIZE × SIZE viewBox:
    {"points": [[x, y] or None, …] in the order given, "ring": the scale ring's radius (px),
    "scale": its length in words ("1 km")}. The farthest point sits REACH px from the centre;
    the ring is the largest round distance inside it, so "inside the ring" reads "nearer than"."""
    offsets = [offset_km(*centre, *p) if p is not None else None for p in points]
    far = max([math.hypot(*o) for o in offsets if o is not None] + [NEAREST_KM])
    km_per_px = far / REACH
    ring_km = max([k for k in NICE_KM if k <= far] or [NICE_KM[0]])
    return {
        "points": [[round(MIDDLE + o[0] / km_per_px, 1), round(MIDDLE - o[1] / km_per_px, 1)] if o is not None
                   else None for o in offsets],
        "ring": round(ring_km / km_per_px, 1),
        "scale": scale_label(ring_km),
    }


def caller_and_unit(caller: tuple[float, float], unit: tuple[float, float]) -> dict:
    """The tracking page's sketch (templates/citizen/_track_map.html): the caller in the middle,
    their own ambulance at its true bearing and distance; `where` is "1.2 km NE" (of the caller).
    Labels sit on the side away from the edge so they stay inside the picture."""
    drawn = sketch(caller, [unit])
    x, y = drawn["points"][0]
    return {"unit": [x, y], "ring": drawn["ring"], "scale": drawn["scale"],
            "where": where_words(*caller, *unit),
            "label_x": x - 9 if x > MIDDLE else x + 9, "label_anchor": "end" if x > MIDDLE else "start",
            "label_y": y + 4, "you_y": MIDDLE + 19 if y < MIDDLE else MIDDLE - 12}

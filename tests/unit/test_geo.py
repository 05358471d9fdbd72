"""Great-circle distance and the bounding box."""

import random

import pytest

from db.geo import bounding_box, haversine_km

# Known distances (great-circle, mean Earth radius).
KNOWN = [
    ((28.6139, 77.2090), (19.0760, 72.8777), 1148),  # New Delhi - Mumbai
    ((12.9716, 77.5946), (13.0827, 80.2707), 290),  # Bengaluru - Chennai
    ((51.5074, -0.1278), (48.8566, 2.3522), 344),  # London - Paris
]


@pytest.mark.parametrize("a,b,km", KNOWN)
def test_known_distances(a, b, km):
    assert haversine_km(*a, *b) == pytest.approx(km, abs=3)


def test_distance_is_symmetric_and_zero_at_a_point():
    assert haversine_km(12.0, 77.0, 12.0, 77.0) == 0
    assert haversine_km(10, 70, 11, 71) == pytest.approx(haversine_km(11, 71, 10, 70))


@pytest.mark.parametrize("lat", [0.0, 12.97, 45.0, 70.0, -33.9])
def test_bounding_box_contains_every_point_within_radius(lat):
    rng = random.Random(lat)
    lon, radius = 77.0, 25.0
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, radius)
    for _ in range(2000):
        p_lat = lat + rng.uniform(-1, 1)
        p_lon = lon + rng.uniform(-1.5, 1.5)
        if haversine_km(lat, lon, p_lat, p_lon) <= radius:
            assert lat_min <= p_lat <= lat_max and lon_min <= p_lon <= lon_max


def test_bounding_box_near_the_pole_spans_all_longitudes():
    assert bounding_box(89.9, 10.0, 50.0)[2:] == (-180.0, 180.0)

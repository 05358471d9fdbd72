"""The compressed bodies a worker keeps: the wall feed's, which change with every view, neither push
the component libraries out nor grow past their own limit (web_rss_mb in the README's benchmarks)."""

from auth import compression
from auth.compression import FEED_KEY_PREFIX


def test_the_wall_feeds_bodies_never_push_the_libraries_out_and_stay_within_their_limit():
    cache = compression._SharedBodies()
    library = "br;/_dash-component-suites/dash/dcc/dash_core_components.v2_0_0m0123456789ab.js"
    cache.set(library, b"L" * 2**20)
    body = 100 * 2**10
    # A day of wall views: far more feed bodies than both limits together.
    for view in range((compression.CACHE_BYTES + compression.FEED_CACHE_BYTES) // body + 50):
        cache.set(f"br;{FEED_KEY_PREFIX}{view:032x}", bytes([view % 256]) * body)
    assert cache.get(library) == b"L" * 2**20
    kept = [view for view in range(400) if cache.get(f"br;{FEED_KEY_PREFIX}{view:032x}") is not None]
    assert 0 < len(kept) * body <= compression.FEED_CACHE_BYTES
    last = (compression.CACHE_BYTES + compression.FEED_CACHE_BYTES) // body + 49
    assert cache.get(f"gzip;{FEED_KEY_PREFIX}{last:032x}") is None  # each encoding its own entry
    assert cache.get(f"br;{FEED_KEY_PREFIX}{last:032x}") == bytes([last % 256]) * body  # the latest kept

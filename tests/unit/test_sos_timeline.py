"""The citizen's timeline: an entry from another day shows its date."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from components.sos import timeline

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def _times(ol) -> list[str]:
    return [item.children[0].children for item in ol.children]


def test_timeline_dates_entries_not_from_today():
    entries = [SimpleNamespace(at=NOW - timedelta(days=1), text="SOS sent"),
               SimpleNamespace(at=NOW - timedelta(minutes=5), text="Accepted")]
    assert _times(timeline(entries, NOW)) == ["27/11/2026, 13:30", "13:25:00"]

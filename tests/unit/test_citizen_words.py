"""Times on the citizen's pages, the Indian way: 24-hour, the configured zone, the date when not today."""

from datetime import UTC, datetime

from web.citizen_words import when


def test_today_shows_the_time_and_another_day_its_date_first():
    now = datetime(2026, 12, 2, 13, 35, tzinfo=UTC)  # 19:05 in Kolkata
    assert when(now, now) == "19:05"
    assert when(now, now, seconds=True) == "19:05:00"
    assert when(datetime(2026, 12, 1, 13, 35, tzinfo=UTC), now) == "01/12/2026, 19:05"
    assert when(None, now) == "—"

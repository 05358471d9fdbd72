"""How times and durations read."""

from datetime import UTC, datetime, timedelta

from components.format import ago, duration, letter_article, local_time, moment, plural

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_local_time_is_india_standard_time_by_default():
    assert local_time(NOW) == "13:30:00"
    assert local_time(None) == "—"


def test_ago_and_duration_read_plainly():
    assert ago(NOW - timedelta(seconds=42), NOW) == "42 s ago"
    assert ago(NOW - timedelta(minutes=7, seconds=5), NOW) == "7 min ago"
    assert ago(NOW - timedelta(hours=3, minutes=4), NOW) == "3 h 4 min ago"
    assert ago(None, NOW) == "never"
    assert duration(timedelta(seconds=75)) == "1 min 15 s"


def test_counts_agree_with_their_noun():
    assert plural(1, "answer") == "1 answer"
    assert plural(0, "answer") == "0 answers"
    assert plural(3, "unit") == "3 units"
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(2, "entry", "entries") == "2 entries"
    assert ago(NOW - timedelta(days=1, hours=2), NOW) == "1 day ago"
    assert ago(NOW - timedelta(days=3), NOW) == "3 days ago"


def test_blood_groups_take_the_article_they_are_read_with():
    assert [f"for {letter_article(g)} patient" for g in ("O-", "A+", "AB-", "B+")] == [
        "for an O- patient", "for an A+ patient", "for an AB- patient", "for a B+ patient"]


def test_a_moment_carries_its_date_unless_it_is_today_in_india():
    assert moment(NOW - timedelta(hours=2), NOW) == "11:30:00"
    # 18:00 UTC yesterday is 23:30 yesterday in India; 19:00 UTC yesterday is already today there.
    assert moment(datetime(2026, 11, 27, 18, 0, tzinfo=UTC), NOW) == "27 Nov 23:30:00"
    assert moment(datetime(2026, 11, 27, 19, 0, tzinfo=UTC), NOW) == "00:30:00"
    assert moment(None, NOW) == "—"

"""How times, durations and counts read: the Indian way (dd/mm/yyyy, 24-hour, 1,00,000)."""

from datetime import UTC, date, datetime, timedelta

from components.format import ago, count, duration, letter_article, local_date, local_time, moment, plural

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_local_time_is_india_standard_time_by_default():
    assert local_time(NOW) == "13:30:00"
    assert local_time(None) == "—"


def test_dates_are_day_month_year_with_a_24_hour_clock():
    # The format changed on purpose (issue 16): "02/12/2026, 19:05", not "02 Dec 19:05:00".
    assert local_time(datetime(2026, 12, 2, 13, 35, 42, tzinfo=UTC), with_date=True) == "02/12/2026, 19:05"
    assert local_time(datetime(2026, 12, 2, 0, 0, tzinfo=UTC), with_date=True) == "02/12/2026, 05:30"
    assert local_date(date(2026, 1, 9)) == "09/01/2026"
    # A moment late in the evening in UTC is already the next day in India.
    assert local_date(datetime(2026, 12, 1, 20, 0, tzinfo=UTC)) == "02/12/2026"
    assert local_date(None) == "—"


def test_counts_are_grouped_the_indian_way():
    assert [count(n) for n in (7, 1_000, 99_999, 1_00_000, 1_23_45_678)] == [
        "7", "1,000", "99,999", "1,00,000", "1,23,45,678"]
    assert plural(1_00_000, "person", "people") == "1,00,000 people"


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
    assert moment(datetime(2026, 11, 27, 18, 0, tzinfo=UTC), NOW) == "27/11/2026, 23:30"
    assert moment(datetime(2026, 11, 27, 19, 0, tzinfo=UTC), NOW) == "00:30:00"
    assert moment(None, NOW) == "—"

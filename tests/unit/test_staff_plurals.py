"""Counts on the staff screens read right for one and for many ("1 answer", "2 answers"), through
ngettext, so a catalog can give each language its own plural forms."""

from datetime import UTC, datetime

from components.feedback import weekly_chart
from db.feedback import WeekPoint

WEEK = datetime(2026, 11, 2, tzinfo=UTC)


def test_the_feedback_chart_says_one_answer_and_two_answers():
    figure = weekly_chart([WeekPoint(WEEK, 4.0, 1), WeekPoint(WEEK.replace(day=9), 3.5, 2),
                           WeekPoint(WEEK.replace(day=16), 5.0, 1_00_000)], "Average answer per week")
    assert list(figure.data[0].text) == ["1 answer", "2 answers", "1,00,000 answers"]

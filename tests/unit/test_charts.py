"""The officer's and the hospitals' charts: sensible time axes, titles clear of Plotly's toolbar."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pandas as pd

from components import charts
from components.feedback import weekly_chart

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def _span(axis) -> timedelta:
    low, high = (pd.Timestamp(v) for v in axis.range)
    return high - low


def test_one_week_of_feedback_shows_days_not_milliseconds():
    figure = weekly_chart([SimpleNamespace(week_start=NOW - timedelta(days=3), average=4.0, count=1)], "Weekly")
    assert _span(figure.layout.xaxis) == timedelta(days=14)
    assert figure.layout.xaxis.type == "date"
    two = weekly_chart([SimpleNamespace(week_start=NOW - timedelta(days=d), average=4.0, count=1) for d in (3, 10)],
                       "Weekly")
    assert two.layout.xaxis.range is None  # two points: Plotly's own range is fine


def test_the_trend_always_spans_its_window():
    point = SimpleNamespace(at=NOW, code="ICU", name="ICU", available=3)
    figure = charts.bed_trend([point], "Free beds", since=NOW - timedelta(days=1), now=NOW)
    assert _span(figure.layout.xaxis) == timedelta(days=1)
    assert _span(charts.bed_trend([], "Free beds", since=NOW - timedelta(days=7), now=NOW).layout.xaxis) == \
        timedelta(days=7)


def test_titles_sit_below_the_toolbar_band():
    figures = [charts.beds_by_type([SimpleNamespace(name="ICU", total=4, available=1)]),
               charts.blood_shortages({"O-": 1}),
               charts.bed_trend([], "Free beds", since=NOW - timedelta(days=1), now=NOW),
               weekly_chart([], "Weekly")]
    for figure in figures:
        title = figure.layout.title
        assert (title.yref, title.y, title.yanchor, title.xanchor) == ("container", 1, "top", "left")
        assert title.pad.t >= charts.MODEBAR_PX
        # The title's band (its pad and one line of text) fits in the top margin, above the plot.
        assert figure.layout.margin.t >= title.pad.t + 30

"""The officer's performance figures: each hospital's row of the per-hospital table, built from
the query rows (db.metrics.HospitalFigures) through a DataFrame."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from components.charts import frame
from components.format import duration

COLUMNS = [
    {"field": "hospital", "headerName": "Hospital", "flex": 2, "minWidth": 200},
    {"field": "offered", "headerName": "Offered", "width": 110},
    {"field": "accepted", "headerName": "Accepted", "width": 110},
    {"field": "declined", "headerName": "Declined", "width": 110},
    {"field": "rate", "headerName": "Acceptance", "width": 130},
    {"field": "median_accept", "headerName": "Median time to accept", "width": 200},
    {"field": "feedback", "headerName": "Feedback (1–5)", "width": 150},
]
NONE = "—"


def seconds_text(seconds) -> str:
    """A number of seconds as a duration people read; a dash when there is none."""
    return NONE if seconds is None or pd.isna(seconds) else duration(timedelta(seconds=seconds))


def _feedback_text(average, count) -> str:
    return NONE if pd.isna(average) else f"{average:.1f} ({count})"


def hospital_rows(figures) -> list[dict]:
    """The table's rows (its COLUMNS' fields), in the order of `figures`."""
    table = frame(figures, ["name", "offered", "accepted", "declined", "acceptance_rate", "median_accept_seconds",
                            "feedback_average", "feedback_count"])
    rows = pd.DataFrame({
        "hospital": table["name"],
        "offered": table["offered"],
        "accepted": table["accepted"],
        "declined": table["declined"],
        "rate": table["acceptance_rate"].map(lambda rate: NONE if pd.isna(rate) else f"{rate:.0%}"),
        "median_accept": table["median_accept_seconds"].map(seconds_text),
        "feedback": [_feedback_text(a, c) for a, c in zip(table["feedback_average"], table["feedback_count"],
                                                             strict=True)],
    })
    return rows.to_dict("records")

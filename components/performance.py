"""The officer's performance figures: each hospital's row of the per-hospital table, built from
the query rows (db.metrics.HospitalFigures) through a DataFrame."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from components.charts import frame
from components.format import duration
from components.i18n import _


def columns() -> list[dict]:
    """The per-hospital table's columns, headed in the page's language."""
    return [
        {"field": "hospital", "headerName": _("Hospital"), "flex": 2, "minWidth": 200},
        {"field": "offered", "headerName": _("Offered"), "width": 110},
        {"field": "accepted", "headerName": _("Accepted"), "width": 110},
        {"field": "declined", "headerName": _("Declined"), "width": 110},
        {"field": "rate", "headerName": _("Acceptance"), "width": 130},
        {"field": "median_accept", "headerName": _("Median time to accept"), "width": 200},
        {"field": "feedback", "headerName": _("Feedback (1–5)"), "width": 150},
    ]
NONE = "—"


def seconds_text(seconds) -> str:
    """A number of seconds as a duration people read; a dash when there is none."""
    return NONE if seconds is None or pd.isna(seconds) else duration(timedelta(seconds=seconds))


def _feedback_text(average, count) -> str:
    return NONE if pd.isna(average) else f"{average:.1f} ({count})"


def hospital_rows(figures) -> list[dict]:
    """The table's rows (the fields of its `columns()`), in the order of `figures`."""
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

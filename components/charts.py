"""Plotly figures for the officer's region charts, drawn from query rows through a DataFrame.
`uirevision` keeps a person's zoom and legend choices across the automatic refreshes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go

from components.format import to_local
from components.i18n import _

# Plotly's toolbar (the mode bar) floats over the top right of a chart, about 30 px high. Titles
# sit in a band below it, from the left, so no toolbar ever covers one.
MODEBAR_PX = 32
LAYOUT = dict(margin=dict(l=40, r=10, t=MODEBAR_PX + 40, b=40), height=340, template="plotly_white",
              legend=dict(orientation="h", y=-0.2))


def title(text: str) -> dict:
    """A chart title placed under the toolbar's band."""
    return dict(text=text, x=0, xref="paper", xanchor="left", y=1, yref="container", yanchor="top",
                pad=dict(t=MODEBAR_PX))


def time_axis(moments, *, pad: timedelta) -> dict:
    """An x axis of local times. With fewer than two distinct moments Plotly would zoom to a few
    milliseconds around the point: show `pad` either side of it instead."""
    distinct = set(moments)
    if len(distinct) != 1:
        return dict(type="date")
    (centre,) = distinct
    return dict(type="date", range=[centre - pad, centre + pad])


def frame(rows, columns: list[str]) -> pd.DataFrame:
    """Query rows (objects with these attributes) as a table; its columns exist even with no rows."""
    return pd.DataFrame([[getattr(row, column) for column in columns] for row in rows], columns=columns)


def beds_by_type(figures) -> go.Figure:
    beds = frame(figures, ["name", "total", "available"])
    free, occupied = beds["available"].tolist(), (beds["total"] - beds["available"]).tolist()
    figure = go.Figure([
        go.Bar(name=_("Free"), x=beds["name"].tolist(), y=free, marker_color="#198754", text=free, textposition="auto"),
        go.Bar(name=_("Occupied"), x=beds["name"].tolist(), y=occupied, marker_color="#adb5bd"),
    ])
    figure.update_layout(barmode="stack", title=title(_("Beds across the region")), uirevision="beds", **LAYOUT)
    return figure


def blood_shortages(shortages: dict[str, int]) -> go.Figure:
    figure = go.Figure(go.Bar(x=list(shortages), y=list(shortages.values()), marker_color="#dc3545",
                              text=list(shortages.values()), textposition="auto"))
    figure.update_layout(title=title(_("Hospitals at or below their low-stock level, by group")), uirevision="blood",
                         yaxis=dict(rangemode="tozero", dtick=1), **LAYOUT)
    return figure


def bed_trend(points, heading: str, *, since: datetime, now: datetime) -> go.Figure:
    """One step line of free beds per bed type, in the order the types first appear, over the
    whole window (a series of one point still shows the window, not milliseconds)."""
    figure = go.Figure()
    for _code, series in frame(points, ["code", "name", "at", "available"]).groupby("code", sort=False):
        figure.add_trace(go.Scatter(x=[to_local(at) for at in series["at"]], y=series["available"].tolist(),
                                    name=_("%(name)s free", name=series['name'].iloc[0]), mode="lines", line_shape="hv"))
    figure.update_layout(title=title(heading), uirevision="trend", yaxis=dict(rangemode="tozero"),
                         xaxis=dict(type="date", range=[to_local(since), to_local(now)]), **LAYOUT)
    return figure

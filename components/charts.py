"""Plotly figures for the officer's region charts, drawn from query rows through a DataFrame.
`uirevision` keeps a person's zoom and legend choices across the automatic refreshes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.format import to_local

LAYOUT = dict(margin=dict(l=40, r=10, t=40, b=40), height=320, template="plotly_white",
              legend=dict(orientation="h", y=-0.2))


def frame(rows, columns: list[str]) -> pd.DataFrame:
    """Query rows (objects with these attributes) as a table; its columns exist even with no rows."""
    return pd.DataFrame([[getattr(row, column) for column in columns] for row in rows], columns=columns)


def beds_by_type(figures) -> go.Figure:
    beds = frame(figures, ["name", "total", "available"])
    free, occupied = beds["available"].tolist(), (beds["total"] - beds["available"]).tolist()
    figure = go.Figure([
        go.Bar(name="Free", x=beds["name"].tolist(), y=free, marker_color="#198754", text=free, textposition="auto"),
        go.Bar(name="Occupied", x=beds["name"].tolist(), y=occupied, marker_color="#adb5bd"),
    ])
    figure.update_layout(barmode="stack", title="Beds across the region", uirevision="beds", **LAYOUT)
    return figure


def blood_shortages(shortages: dict[str, int]) -> go.Figure:
    figure = go.Figure(go.Bar(x=list(shortages), y=list(shortages.values()), marker_color="#dc3545",
                              text=list(shortages.values()), textposition="auto"))
    figure.update_layout(title="Hospitals at or below their low-stock level, by group", uirevision="blood",
                         yaxis=dict(rangemode="tozero", dtick=1), **LAYOUT)
    return figure


def bed_trend(points, title: str) -> go.Figure:
    """One step line of free beds per bed type, in the order the types first appear."""
    figure = go.Figure()
    for _code, series in frame(points, ["code", "name", "at", "available"]).groupby("code", sort=False):
        figure.add_trace(go.Scatter(x=[to_local(at) for at in series["at"]], y=series["available"].tolist(),
                                    name=f"{series['name'].iloc[0]} free", mode="lines", line_shape="hv"))
    figure.update_layout(title=title, uirevision="trend", yaxis=dict(rangemode="tozero"), **LAYOUT)
    return figure

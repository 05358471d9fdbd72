"""Plotly figures for the officer's region charts. `uirevision` keeps a person's zoom and
legend choices across the automatic refreshes."""

from __future__ import annotations

import plotly.graph_objects as go

from components.format import to_local

LAYOUT = dict(margin=dict(l=40, r=10, t=40, b=40), height=320, template="plotly_white",
              legend=dict(orientation="h", y=-0.2))


def beds_by_type(figures) -> go.Figure:
    names = [f.name for f in figures]
    figure = go.Figure([
        go.Bar(name="Free", x=names, y=[f.available for f in figures], marker_color="#198754",
               text=[f.available for f in figures], textposition="auto"),
        go.Bar(name="Occupied", x=names, y=[f.total - f.available for f in figures], marker_color="#adb5bd"),
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
    figure = go.Figure()
    for code in dict.fromkeys(p.code for p in points):
        series = [p for p in points if p.code == code]
        figure.add_trace(go.Scatter(x=[to_local(p.at) for p in series], y=[p.available for p in series],
                                    name=f"{series[0].name} free", mode="lines", line_shape="hv"))
    figure.update_layout(title=title, uirevision="trend", yaxis=dict(rangemode="tozero"), **LAYOUT)
    return figure

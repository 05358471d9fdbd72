"""Builders for capacity screens: bed editor cards, figure lines with staleness, search results."""

from __future__ import annotations

from datetime import datetime, timedelta

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.format import ago, count, local_date, local_time
from components.i18n import _
from components.shell import dom_id


class ID:
    """Ids of a bed type's editor card; pass `ALL` or `MATCH` for the code (and delta) to listen
    to every card or to the one pressed."""

    @staticmethod
    def card(code: str) -> str:
        return f"bed-card-{code}"

    @staticmethod
    def now(code) -> dict:
        """The figures as stored ("4 free of 10 · updated …")."""
        return {"type": "bed-now", "code": code}

    @staticmethod
    def total(code) -> dict:
        return {"type": "bed-total", "code": code}

    @staticmethod
    def available(code) -> dict:
        return {"type": "bed-available", "code": code}

    @staticmethod
    def save(code) -> dict:
        return {"type": "bed-save", "code": code}

    @staticmethod
    def step(code, delta) -> dict:
        """−1 (a patient in) or +1 (a bed freed)."""
        return {"type": "bed-step", "code": code, "delta": delta}

    @staticmethod
    def message(code) -> dict:
        return {"type": "bed-message", "code": code}

    @staticmethod
    def version(code) -> dict:
        """The version of the figures this editor last filled in: a save is based on it."""
        return {"type": "bed-version", "code": code}


STALE_STYLE = "text-muted stale"


def figure_line(figure, now: datetime, stale_after: timedelta) -> html.Span:
    """"4 free of 10 · updated 12 min ago", greyed and flagged once older than stale_after."""
    if figure.updated_at is None:
        return html.Span(_("No figures yet"), className=STALE_STYLE)
    stale = now - figure.updated_at > stale_after
    return html.Span(
        [html.Strong(count(figure.available), className="fs-4"),
         " " + _("free of %(total)s · updated %(ago)s", total=count(figure.total), ago=ago(figure.updated_at, now))]
        + ([" ", dbc.Badge(_("STALE"), color="secondary", className="ms-1")] if stale else []),
        className=STALE_STYLE if stale else "",
        title=_("Last updated %(time)s", time=local_time(figure.updated_at, with_date=True)),
    )


def bed_editor_card(figure) -> dbc.Card:
    code = figure.code
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(f"{figure.name} beds", className="h5"),
                html.Div(id=ID.now(code), className="mb-2"),
                dbc.Row([
                    dbc.Col([dbc.Label("Total", html_for=dom_id(ID.total(code))),
                             dbc.Input(id=ID.total(code), value=figure.total, type="text",
                                       inputMode="numeric", size="lg")]),
                    dbc.Col([dbc.Label("Free now", html_for=dom_id(ID.available(code))),
                             dbc.Input(id=ID.available(code), value=figure.available,
                                       type="text", inputMode="numeric", size="lg")]),
                ]),
                dbc.Button("Save", id=ID.save(code), color="danger", size="lg",
                           className="mt-2 me-2"),
                html.Div(
                    [
                        dbc.Button("−1 patient in", id=ID.step(code, -1),
                                   color="secondary", outline=True, className="me-2 mt-2"),
                        dbc.Button("+1 bed freed", id=ID.step(code, 1),
                                   color="secondary", outline=True, className="mt-2"),
                    ],
                    className="d-inline-block",
                ),
                html.Div(id=ID.message(code), className="mt-2"),
                dcc.Store(id=ID.version(code), data=figure.version),
            ]
        ),
        className="h-100 shadow-sm",
        id=ID.card(code),
    )


BLOOD_COLUMNS = [
    {"field": "group", "headerName": "Group", "width": 100},
    {"field": "units", "headerName": "Units", "width": 100,
     "cellClassRules": {"text-danger fw-bold": "params.data.low"}},
    {"field": "threshold", "headerName": "Low below", "width": 120},
    {"field": "expiry", "headerName": "Earliest expiry", "width": 160},
    {"field": "updated", "headerName": "Updated", "flex": 1},
]


def blood_rows(stock, now: datetime) -> list[dict]:
    return [
        {
            "group": row.blood_group,
            "units": row.units,
            "threshold": row.low_threshold,
            "low": row.units <= row.low_threshold,
            "expiry": local_date(row.earliest_expiry) if row.earliest_expiry else "",
            "updated": ago(row.updated_at, now) if row.updated_at else "never",
        }
        for row in stock
    ]

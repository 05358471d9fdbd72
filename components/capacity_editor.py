"""The hospital's own capacity editors (/hospital/capacity): a bed type's card (total, free,
save, steppers) and the blood stock grid. Staff words only; the figure line they show is
components/capacity.py's, shared with the citizen's search."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.capacity import ID
from components.format import ago, local_date
from components.i18n import _
from components.shell import dom_id


def bed_editor_card(figure) -> dbc.Card:
    code = figure.code
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(_("%(name)s beds", name=figure.name), className="h5"),
                html.Div(id=ID.now(code), className="mb-2"),
                dbc.Row([
                    dbc.Col([dbc.Label(_("Total"), html_for=dom_id(ID.total(code))),
                             dbc.Input(id=ID.total(code), value=figure.total, type="text",
                                       inputMode="numeric", size="lg")]),
                    dbc.Col([dbc.Label(_("Free now"), html_for=dom_id(ID.available(code))),
                             dbc.Input(id=ID.available(code), value=figure.available,
                                       type="text", inputMode="numeric", size="lg")]),
                ]),
                dbc.Button(_("Save"), id=ID.save(code), color="danger", size="lg",
                           className="mt-2 me-2"),
                html.Div(
                    [
                        dbc.Button(_("−1 patient in"), id=ID.step(code, -1),
                                   color="secondary", outline=True, className="me-2 mt-2"),
                        dbc.Button(_("+1 bed freed"), id=ID.step(code, 1),
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


def blood_columns() -> list[dict]:
    """The blood grid's columns, headed in the page's language."""
    return [
        {"field": "group", "headerName": _("Group"), "width": 100},
        {"field": "units", "headerName": _("Units"), "width": 100,
         "cellClassRules": {"text-danger fw-bold": "params.data.low"}},
        {"field": "threshold", "headerName": _("Low below"), "width": 120},
        {"field": "expiry", "headerName": _("Earliest expiry"), "width": 160},
        {"field": "updated", "headerName": _("Updated"), "flex": 1},
    ]


def blood_rows(stock, now: datetime) -> list[dict]:
    return [
        {
            "group": row.blood_group,
            "units": row.units,
            "threshold": row.low_threshold,
            "low": row.units <= row.low_threshold,
            "expiry": local_date(row.earliest_expiry) if row.earliest_expiry else "",
            "updated": ago(row.updated_at, now) if row.updated_at else _("never"),
        }
        for row in stock
    ]

"""KPI cards, notices and page headers."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import html

from components.format import count, local_time
from components.i18n import _


class ID:
    FORBIDDEN = "forbidden"
    LAST_UPDATED = "last-updated"

    @staticmethod
    def kpi(label: str) -> str:
        return f"kpi-{label.lower().replace(' ', '-')}"


def page_header(title: str, subtitle: str = "") -> html.Div:
    return html.Div(
        [html.H1(title, className="h2 mb-1"),
         html.P(subtitle, className="text-muted fs-5 mb-3") if subtitle else None],
    )


def kpi_card(label: str, value: object, *, detail: str = "", color: str = "light",
             card_id: str | None = None) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(label, className="text-uppercase small fw-semibold"),
                # A count reads the Indian way (1,00,000); anything else as it is given.
                html.Div(count(value) if isinstance(value, int) and not isinstance(value, bool) else str(value),
                         className="display-6 fw-bold kpi-value"),
                html.Div(detail, className="small") if detail else None,
            ]
        ),
        color=color,
        className="h-100 shadow-sm",
        id=card_id or ID.kpi(label),
    )


def kpi_row(cards: list) -> dbc.Row:
    return dbc.Row([dbc.Col(c, xs=6, md=4, xl=3, className="mb-3") for c in cards])


def forbidden() -> dbc.Alert:
    return dbc.Alert(
        [html.H1(_("You do not have access to this page"), className="h4"),
         html.P(_("Your account's role cannot open it. Use the menu above to go to your pages."),
                className="mb-0 fs-5")],
        color="warning",
        id=ID.FORBIDDEN,
    )


def last_updated(at: datetime, *, element_id: str | None = None) -> html.Small:
    return html.Small(
        _("Last updated %(time)s", time=local_time(at)),
        className="text-muted last-updated",
        id=element_id or ID.LAST_UPDATED,
    )

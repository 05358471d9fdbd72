"""Health officer dashboard: the region at a glance, live."""

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import db_session
from auth.roles import allowed_roles
from components import charts
from components.cards import ID as CardsID
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.format import count
from components.i18n import N_, _
from db import blood, capacity
from db.clock import utcnow
from db.vocabulary import Role


class ID:
    SUMMARY = "officer-summary"
    REFRESH = "officer-refresh"
    BEDS_CHART = "officer-beds-chart"
    BLOOD_CHART = "officer-blood-chart"
    TREND_RANGE = "officer-trend-range"
    TREND_CHART = "officer-trend-chart"
    EXPORT_HAVE = "export-have"
    EXPORT_CSV = "export-csv"
    KPI_HOSPITALS = "kpi-hospitals"
    KPI_DIVERSION = "kpi-diversion"
    KPI_ADVISORY = "kpi-advisory"


dash.register_page(__name__, path="/officer", title=N_("Health officer"),
                   allowed_roles=(Role.HEALTH_OFFICER,), nav_label=N_("Region"), nav_order=0)


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Region overview"), _("Capacity across all hospitals, live.")),
            html.Div(id=ID.SUMMARY),
            dbc.Row([
                dbc.Col(dcc.Graph(id=ID.BEDS_CHART, config={"displaylogo": False}), lg=6),
                dbc.Col(dcc.Graph(id=ID.BLOOD_CHART, config={"displaylogo": False}), lg=6),
            ]),
            dbc.RadioItems(id=ID.TREND_RANGE, value="day", inline=True, className="fs-5",
                           options=[{"label": _("Last day"), "value": "day"}, {"label": _("Last week"), "value": "week"}]),
            dcc.Graph(id=ID.TREND_CHART, config={"displaylogo": False}),
            html.Div([
                html.A(_("Download availability (EDXL-HAVE XML)"), href="/export/have.xml", className="btn btn-outline-secondary me-2 mb-2",
                       id=ID.EXPORT_HAVE, target="_blank"),
                html.A(_("Download availability (CSV)"), href="/export/capacity.csv", className="btn btn-outline-secondary mb-2",
                       id=ID.EXPORT_CSV),
            ], className="my-3"),
            dcc.Interval(id=ID.REFRESH, interval=15_000),
        ]
    )


@callback(
    Output(ID.SUMMARY, "children"),
    Output(ID.BEDS_CHART, "figure"),
    Output(ID.BLOOD_CHART, "figure"),
    Output(ID.TREND_CHART, "figure"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.TREND_RANGE, "value"),
)
@allowed_roles(Role.HEALTH_OFFICER)
def refresh_officer_dashboard(_n, trend_range):
    now = utcnow()
    span = timedelta(days=7) if trend_range == "week" else timedelta(days=1)
    with db_session() as session:
        beds = capacity.region_bed_totals(session)
        ems = capacity.hospitals_by_ems_status(session)
        shortages = blood.region_shortages(session)
        trend = capacity.region_bed_trend(session, since=now - span, now=now)
    summary = [
        kpi_row(
            [kpi_card(_("Hospitals"), sum(ems.values()), card_id=ID.KPI_HOSPITALS),
             kpi_card(_("On diversion"), ems.get("closed", 0), card_id=ID.KPI_DIVERSION,
                      color="danger" if ems.get("closed") else "light"),
             kpi_card(_("On advisory"), ems.get("advisory", 0), card_id=ID.KPI_ADVISORY,
                      color="warning" if ems.get("advisory") else "light")]
            + [kpi_card(_("%(name)s beds free", name=b.name), b.available, detail=_("of %(total)s", total=count(b.total)),
                        card_id=CardsID.kpi(f"{b.name} beds free")) for b in beds]
        ),
        last_updated(now),
    ]
    title = _("Free beds over the last week") if trend_range == "week" else _("Free beds over the last day")
    return summary, charts.beds_by_type(beds), charts.blood_shortages(shortages), charts.bed_trend(trend, title, since=now - span, now=now)

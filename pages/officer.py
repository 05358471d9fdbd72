"""Health officer dashboard: the region at a glance."""

import dash
from dash import Input, Output, callback, dcc, html

from auth.roles import allowed_roles
from auth.context import db_session
from components import ids
from components.cards import kpi_card, kpi_row, last_updated, not_available_yet, page_header
from db import blood, capacity
from db.clock import utcnow

dash.register_page(__name__, path="/officer", title="Health officer",
                   allowed_roles=("health_officer",), nav_label="Region", nav_order=0)


def layout(**kwargs):
    return html.Div(
        [
            page_header("Region overview", "Capacity across all hospitals, live."),
            html.Div(id=ids.OFFICER_SUMMARY),
            dcc.Interval(id=ids.OFFICER_REFRESH, interval=15_000),
            not_available_yet("Public alerts and first-aid guidance",
                              "Publish CAP 1.2 alerts and edit guidance."),
        ]
    )


@callback(Output(ids.OFFICER_SUMMARY, "children"), Input(ids.OFFICER_REFRESH, "n_intervals"))
@allowed_roles("health_officer")
def refresh_officer_dashboard(_n):
    now = utcnow()
    with db_session() as session:
        beds = capacity.region_bed_totals(session)
        ems = capacity.hospitals_by_ems_status(session)
        shortages = blood.region_shortages(session)
    return [
        kpi_row(
            [kpi_card("Hospitals", sum(ems.values()), card_id="kpi-hospitals"),
             kpi_card("On diversion", ems.get("closed", 0), card_id="kpi-diversion",
                      color="danger" if ems.get("closed") else "light")]
            + [kpi_card(f"{b.name} beds free", b.available, detail=f"of {b.total}")
               for b in beds]
        ),
        html.H2("Hospitals low on blood, by group", className="h5"),
        kpi_row([kpi_card(group, count, color="warning" if count else "light",
                          card_id=f"kpi-shortage-{group}") for group, count in shortages.items()]),
        last_updated(now),
    ]

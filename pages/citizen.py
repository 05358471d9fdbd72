"""Citizen dashboard: where a citizen lands after login."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_login import current_user

from auth.context import db_session
from auth.roles import allowed_roles
from components import ids
from components.cards import kpi_card, kpi_row, last_updated, not_available_yet, page_header
from db import capacity
from db.clock import utcnow

dash.register_page(__name__, path="/citizen", title="My HealthFirst",
                   allowed_roles=("citizen",), nav_label="Home", nav_order=0)


def layout(**kwargs):
    name = current_user.full_name if current_user.is_authenticated else ""
    return html.Div(
        [
            page_header(f"Hello, {name}", "Help in an emergency, and where beds are free."),
            dbc.Alert(
                [html.Strong("In a life-threatening emergency call 112 now. "),
                 "HealthFirst's one-press SOS is coming in the next version."],
                color="danger", className="fs-4", id="citizen-emergency-note",
            ),
            not_available_yet("Emergency SOS",
                              "Send an SOS with your location to the nearest hospitals and follow "
                              "the ambulance live."),
            html.H2("Beds free across the city", className="h4 mt-4"),
            html.Div(id=ids.CITIZEN_SUMMARY),
            dcc.Interval(id=ids.CITIZEN_REFRESH, interval=15_000),
            not_available_yet("Bed and blood search",
                              "Find the nearest hospital with a free bed or compatible blood."),
        ]
    )


@callback(Output(ids.CITIZEN_SUMMARY, "children"), Input(ids.CITIZEN_REFRESH, "n_intervals"))
@allowed_roles("citizen")
def refresh_citizen_dashboard(_n):
    now = utcnow()
    with db_session() as session:
        beds = capacity.region_bed_totals(session)
    cards = [kpi_card(f"{b.name} beds free", b.available, detail=f"of {b.total}",
                      color="success" if b.available else "danger") for b in beds]
    return [kpi_row(cards), last_updated(now)]

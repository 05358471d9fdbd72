"""Hospital admin dashboard: the admin's own hospital at a glance."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import ids
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.format import ago
from db import blood, capacity, dispatch, hospitals
from db import sos as sos_ops
from db.clock import utcnow
from db.vocabulary import Role

dash.register_page(__name__, path="/hospital", title="Hospital dashboard",
                   allowed_roles=(Role.HOSPITAL_ADMIN,), nav_label="Dashboard", nav_order=0)

EMS_LABEL = {"normal": "Normal", "advisory": "Advisory", "closed": "Closed (diversion)"}


def layout(**kwargs):
    return html.Div(
        [
            html.Div(id=ids.HOSPITAL_SUMMARY),
            dcc.Interval(id=ids.HOSPITAL_REFRESH, interval=10_000),
            html.Div([
                dbc.Button("Open the SOS queue", href="/hospital/queue", color="danger", size="lg",
                           className="me-2 mb-2", id="go-queue"),
                dbc.Button("Manage ambulances", href="/hospital/ambulances", color="secondary", size="lg",
                           className="me-2 mb-2", id="go-ambulances"),
                dbc.Button("Update beds and blood", href="/hospital/capacity", color="success", size="lg",
                           className="mb-2", id="go-capacity"),
            ], className="mb-3"),
        ]
    )


@callback(Output(ids.HOSPITAL_SUMMARY, "children"), Input(ids.HOSPITAL_REFRESH, "n_intervals"))
@allowed_roles(Role.HOSPITAL_ADMIN)
def refresh_hospital_dashboard(_n):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        hospital = hospitals.get(session, actor.hospital_id)
        beds = capacity.beds_of_hospital(session, actor=actor, hospital_id=hospital.id)
        units = dispatch.units_by_status(session, actor=actor, hospital_id=hospital.id)
        stock = blood.units_by_group(session, actor=actor, hospital_id=hospital.id)
        waiting = len(sos_ops.hospital_queue(session, actor=actor))
        active = len(sos_ops.hospital_active(session, actor=actor))
    bed_cards = [
        kpi_card(f"{b.name} beds free", b.available,
                 detail=f"of {b.total} · updated {ago(b.updated_at, now)}",
                 color="success" if b.available else "danger")
        for b in beds
    ]
    unit_total = sum(units.values())
    ems_color = {"normal": "success", "advisory": "warning", "closed": "danger"}[hospital.ems_status]
    return [
        page_header(hospital.name, f"{hospital.address} · {hospital.phone or 'no phone on file'}"),
        kpi_row(
            [kpi_card("SOS waiting for you", waiting, color="danger" if waiting else "light",
                      card_id="kpi-sos-waiting"),
             kpi_card("Emergencies you hold", active, card_id="kpi-sos-active"),
             kpi_card("EMS status", EMS_LABEL[hospital.ems_status],
                      detail=hospital.ems_reason, color=ems_color, card_id="kpi-ems-status"),
             kpi_card("Ambulances available", units.get("available", 0),
                      detail=f"of {unit_total} in service", card_id="kpi-ambulances")]
            + bed_cards
        ),
        html.H2("Blood stock (units)", className="h5 mt-2"),
        kpi_row([kpi_card(group, units_, color="warning" if units_ <= 2 else "light",
                          card_id=f"kpi-blood-{group}") for group, units_ in stock.items()]),
        last_updated(now),
    ]

"""Hospital admin dashboard: the admin's own hospital at a glance."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from auth.callback_types import shaped
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import ID as CardsID
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.format import ago, count
from components.i18n import N_, _, ngettext
from components.shell import announce
from db import blood, capacity, dispatch, hospitals
from db import sos as sos_ops
from db.clock import utcnow
from db.vocabulary import Role

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital", title=N_("Hospital dashboard"),
                   allowed_roles=ROLES, nav_label=N_("Dashboard"), nav_order=0)


class ID:
    SUMMARY = "hospital-summary"
    REFRESH = "hospital-refresh"
    GO_QUEUE = "go-queue"
    GO_AMBULANCES = "go-ambulances"
    GO_CAPACITY = "go-capacity"
    KPI_WAITING = "kpi-sos-waiting"
    KPI_ACTIVE = "kpi-sos-active"
    KPI_EMS = "kpi-ems-status"
    KPI_AMBULANCES = "kpi-ambulances"
    WAITING_SEEN = "hospital-waiting-seen"

    @staticmethod
    def kpi_blood(group: str) -> str:
        return f"kpi-blood-{group}"


EMS_COLORS = {"normal": "success", "advisory": "warning", "closed": "danger"}


def layout(**kwargs):
    return html.Div(
        [
            html.Div(id=ID.SUMMARY),
            dcc.Interval(id=ID.REFRESH, interval=10_000),
            dcc.Store(id=ID.WAITING_SEEN),
            html.Div([
                dbc.Button(_("Open the SOS queue"), href="/hospital/queue", color="danger", size="lg",
                           className="me-2 mb-2", id=ID.GO_QUEUE),
                dbc.Button(_("Manage ambulances"), href="/hospital/ambulances", color="secondary", size="lg",
                           className="me-2 mb-2", id=ID.GO_AMBULANCES),
                dbc.Button(_("Update beds and blood"), href="/hospital/capacity", color="success", size="lg",
                           className="mb-2", id=ID.GO_CAPACITY),
            ], className="mb-3"),
        ]
    )


@callback(Output(ID.SUMMARY, "children"), Output(ID.WAITING_SEEN, "data"), Input(ID.REFRESH, "n_intervals"),
          State(ID.WAITING_SEEN, "data"))
@allowed_roles(*ROLES)
def refresh_hospital_dashboard(_n, waiting_seen):
    waiting_seen = shaped(waiting_seen, int, None)  # the count this screen last showed, if any
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
        kpi_card(_("%(name)s beds free", name=b.name), b.available,
                 detail=_("of %(total)s · updated %(ago)s", total=count(b.total), ago=ago(b.updated_at, now)),
                 color="success" if b.available else "danger", card_id=CardsID.kpi(f"{b.name} beds free"))
        for b in beds
    ]
    unit_total = sum(units.values())
    if waiting_seen is not None and waiting > waiting_seen:
        # Read out once, politely, when more SOS wait than the screen showed (not on every refresh).
        announce(ngettext("New SOS: %(count)s SOS waiting for you. Open the SOS queue to answer.",
                          "New SOS: %(count)s SOS waiting for you. Open the SOS queue to answer.", waiting,
                          count=count(waiting)))
    return [
        page_header(hospital.name, f"{hospital.address} · {hospital.phone or _('no phone on file')}"),
        kpi_row(
            [kpi_card(_("SOS waiting for you"), waiting, color="danger" if waiting else "light",
                      card_id=ID.KPI_WAITING),
             kpi_card(_("Emergencies you hold"), active, card_id=ID.KPI_ACTIVE),
             kpi_card(_("EMS status"), _(capacity.EMS_LABELS[hospital.ems_status]),
                      detail=hospital.ems_reason, color=EMS_COLORS[hospital.ems_status], card_id=ID.KPI_EMS),
             kpi_card(_("Ambulances available"), units.get("available", 0),
                      detail=_("of %(total)s in service", total=count(unit_total)), card_id=ID.KPI_AMBULANCES)]
            + bed_cards
        ),
        html.H2(_("Blood stock (units)"), className="h5 mt-2"),
        kpi_row([kpi_card(group, units_, color="warning" if units_ <= 2 else "light",
                          card_id=ID.kpi_blood(group)) for group, units_ in stock.items()]),
        last_updated(now),
    ], waiting

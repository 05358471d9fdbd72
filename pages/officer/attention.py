"""Health officer: SOS no hospital accepted in time, and those marked unanswered, with who was
offered and who declined."""

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components.cards import last_updated, page_header
from components.format import duration, local_time
from components.sos import status_badge
from db import sos as sos_ops
from db.clock import utcnow
from db.vocabulary import PRIORITY_LABELS, SOS_STATUS_LABELS, Role, sos_number


class ID:
    LIST = "attention-list"
    EMPTY = "attention-empty"
    REFRESH = "attention-refresh"

    @staticmethod
    def card(sos_id: int) -> str:
        return f"attention-{sos_id}"


dash.register_page(__name__, path="/officer/attention", title="SOS needing attention",
                   allowed_roles=(Role.HEALTH_OFFICER, Role.SUPER_ADMIN), nav_label="Unanswered SOS", nav_order=1)

OFFER_LABELS = {"offered": "no answer yet", "declined": "declined", "withdrawn": "withdrawn",
                "accepted": "accepted", "expired": "expired"}


def layout(**kwargs):
    return html.Div(
        [
            page_header("SOS needing attention",
                        "Not accepted within the target time, or unanswered after every ring of hospitals."),
            html.Div(id=ID.LIST),
            dcc.Interval(id=ID.REFRESH, interval=3_000),
        ]
    )


def _card(item, now):
    sos = item.sos
    offers = [
        html.Li(f"{o.hospital} ({o.distance_km:.1f} km, ring {o.ring + 1}): {OFFER_LABELS.get(o.status, o.status)}",
                className="text-danger" if o.status == "declined" else "")
        for o in item.offers
    ] or [html.Li("No hospital in reach could take this emergency.")]
    return dbc.Card(dbc.CardBody([
        html.Div([html.Span(sos_number(sos.id), className="fs-4 fw-bold me-2"),
                  status_badge(sos.status, SOS_STATUS_LABELS[sos.status])]),
        html.Div([f"Waiting {duration(item.waiting)} (sent {local_time(sos.created_at)}) · ",
                  sos_ops.EMERGENCY_TYPES[sos.emergency_type].label if sos.emergency_type else "type not given",
                  f" · {PRIORITY_LABELS[sos.priority]}"], className="fs-5 text-danger fw-semibold"),
        html.Div(f"Location {sos.latitude:.5f}, {sos.longitude:.5f}" + (f" ({sos.location_text})" if sos.location_text else "")),
        html.Div(f"Note: {sos.note}", className="text-muted") if sos.note else None,
        html.H3("Offered to", className="h6 mt-2"),
        html.Ul(offers),
    ]), className="mb-2 border-danger attention-card", id=ID.card(sos.id))


@callback(Output(ID.LIST, "children"), Input(ID.REFRESH, "n_intervals"))
@allowed_roles(Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
def refresh_attention(_n):
    now = utcnow()
    config = state()["config"]
    with db_session() as session:
        items = sos_ops.needing_attention(session, actor=actor_in(session), now=now,
                                          late_after=timedelta(seconds=config.sos_escalate_seconds))
        cards = [_card(item, now) for item in items]
    if not cards:
        cards = [dbc.Alert("Every SOS has been answered in time.", color="success", className="fs-5",
                           id=ID.EMPTY)]
    return cards + [last_updated(now)]

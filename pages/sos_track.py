"""Citizen: follow one SOS live, from sent to resolved; cancel until the ambulance is there."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import ids
from components.cards import last_updated
from db.dispatch import UNIT_STATUS_LABELS
from components.sos import cancel_control, sos_number, status_badge, timeline
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import DomainError

dash.register_page(__name__, path_template="/citizen/sos/<sos_id>", title="Your SOS",
                   allowed_roles=("citizen",))


def layout(sos_id=None, **kwargs):
    try:
        number = int(sos_id)
    except (TypeError, ValueError):
        return dbc.Alert("That is not an SOS number.", color="warning", className="fs-5")
    return html.Div(
        [
            dcc.Store(id=ids.TRACK_SOS_ID, data=number),
            dbc.Alert(id=ids.TRACK_MESSAGE, is_open=False, className="fs-5"),
            html.Div(id=ids.TRACK_BODY, children=html.P("Loading your SOS…", className="fs-5")),
            dcc.Interval(id=ids.TRACK_REFRESH, interval=2_000),
        ]
    )


def _body(view, now):
    sos = view.sos
    parts = [
        html.H1(sos_number(sos.id), className="h2 mb-1"),
        status_badge(sos.status, sos_ops.STATUS_LABELS[sos.status], element_id="track-status"),
    ]
    if view.hospital is not None:
        phone = view.hospital.phone or ""
        parts.append(dbc.Card(dbc.CardBody([
            html.Div("Hospital", className="text-uppercase small fw-semibold"),
            html.Div(view.hospital.name, className="fs-4 fw-bold", id="track-hospital"),
            html.Div(f"{view.distance_km:.1f} km from you" if view.distance_km is not None else ""),
            html.A(f"Call {phone}", href=f"tel:{phone.replace(' ', '')}", className="btn btn-outline-primary btn-lg mt-2",
                   id="track-call") if phone else None,
        ]), className="mt-3"))
    elif sos.status == "pending":
        parts.append(html.P(f"Offered to {view.offered_count} nearby hospital(s). Waiting for one to accept…",
                            className="fs-5 mt-3", id="track-waiting"))
    if view.ambulance is not None:
        unit = view.ambulance
        parts.append(dbc.Card(dbc.CardBody([
            html.Div("Ambulance", className="text-uppercase small fw-semibold"),
            html.Div(f"{unit.call_sign} · {unit.registration_plate}".strip(" ·"), className="fs-4 fw-bold",
                     id="track-ambulance"),
            html.Div(UNIT_STATUS_LABELS.get(unit.status, unit.status), id="track-ambulance-status"),
        ]), className="mt-2"))
    parts.append(html.H2("What has happened", className="h5 mt-3"))
    parts.append(timeline(view.timeline))
    if view.can_cancel:
        parts.append(html.Div(cancel_control(sos.id), className="mt-3"))
    parts.append(last_updated(now))
    return parts


@callback(
    Output(ids.TRACK_BODY, "children"),
    Output(ids.TRACK_MESSAGE, "children"),
    Output(ids.TRACK_MESSAGE, "color"),
    Output(ids.TRACK_MESSAGE, "is_open"),
    Input(ids.TRACK_REFRESH, "n_intervals"),
    Input({"type": ids.TRACK_CANCEL, "sos": ALL}, "submit_n_clicks"),
    State(ids.TRACK_SOS_ID, "data"),
)
@allowed_roles("citizen")
def refresh_tracking(_n, cancel_clicks, sos_id):
    now = utcnow()
    message, color, show = dash.no_update, dash.no_update, dash.no_update
    with db_session() as session:
        actor = actor_in(session)
        if isinstance(ctx.triggered_id, dict) and any(cancel_clicks or ()):
            try:
                with session.begin_nested():
                    sos_ops.cancel_sos(session, actor=actor, sos_id=int(sos_id), now=now)
                message, color, show = "Your SOS is cancelled. Press SOS again if you need help.", "secondary", True
            except DomainError as error:
                message, color, show = error.message, "danger", True
        try:
            view = sos_ops.tracking(session, actor=actor, sos_id=int(sos_id))
        except DomainError as error:
            return dbc.Alert(error.message, color="warning", className="fs-5", id="track-not-found"), \
                message, color, show
        return _body(view, now), message, color, show

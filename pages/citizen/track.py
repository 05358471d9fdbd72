"""Citizen: follow one SOS live, from sent to resolved; cancel until the ambulance is there."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html

from auth.actions import act
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import feedback as feedback_ui
from components import sos as sos_ui
from components.cards import last_updated
from components.triggers import pressed
from db import feedback
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import DomainError
from db.parse import record_id
from db.vocabulary import SOS_STATUS_LABELS, UNIT_STATUS_LABELS, Role, sos_number

dash.register_page(__name__, path_template="/citizen/sos/<sos_id>", title="Your SOS",
                   allowed_roles=(Role.CITIZEN,))


class ID:
    SOS_ID = "track-sos-id"
    REFRESH = "track-refresh"
    CHANGED = "track-changed"  # bumped by an action: the body refreshes at once
    MESSAGE = "track-message"
    BODY = "track-body"
    NOT_FOUND = "track-not-found"
    STATUS = "track-status"
    HOSPITAL = "track-hospital"
    CALL = "track-call"
    WAITING = "track-waiting"
    AMBULANCE = "track-ambulance"
    AMBULANCE_STATUS = "track-ambulance-status"


def layout(sos_id=None, **kwargs):
    try:
        number = int(sos_id)
    except (TypeError, ValueError):
        return dbc.Alert("That is not an SOS number.", color="warning", className="fs-5")
    return html.Div(
        [
            dcc.Store(id=ID.SOS_ID, data=number),
            dcc.Store(id=ID.CHANGED),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5"),
            html.Div(id=ID.BODY, children=html.P("Loading your SOS…", className="fs-5")),
            # Feedback, once resolved: outside the refreshing body so typing is never overwritten.
            html.Div(id=feedback_ui.ID.AREA),
            dcc.Store(id=feedback_ui.ID.SHOWN),
            dcc.Interval(id=ID.REFRESH, interval=2_000),
        ]
    )


def _body(view, now):
    sos = view.sos
    parts = [
        html.H1(sos_number(sos.id), className="h2 mb-1"),
        sos_ui.status_badge(sos.status, SOS_STATUS_LABELS[sos.status], element_id=ID.STATUS),
    ]
    if view.hospital is not None:
        phone = view.hospital.phone or ""
        parts.append(dbc.Card(dbc.CardBody([
            html.Div("Hospital", className="text-uppercase small fw-semibold"),
            html.Div(view.hospital.name, className="fs-4 fw-bold", id=ID.HOSPITAL),
            html.Div(f"{view.distance_km:.1f} km from you" if view.distance_km is not None else ""),
            html.A(f"Call {phone}", href=f"tel:{phone.replace(' ', '')}", className="btn btn-outline-primary btn-lg mt-2",
                   id=ID.CALL) if phone else None,
        ]), className="mt-3"))
    elif sos.status == "pending":
        count = view.offered_count
        waiting = (f"Offered to {count} nearby hospital{'' if count == 1 else 's'}. Waiting for one to accept…"
                   if count else "Finding the nearest hospitals that can help…")
        parts.append(html.P(waiting, className="fs-5 mt-3", id=ID.WAITING))
    if view.ambulance is not None:
        unit = view.ambulance
        parts.append(dbc.Card(dbc.CardBody([
            html.Div("Ambulance", className="text-uppercase small fw-semibold"),
            html.Div(f"{unit.call_sign} · {unit.registration_plate}".strip(" ·"), className="fs-4 fw-bold",
                     id=ID.AMBULANCE),
            html.Div(UNIT_STATUS_LABELS.get(unit.status, unit.status), id=ID.AMBULANCE_STATUS),
        ]), className="mt-2"))
    parts.append(html.H2("What has happened", className="h5 mt-3"))
    parts.append(sos_ui.timeline(view.timeline, now))
    if view.can_cancel:
        parts.append(html.Div(sos_ui.cancel_control(sos.id), className="mt-3"))
    parts.append(last_updated(now))
    return parts


@callback(
    Output(ID.BODY, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.CHANGED, "data"),
    State(ID.SOS_ID, "data"),
)
@allowed_roles(Role.CITIZEN)
def refresh_tracking(_n, _changed, sos_id):
    now = utcnow()
    with db_session() as session:
        try:
            view = sos_ops.tracking(session, actor=actor_in(session), sos_id=record_id(sos_id))
        except DomainError as error:
            return dbc.Alert(error.message, color="warning", className="fs-5", id=ID.NOT_FOUND)
        return _body(view, now)


@callback(
    Output(ID.MESSAGE, "children"),
    Output(ID.MESSAGE, "color"),
    Output(ID.MESSAGE, "is_open"),
    Output(ID.CHANGED, "data"),
    Input(sos_ui.ID.cancel(ALL), "submit_n_clicks"),
    State(ID.SOS_ID, "data"),
    prevent_initial_call=True,
)
@allowed_roles(Role.CITIZEN)
def cancel(_confirmed, sos_id):
    """The citizen confirmed "Cancel this SOS?"."""
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(sos_ops.cancel_sos, sos_id=record_id(sos_id))
    changed = utcnow().isoformat()
    if not outcome.ok:
        return outcome.message, "danger", True, changed
    return "Your SOS is cancelled. Press SOS again if you need help.", "secondary", True, changed


@callback(
    Output(feedback_ui.ID.AREA, "children"),
    Output(feedback_ui.ID.SHOWN, "data"),
    Input(ID.REFRESH, "n_intervals"),
    State(ID.SOS_ID, "data"),
    State(feedback_ui.ID.SHOWN, "data"),
)
@allowed_roles(Role.CITIZEN)
def feedback_prompt(_n, sos_id, shown):
    """Ask the standard question once the SOS is resolved and not yet answered."""
    if sos_id is None:
        raise dash.exceptions.PreventUpdate
    with db_session() as session:
        try:
            now_state = feedback.feedback_state(session, actor=actor_in(session), sos_id=sos_id)
        except DomainError:
            now_state = "not_yet"
    if now_state == shown:
        raise dash.exceptions.PreventUpdate
    if now_state == "ask":
        return feedback_ui.feedback_form(feedback.QUESTION, feedback.RATINGS, feedback.COMMENT_MAX), now_state
    if now_state == "given":
        return feedback_ui.thanks(), now_state
    return None, now_state


@callback(
    Output(feedback_ui.ID.RESULT, "children"),
    Output(feedback_ui.ID.FORM, "style"),
    Output(feedback_ui.ID.RATING_MESSAGE, "children"),
    Output(feedback_ui.ID.COMMENT, "invalid"),
    Output(feedback_ui.ID.COMMENT_FEEDBACK, "children"),
    Input(feedback_ui.ID.SUBMIT, "n_clicks"),
    State(feedback_ui.ID.RATING, "value"),
    State(feedback_ui.ID.COMMENT, "value"),
    State(ID.SOS_ID, "data"),
    prevent_initial_call=True,
)
@allowed_roles(Role.CITIZEN)
def send_feedback(_n, rating, comment, sos_id):
    if not pressed() or sos_id is None:
        raise dash.exceptions.PreventUpdate
    outcome = act(feedback.submit_feedback, sos_id=sos_id, rating=rating, comment=comment or "")
    hidden = {"display": "none"}
    if outcome.field is not None:  # bad input: said at its field, the form stays
        return ("", dash.no_update, outcome.message_for("rating"),
                outcome.field == "comment", outcome.message_for("comment"))
    if not outcome.ok:
        return feedback_ui.refused(outcome.message), hidden, "", False, ""
    return feedback_ui.thanks(feedback.RATINGS.get(int(rating))), hidden, "", False, ""

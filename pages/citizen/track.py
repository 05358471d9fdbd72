"""Citizen: follow one SOS live, from sent to resolved; cancel until the ambulance is there."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import feedback as feedback_ui
from components import ids
from components.cards import last_updated
from components.sos import cancel_control, status_badge, timeline
from db import feedback
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.vocabulary import SOS_STATUS_LABELS, UNIT_STATUS_LABELS, Role, sos_number

dash.register_page(__name__, path_template="/citizen/sos/<sos_id>", title="Your SOS",
                   allowed_roles=(Role.CITIZEN,))


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
            # Feedback, once resolved: outside the refreshing body so typing is never overwritten.
            html.Div(id=feedback_ui.AREA),
            dcc.Store(id=feedback_ui.SHOWN),
            dcc.Interval(id=ids.TRACK_REFRESH, interval=2_000),
        ]
    )


def _body(view, now):
    sos = view.sos
    parts = [
        html.H1(sos_number(sos.id), className="h2 mb-1"),
        status_badge(sos.status, SOS_STATUS_LABELS[sos.status], element_id="track-status"),
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
        count = view.offered_count
        waiting = (f"Offered to {count} nearby hospital{'' if count == 1 else 's'}. Waiting for one to accept…"
                   if count else "Finding the nearest hospitals that can help…")
        parts.append(html.P(waiting, className="fs-5 mt-3", id="track-waiting"))
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
@allowed_roles(Role.CITIZEN)
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


@callback(
    Output(feedback_ui.AREA, "children"),
    Output(feedback_ui.SHOWN, "data"),
    Input(ids.TRACK_REFRESH, "n_intervals"),
    State(ids.TRACK_SOS_ID, "data"),
    State(feedback_ui.SHOWN, "data"),
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
    Output(feedback_ui.RESULT, "children"),
    Output(feedback_ui.FORM, "style"),
    Output("feedback-rating-message", "children"),
    Output(feedback_ui.COMMENT, "invalid"),
    Output("feedback-comment-feedback", "children"),
    Input(feedback_ui.SUBMIT, "n_clicks"),
    State(feedback_ui.RATING, "value"),
    State(feedback_ui.COMMENT, "value"),
    State(ids.TRACK_SOS_ID, "data"),
    prevent_initial_call=True,
)
@allowed_roles(Role.CITIZEN)
def send_feedback(n_clicks, rating, comment, sos_id):
    if not n_clicks or sos_id is None:
        raise dash.exceptions.PreventUpdate
    try:
        with db_session() as session:
            feedback.submit_feedback(session, actor=actor_in(session), sos_id=sos_id, rating=rating,
                                     comment=comment or "", now=utcnow())
    except InvalidInput as bad:
        return ("", dash.no_update, bad.message if bad.field == "rating" else "",
                bad.field == "comment", bad.message if bad.field == "comment" else "")
    except DomainError as error:
        return dbc.Alert(error.message, color="warning", id="feedback-refused"), {"display": "none"}, "", False, ""
    return feedback_ui.thanks(feedback.RATINGS.get(int(rating))), {"display": "none"}, "", False, ""

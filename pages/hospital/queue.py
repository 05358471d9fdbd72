"""Hospital admin: the live SOS queue (accept / decline) and the emergencies this hospital holds
(send an ambulance, step it through its statuses, resolve at handover)."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import ids
from components.cards import last_updated, page_header
from components.dispatch import active_card, queue_card
from db import dispatch
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import DomainError
from db.vocabulary import PRIORITY_LABELS, SOS_STATUS_LABELS, UNIT_STATUS_LABELS, Role, sos_number

dash.register_page(__name__, path="/hospital/queue", title="SOS queue",
                   allowed_roles=(Role.HOSPITAL_ADMIN,), nav_label="SOS queue", nav_order=1)

STEP_LABELS = {
    "en_route": "Mark en route",
    "on_scene": "Mark on scene",
    "transporting": "Mark transporting",
    "at_hospital": "Mark at hospital",
}


def layout(**kwargs):
    return html.Div(
        [
            page_header("SOS queue", "Emergencies offered to your hospital. The first hospital to accept takes it."),
            dbc.Switch(id=ids.QUEUE_SOUND, label="Sound when a new SOS arrives", value=False,
                       className="fs-5 mb-2"),
            dbc.Alert(id=ids.QUEUE_MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col([html.H2("Waiting for an answer", className="h4"), html.Div(id=ids.QUEUE_LIST)],
                            lg=6),
                    dbc.Col([html.H2("Accepted by your hospital", className="h4"),
                             html.Div(id=ids.QUEUE_ACTIVE)], lg=6),
                ]
            ),
            html.Div(id=ids.QUEUE_UPDATED),
            dcc.Store(id=ids.QUEUE_NEW_IDS, data=[]),
            dcc.Store(id=ids.QUEUE_SEEN, data=[]),
            html.Audio(id="queue-audio", src="/assets/new-sos.wav", preload="auto"),
            dcc.Interval(id=ids.QUEUE_REFRESH, interval=2_000),
        ]
    )


def _act(session, actor, trigger, unit_values, now):
    """Carry out the button press; returns (message, colour)."""
    kind, sos_id = trigger["type"], trigger["sos"]
    if kind == "accept-sos":
        sos_ops.accept_sos(session, actor=actor, sos_id=sos_id, now=now)
        return f"{sos_number(sos_id)} is yours. Send an ambulance now.", "success"
    if kind == "decline-sos":
        sos_ops.decline_sos(session, actor=actor, sos_id=sos_id, now=now)
        return f"{sos_number(sos_id)} declined: it has left your queue.", "secondary"
    if kind == "assign-unit":
        unit_id = unit_values.get(sos_id)
        if not unit_id:
            return "Choose an ambulance first.", "warning"
        dispatch.assign_unit(session, actor=actor, sos_id=sos_id, unit_id=int(unit_id), now=now)
        return f"Ambulance sent to {sos_number(sos_id)}.", "success"
    if kind == "step-unit":
        dispatch.move_unit_of_sos(session, actor=actor, sos_id=sos_id, to_status=trigger["to"], now=now)
        return f"{sos_number(sos_id)}: {UNIT_STATUS_LABELS[trigger['to']].lower()}.", "success"
    if kind == "resolve-sos":
        dispatch.resolve_sos(session, actor=actor, sos_id=sos_id, now=now)
        return f"{sos_number(sos_id)} resolved. The ambulance is available again.", "success"
    return None, None


@callback(
    Output(ids.QUEUE_LIST, "children"),
    Output(ids.QUEUE_ACTIVE, "children"),
    Output(ids.QUEUE_UPDATED, "children"),
    Output(ids.QUEUE_NEW_IDS, "data"),
    Output(ids.QUEUE_MESSAGE, "children"),
    Output(ids.QUEUE_MESSAGE, "color"),
    Output(ids.QUEUE_MESSAGE, "is_open"),
    Input(ids.QUEUE_REFRESH, "n_intervals"),
    Input({"type": "accept-sos", "sos": ALL}, "n_clicks"),
    Input({"type": "decline-sos", "sos": ALL}, "n_clicks"),
    Input({"type": "assign-unit", "sos": ALL}, "n_clicks"),
    Input({"type": "step-unit", "sos": ALL, "to": ALL}, "n_clicks"),
    Input({"type": "resolve-sos", "sos": ALL}, "n_clicks"),
    State({"type": "unit-select", "sos": ALL}, "value"),
)
@allowed_roles(Role.HOSPITAL_ADMIN)
def refresh_queue(_n, _accept, _decline, _assign, _step, _resolve, unit_values):
    now = utcnow()
    message, color = dash.no_update, dash.no_update
    trigger = ctx.triggered_id
    pressed = isinstance(trigger, dict) and any(t["value"] for t in ctx.triggered)
    selected = {
        state["id"]["sos"]: state.get("value")
        for state in ctx.states_list[0]
    } if ctx.states_list else {}
    with db_session() as session:
        actor = actor_in(session)
        if pressed:
            try:
                with session.begin_nested():
                    message, color = _act(session, actor, trigger, selected, now)
            except DomainError as error:
                message, color = error.message, "danger"
        queue = sos_ops.hospital_queue(session, actor=actor)
        active = sos_ops.hospital_active(session, actor=actor)
        choices = dispatch.available_units(session, actor=actor)
        units = {u.id: u for u in dispatch.list_units(session, actor=actor, include_retired=True)}
        queue_cards = [queue_card(item, now, PRIORITY_LABELS[item.priority]) for item in queue]
        active_cards = []
        for sos in active:
            unit = units.get(sos.ambulance_id)
            next_steps = []
            if unit is not None and unit.current_sos_id == sos.id:
                next_steps = [(s, STEP_LABELS[s]) for s in dispatch.NEXT_STATUS.get(unit.status, ())
                              if s in STEP_LABELS]
            active_cards.append(active_card(
                sos, now=now, status_label=SOS_STATUS_LABELS[sos.status],
                type_label=sos_ops.EMERGENCY_TYPES[sos.emergency_type].label if sos.emergency_type else "Type not given",
                unit=unit, unit_choices=choices, next_steps=next_steps,
                can_resolve=sos.status in dispatch.RESOLVABLE_SOS_STATUSES,
                chosen_unit=selected.get(sos.id),
            ))
    new_ids = [item.sos_id for item in queue]
    return (
        queue_cards or html.P("No SOS waiting. New ones appear here by themselves.", className="fs-5 text-muted",
                              id="queue-empty"),
        active_cards or html.P("None right now.", className="fs-5 text-muted", id="active-empty"),
        last_updated(now),
        new_ids,
        message,
        color,
        True if pressed else dash.no_update,
    )


# Play the alert when an SOS id appears that this screen has not shown before (sound is opt-in:
# browsers only play audio after the person has touched the page, which the switch is).
clientside_callback(
    """
    function(current, soundOn, seen) {
        seen = seen || [];
        const fresh = (current || []).filter(id => !seen.includes(id));
        if (fresh.length && soundOn) {
            const audio = document.getElementById('queue-audio');
            if (audio) { audio.currentTime = 0; audio.play().catch(() => {}); }
        }
        return Array.from(new Set(seen.concat(current || [])));
    }
    """,
    Output(ids.QUEUE_SEEN, "data"),
    Input(ids.QUEUE_NEW_IDS, "data"),
    State(ids.QUEUE_SOUND, "value"),
    State(ids.QUEUE_SEEN, "data"),
)

"""Hospital admin: the live SOS queue (accept / decline) and the emergencies this hospital holds
(send an ambulance, step it through its statuses, resolve at handover).

One callback per button kind carries out the press and says how it went; `refresh_queue` draws
both lists, every two seconds and at once after an action (the actions bump `ID.CHANGED`)."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from auth.actions import act
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import last_updated, page_header
from components.dispatch import ID as CardID
from components.dispatch import active_card, queue_card
from components.triggers import pressed
from db import dispatch
from db import sos as sos_ops
from db.clock import utcnow
from db.vocabulary import PRIORITY_LABELS, SOS_STATUS_LABELS, UNIT_STATUS_LABELS, Role, sos_number

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital/queue", title="SOS queue",
                   allowed_roles=ROLES, nav_label="SOS queue", nav_order=1)


class ID:
    SOUND = "queue-sound"
    AUDIO = "queue-audio"
    MESSAGE = "queue-message"
    LIST = "queue-list"
    LIST_EMPTY = "queue-empty"
    ACTIVE = "queue-active"
    ACTIVE_EMPTY = "active-empty"
    UPDATED = "queue-updated"
    NEW_IDS = "queue-new-ids"
    SEEN = "queue-seen"
    CHANGED = "queue-changed"
    REFRESH = "queue-refresh"


def layout(**kwargs):
    return html.Div(
        [
            page_header("SOS queue", "Emergencies offered to your hospital. The first hospital to accept takes it."),
            dbc.Switch(id=ID.SOUND, label="Sound when a new SOS arrives", value=False,
                       className="fs-5 mb-2"),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col([html.H2("Waiting for an answer", className="h4"), html.Div(id=ID.LIST)],
                            lg=6),
                    dbc.Col([html.H2("Accepted by your hospital", className="h4"),
                             html.Div(id=ID.ACTIVE)], lg=6),
                ]
            ),
            html.Div(id=ID.UPDATED),
            dcc.Store(id=ID.NEW_IDS, data=[]),
            dcc.Store(id=ID.SEEN, data=[]),
            dcc.Store(id=ID.CHANGED),
            html.Audio(id=ID.AUDIO, src="/assets/new-sos.wav", preload="auto"),
            dcc.Interval(id=ID.REFRESH, interval=2_000),
        ]
    )


# ---- actions: one per button kind -------------------------------------------------------------

# What every action writes: the message, and a bump that makes `refresh_queue` redraw at once.
ACTION_OUTPUTS = [
    Output(ID.MESSAGE, "children", allow_duplicate=True),
    Output(ID.MESSAGE, "color", allow_duplicate=True),
    Output(ID.MESSAGE, "is_open", allow_duplicate=True),
    Output(ID.CHANGED, "data", allow_duplicate=True),
]


def _said(outcome, success: str, color: str = "success"):
    """The action outputs for an outcome: its success sentence, or the refusal in red."""
    if outcome.ok:
        return success, color, True, utcnow().isoformat()
    return outcome.message, "danger", True, utcnow().isoformat()


def _pressed_sos() -> int:
    """The SOS whose button was pressed; stops here when nothing was really pressed (a refresh
    re-drew the cards)."""
    if not pressed():
        raise dash.exceptions.PreventUpdate
    return ctx.triggered_id["sos"]


@callback(*ACTION_OUTPUTS, Input(CardID.accept(ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def accept(_clicks):
    sos_id = _pressed_sos()
    outcome = act(sos_ops.accept_sos, sos_id=sos_id)
    return _said(outcome, f"{sos_number(sos_id)} is yours. Send an ambulance now.")


@callback(*ACTION_OUTPUTS, Input(CardID.decline(ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def decline(_clicks):
    sos_id = _pressed_sos()
    outcome = act(sos_ops.decline_sos, sos_id=sos_id)
    return _said(outcome, f"{sos_number(sos_id)} declined: it has left your queue.", "secondary")


def _chosen_units() -> dict[int, str | None]:
    """The ambulance chosen in each active card's select, by SOS (the callback's `chosen` state)."""
    return {select.id["sos"]: select.value for select in ctx.args_grouping["chosen"]}


@callback(output=ACTION_OUTPUTS, inputs={"_clicks": Input(CardID.assign(ALL), "n_clicks")},
          state={"chosen": State(CardID.unit(ALL), "value")}, prevent_initial_call=True)
@allowed_roles(*ROLES)
def assign(_clicks, chosen):
    sos_id = _pressed_sos()
    unit_id = _chosen_units().get(sos_id)
    if not unit_id:
        return "Choose an ambulance first.", "warning", True, dash.no_update
    outcome = act(dispatch.assign_unit, sos_id=sos_id, unit_id=int(unit_id))
    return _said(outcome, f"Ambulance sent to {sos_number(sos_id)}.")


@callback(*ACTION_OUTPUTS, Input(CardID.step(ALL, ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def step(_clicks):
    sos_id = _pressed_sos()
    to_status = ctx.triggered_id["to"]
    outcome = act(dispatch.move_unit_of_sos, sos_id=sos_id, to_status=to_status)
    return _said(outcome, f"{sos_number(sos_id)}: {UNIT_STATUS_LABELS.get(to_status, to_status).lower()}.")


@callback(*ACTION_OUTPUTS, Input(CardID.resolve(ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def resolve(_clicks):
    sos_id = _pressed_sos()
    outcome = act(dispatch.resolve_sos, sos_id=sos_id)
    return _said(outcome, f"{sos_number(sos_id)} resolved. The ambulance is available again.")


# ---- the view -----------------------------------------------------------------------------------


def _type_label(sos) -> str:
    return sos_ops.EMERGENCY_TYPES[sos.emergency_type].label if sos.emergency_type else "Type not given"


@callback(
    output={"waiting": Output(ID.LIST, "children"), "active": Output(ID.ACTIVE, "children"),
            "updated": Output(ID.UPDATED, "children"), "new_ids": Output(ID.NEW_IDS, "data")},
    inputs={"_n": Input(ID.REFRESH, "n_intervals"), "_changed": Input(ID.CHANGED, "data")},
    state={"chosen": State(CardID.unit(ALL), "value")},
)
@allowed_roles(*ROLES)
def refresh_queue(_n, _changed, chosen):
    now = utcnow()
    selected = _chosen_units()
    with db_session() as session:
        actor = actor_in(session)
        queue = sos_ops.hospital_queue(session, actor=actor)
        active = sos_ops.hospital_active(session, actor=actor)
        choices = dispatch.available_units(session, actor=actor)
        units = {u.id: u for u in dispatch.list_units(session, actor=actor, include_retired=True)}
        queue_cards = [queue_card(item, now, PRIORITY_LABELS[item.priority]) for item in queue]
        active_cards = [
            active_card(
                sos, now=now, status_label=SOS_STATUS_LABELS[sos.status], type_label=_type_label(sos),
                unit=units.get(sos.ambulance_id), unit_choices=choices,
                next_steps=dispatch.next_steps(units.get(sos.ambulance_id), sos_id=sos.id),
                can_resolve=dispatch.can_resolve(sos), chosen_unit=selected.get(sos.id),
            )
            for sos in active
        ]
    return {
        "waiting": queue_cards or html.P("No SOS waiting. New ones appear here by themselves.",
                                         className="fs-5 text-muted", id=ID.LIST_EMPTY),
        "active": active_cards or html.P("None right now.", className="fs-5 text-muted", id=ID.ACTIVE_EMPTY),
        "updated": last_updated(now),
        "new_ids": [item.sos_id for item in queue],
    }


# Play the alert when an SOS id appears that this screen has not shown before (assets/queue.js;
# sound is opt-in: browsers only play audio after the person has touched the page, which the
# switch is).
clientside_callback(
    ClientsideFunction("queue", "soundForNewSos"),
    Output(ID.SEEN, "data"),
    Input(ID.NEW_IDS, "data"),
    State(ID.SOUND, "value"),
    State(ID.SEEN, "data"),
    State(ID.AUDIO, "id"),
)

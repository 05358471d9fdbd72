"""Hospital admin: beds (per type: total and free, steppers), EMS traffic status, blood stock
(received / issued, low-stock threshold, expiry). Figures shown refresh by themselves; what the
admin is typing is never overwritten by a refresh.

One callback per action (save beds, a bed stepper, save the EMS status, blood received, issued,
its settings) and one refresh per view (the bed figures, the blood grid)."""


import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html
from flask_login import current_user

from auth.actions import act
from auth.callback_types import refusal_is_bad_request
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import live
from components.capacity import ID as CardID
from components.capacity import figure_line
from components.capacity_editor import bed_editor_card, blood_columns, blood_rows
from components.cards import last_updated, page_header
from components.format import PICKER_DATE_FORMAT, count
from components.i18n import N_, _, ngettext
from components.triggers import pressed
from db import blood, capacity, hospitals
from db.clock import utcnow
from db.models import BLOOD_COMPONENTS, BLOOD_GROUPS
from db.parse import count_or_zero
from db.vocabulary import Role

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital/capacity", title=N_("Beds and blood"),
                   allowed_roles=ROLES, nav_label=N_("Beds & blood"), nav_order=3)


class ID:
    BEDS_UPDATED = "hospital-capacity-beds-updated"
    BEDS_REFRESH = "hospital-capacity-beds-refresh"
    BEDS_LIVE = "hospital-capacity-beds-live"  # the version of the figures the last poll saw (assets/live.js)
    BEDS_LIVE_SOURCE = "hospital-capacity-beds-live-source"
    EMS_STATUS = "hospital-capacity-ems-status"
    EMS_REASON = "hospital-capacity-ems-reason"
    EMS_REASON_FEEDBACK = "hospital-capacity-ems-reason-feedback"
    EMS_SAVE = "hospital-capacity-ems-save"
    EMS_MESSAGE = "hospital-capacity-ems-message"
    BLOOD_COMPONENT = "hospital-capacity-blood-component"
    BLOOD_GROUP = "hospital-capacity-blood-group"
    BLOOD_UNITS = "hospital-capacity-blood-units"
    BLOOD_UNITS_FEEDBACK = "hospital-capacity-blood-units-feedback"
    BLOOD_RECEIVED = "hospital-capacity-blood-received"
    BLOOD_ISSUED = "hospital-capacity-blood-issued"
    BLOOD_THRESHOLD = "hospital-capacity-blood-threshold"
    BLOOD_THRESHOLD_FEEDBACK = "hospital-capacity-blood-threshold-feedback"
    BLOOD_EXPIRY = "hospital-capacity-blood-expiry"
    BLOOD_SAVE_SETTINGS = "hospital-capacity-blood-save-settings"
    BLOOD_MESSAGE = "hospital-capacity-blood-message"
    BLOOD_GRID = "hospital-capacity-blood-grid"
    BLOOD_UPDATED = "hospital-capacity-blood-updated"
    BLOOD_CHANGED = "hospital-capacity-blood-changed"
    BLOOD_REFRESH = "hospital-capacity-blood-refresh"


def layout(**kwargs):
    if not current_user.is_authenticated:
        return html.Div()
    with db_session() as session:
        actor = actor_in(session)
        figures = capacity.beds_of_hospital(session, actor=actor, hospital_id=actor.hospital_id)
        hospital = hospitals.get(session, actor.hospital_id)
        ems_status, ems_reason = hospital.ems_status, hospital.ems_reason
    return html.Div(
        [
            page_header(_("Beds and blood"), _("Keep these figures current: citizens and ambulances rely on them.")),
            html.H2(_("Beds"), className="h4"),
            dbc.Row([dbc.Col(bed_editor_card(f), md=4, className="mb-3") for f in figures]),
            html.Div(id=ID.BEDS_UPDATED),
            # The timer asks the figures' version (web/live.py); only a new one runs `refresh_beds`.
            dcc.Store(id=ID.BEDS_LIVE),
            dcc.Store(id=ID.BEDS_LIVE_SOURCE, data=live.source(live.OWN_BEDS)),
            dcc.Interval(id=ID.BEDS_REFRESH, interval=10_000),
            html.H2(_("Emergency department (EMS traffic)"), className="h4 mt-3"),
            dbc.Card(dbc.CardBody([
                dbc.RadioItems(
                    id=ID.EMS_STATUS,
                    options=[{"label": _(label), "value": value} for value, label in capacity.EMS_LABELS.items()],
                    value=ems_status, inline=True, className="fs-5 mb-2",
                ),
                dbc.Label(_("Reason (required unless Normal)"), html_for=ID.EMS_REASON, className="fw-semibold"),
                dbc.Input(id=ID.EMS_REASON, value=ems_reason, placeholder=_("e.g. ICU full until 18:00"),
                          size="lg", maxLength=300),
                dbc.FormFeedback(id=ID.EMS_REASON_FEEDBACK, type="invalid"),
                dbc.Button(_("Save EMS status"), id=ID.EMS_SAVE, color="danger", size="lg", className="mt-2"),
                html.Div(id=ID.EMS_MESSAGE, className="mt-2 fs-5"),
            ]), className="mb-3"),
            html.H2(_("Blood stock"), className="h4 mt-3"),
            dbc.Card(dbc.CardBody([
                dbc.Row([
                    dbc.Col([dbc.Label(_("Component"), html_for=ID.BLOOD_COMPONENT),
                             dbc.Select(id=ID.BLOOD_COMPONENT, value="whole_blood", size="lg",
                                        options=[{"label": _(blood.COMPONENT_LABELS[c]), "value": c}
                                                 for c in BLOOD_COMPONENTS])],
                            md=3),
                    dbc.Col([dbc.Label(_("Group"), html_for=ID.BLOOD_GROUP),
                             dbc.Select(id=ID.BLOOD_GROUP, value="O+", size="lg",
                                        options=[{"label": g, "value": g} for g in BLOOD_GROUPS])], md=2),
                    dbc.Col([dbc.Label(_("Units"), html_for=ID.BLOOD_UNITS),
                             dbc.Input(id=ID.BLOOD_UNITS, type="text", inputMode="numeric", placeholder=_("e.g. %(example)s", example=2),
                                       size="lg"),
                             dbc.FormFeedback(id=ID.BLOOD_UNITS_FEEDBACK, type="invalid")], md=2),
                    dbc.Col([html.Div(className="d-none d-md-block", style={"height": "2rem"}),
                             dbc.Button(_("Received"), id=ID.BLOOD_RECEIVED, color="success", size="lg",
                                        className="me-2"),
                             dbc.Button(_("Issued"), id=ID.BLOOD_ISSUED, color="warning", size="lg")], md=5),
                ]),
                dbc.Row([
                    dbc.Col([dbc.Label(_("Low-stock threshold (units)"), html_for=ID.BLOOD_THRESHOLD),
                             dbc.Input(id=ID.BLOOD_THRESHOLD, type="text", inputMode="numeric", size="lg"),
                             dbc.FormFeedback(id=ID.BLOOD_THRESHOLD_FEEDBACK, type="invalid")], md=3),
                    dbc.Col([dbc.Label(_("Earliest expiry"), html_for=ID.BLOOD_EXPIRY),
                             dcc.DatePickerSingle(id=ID.BLOOD_EXPIRY, display_format=PICKER_DATE_FORMAT)], md=3),
                    dbc.Col([html.Div(className="d-none d-md-block", style={"height": "2rem"}),
                             dbc.Button(_("Save threshold / expiry"), id=ID.BLOOD_SAVE_SETTINGS, color="secondary",
                                        size="lg")], md=4),
                ], className="mt-2"),
                html.Div(id=ID.BLOOD_MESSAGE, className="mt-2 fs-5"),
                html.Small(_(blood.CROSSMATCH_NOTE), className="text-muted d-block mt-1"),
            ]), className="mb-2"),
            dag.AgGrid(id=ID.BLOOD_GRID, columnDefs=blood_columns(), rowData=[], getRowId="params.data.group",
                       dashGridOptions={"domLayout": "autoHeight", "rowHeight": 44}, style={"width": "100%"},
                       defaultColDef={"resizable": True}),
            html.Div(id=ID.BLOOD_UPDATED),
            dcc.Store(id=ID.BLOOD_CHANGED),
            dcc.Interval(id=ID.BLOOD_REFRESH, interval=10_000),
        ]
    )


def _own_beds() -> dict:
    """This hospital's stored bed figures, by bed type code."""
    with db_session() as session:
        figures = capacity.beds_of_hospital(session, actor=actor_in(session), hospital_id=current_user.hospital_id)
    return {figure.code: figure for figure in figures}


# ---- beds: save, step (each answers for its own card), refresh -------------------------------

# What a bed action writes in the card pressed.
BED_ACTION_OUTPUTS = [
    Output(CardID.message(MATCH), "children", allow_duplicate=True),
    Output(CardID.total(MATCH), "value", allow_duplicate=True),
    Output(CardID.available(MATCH), "value", allow_duplicate=True),
    Output(CardID.total(MATCH), "invalid", allow_duplicate=True),
    Output(CardID.available(MATCH), "invalid", allow_duplicate=True),
    Output(CardID.version(MATCH), "data", allow_duplicate=True),
    Output(CardID.now(MATCH), "children", allow_duplicate=True),
]


def _bed_answer(code: str, outcome, success, based_on: int):
    """The card's outputs after an action. The inputs are refilled with the stored figures after
    this admin's own change, or when the figures changed under them (a stale save): never while
    the admin is typing, and not over a figure refused for its own sake."""
    figure = outcome.result if outcome.ok else _own_beds().get(code)
    if figure is None:
        raise dash.exceptions.PreventUpdate
    refill = outcome.ok or (outcome.field is None and figure.version != based_on)
    if outcome.ok:
        message = dbc.Alert(success(figure), color="success", className="py-2 mb-0")
    else:
        message = dbc.Alert(outcome.message, color="warning" if refill else "danger", className="py-2 mb-0")
    keep = dash.no_update
    return (message,
            figure.total if refill else keep, figure.available if refill else keep,
            outcome.field == "total", outcome.field == "available",
            figure.version if refill else keep,
            figure_line(figure, utcnow(), capacity.DEFAULT_STALE_AFTER))


@callback(*BED_ACTION_OUTPUTS, Input(CardID.save(MATCH), "n_clicks"),
          State(CardID.total(MATCH), "value"), State(CardID.available(MATCH), "value"),
          State(CardID.version(MATCH), "data"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def save_beds(_clicks, total, available, version):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    code, based_on = ctx.triggered_id["code"], count_or_zero(version)
    outcome = act(capacity.set_beds, hospital_id=current_user.hospital_id, bed_code=code, total=total,
                  available=available, expected_version=based_on)
    return _bed_answer(code, outcome, lambda figure: _("Saved: %(free)s free of %(total)s.", free=count(figure.available),
                                                        total=count(figure.total)), based_on)


@callback(*BED_ACTION_OUTPUTS, Input(CardID.step(MATCH, ALL), "n_clicks"),
          State(CardID.version(MATCH), "data"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def step_beds(_clicks, version):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    code, delta = ctx.triggered_id["code"], ctx.triggered_id.get("delta")
    outcome = act(capacity.step_available, hospital_id=current_user.hospital_id, bed_code=code, delta=delta)
    return _bed_answer(code, outcome, lambda figure: _("Now %(free)s free of %(total)s.", free=count(figure.available),
                                                        total=count(figure.total)), count_or_zero(version))


@callback(
    output={"lines": Output(CardID.now(ALL), "children"), "updated": Output(ID.BEDS_UPDATED, "children")},
    inputs={"_n": Input(ID.BEDS_LIVE, "data")},
)
@allowed_roles(*ROLES)
def refresh_beds(_n):
    now = utcnow()
    with db_session() as session:  # kept per process between two changes of any beds (≤ 1 s old)
        figures = {f.code: f for f in capacity.recent_beds_of_hospital(
            session, actor=actor_in(session), hospital_id=current_user.hospital_id)}
    lines = [figures.get(line["id"]["code"]) for line in ctx.outputs_grouping["lines"]]
    return {"lines": [figure_line(f, now, capacity.DEFAULT_STALE_AFTER) if f else "" for f in lines],
            "updated": last_updated(now)}


# The timed poll (assets/live.js): new figures run `refresh_beds`; unchanged ones only move
# "last updated".
live.register_poll(interval_id=ID.BEDS_REFRESH, source_id=ID.BEDS_LIVE_SOURCE, live_id=ID.BEDS_LIVE,
                   updated_id=ID.BEDS_UPDATED)


# ---- EMS traffic status ---------------------------------------------------------------------


@callback(
    Output(ID.EMS_MESSAGE, "children"),
    Output(ID.EMS_REASON, "invalid"),
    Output(ID.EMS_REASON_FEEDBACK, "children"),
    Input(ID.EMS_SAVE, "n_clicks"),
    State(ID.EMS_STATUS, "value"),
    State(ID.EMS_REASON, "value"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def save_ems(_clicks, status, reason):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(capacity.set_ems_status, hospital_id=current_user.hospital_id, status=status, reason=reason or "")
    if outcome.ok:
        return (dbc.Alert(_("EMS status saved: %(status)s.", status=_(capacity.EMS_LABELS[status])), color="success",
                          className="py-2"),
                False, "")
    feedback = outcome.message_for("ems_reason")
    return ("" if feedback else dbc.Alert(outcome.message, color="danger")), bool(feedback), feedback


# ---- blood: received, issued, settings, refresh ---------------------------------------------

# What a blood action writes: the message, the two fields' feedback, a bump for `refresh_blood`.
BLOOD_ACTION_OUTPUTS = [
    Output(ID.BLOOD_MESSAGE, "children", allow_duplicate=True),
    Output(ID.BLOOD_UNITS, "invalid", allow_duplicate=True),
    Output(ID.BLOOD_UNITS_FEEDBACK, "children", allow_duplicate=True),
    Output(ID.BLOOD_THRESHOLD, "invalid", allow_duplicate=True),
    Output(ID.BLOOD_THRESHOLD_FEEDBACK, "children", allow_duplicate=True),
    Output(ID.BLOOD_CHANGED, "data", allow_duplicate=True),
]
BLOOD_MOVE_OUTPUTS = BLOOD_ACTION_OUTPUTS + [Output(ID.BLOOD_UNITS, "value", allow_duplicate=True)]
BLOOD_MOVE_STATE = [State(ID.BLOOD_GROUP, "value"), State(ID.BLOOD_COMPONENT, "value"),
                    State(ID.BLOOD_UNITS, "value")]


def _blood_answer(outcome, success: str) -> tuple:
    """A refusal about a field is said once, at that field; any other in the message area."""
    units, threshold = outcome.message_for("units"), outcome.message_for("low_threshold")
    if outcome.ok:
        message = dbc.Alert(success, color="success", className="py-2")
    else:
        message = "" if units or threshold else dbc.Alert(outcome.message, color="danger", className="py-2")
    return message, bool(units), units, bool(threshold), threshold, utcnow().isoformat()


def _moved_words(reason: str, now_held: int, **words) -> str:
    """"O+ whole blood: received 2, now 5 units."."""
    if reason == "received":
        return ngettext("%(group)s %(component)s: received %(moved)s, now %(count)s unit.",
                        "%(group)s %(component)s: received %(moved)s, now %(count)s units.", now_held,
                        count=count(now_held), **words)
    return ngettext("%(group)s %(component)s: issued %(moved)s, now %(count)s unit.",
                    "%(group)s %(component)s: issued %(moved)s, now %(count)s units.", now_held,
                    count=count(now_held), **words)


def _move_blood(reason: str, group, component, units) -> tuple:
    """Units received or issued; the units field empties once they are counted."""
    if not pressed():
        raise dash.exceptions.PreventUpdate
    component = component or "whole_blood"
    outcome = act(blood.adjust, hospital_id=current_user.hospital_id, group=group, component=component,
                  units=units, reason=reason)
    success = _moved_words(reason, outcome.result.units, group=group, moved=count(int(float(units))),
                           component=_(blood.COMPONENT_LABELS[component]).lower()) if outcome.ok else ""
    return (*_blood_answer(outcome, success), "" if outcome.ok else dash.no_update)


@callback(*BLOOD_MOVE_OUTPUTS, Input(ID.BLOOD_RECEIVED, "n_clicks"), *BLOOD_MOVE_STATE, prevent_initial_call=True)
@allowed_roles(*ROLES)
def blood_received(_clicks, group, component, units):
    return _move_blood("received", group, component, units)


@callback(*BLOOD_MOVE_OUTPUTS, Input(ID.BLOOD_ISSUED, "n_clicks"), *BLOOD_MOVE_STATE, prevent_initial_call=True)
@allowed_roles(*ROLES)
def blood_issued(_clicks, group, component, units):
    return _move_blood("issued", group, component, units)


@callback(*BLOOD_ACTION_OUTPUTS, Input(ID.BLOOD_SAVE_SETTINGS, "n_clicks"), State(ID.BLOOD_GROUP, "value"),
          State(ID.BLOOD_COMPONENT, "value"), State(ID.BLOOD_THRESHOLD, "value"), State(ID.BLOOD_EXPIRY, "date"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def save_blood_settings(_clicks, group, component, threshold, expiry):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(blood.set_stock, hospital_id=current_user.hospital_id, group=group,
                  component=component or "whole_blood",
                  low_threshold=threshold if threshold not in (None, "") else None,
                  earliest_expiry=expiry)
    return _blood_answer(outcome, _("%(group)s: settings saved.", group=group))


@callback(
    Output(ID.BLOOD_GRID, "rowData"),
    Output(ID.BLOOD_UPDATED, "children"),
    Input(ID.BLOOD_REFRESH, "n_intervals"),
    Input(ID.BLOOD_COMPONENT, "value"),
    Input(ID.BLOOD_CHANGED, "data"),
)
@allowed_roles(*ROLES)
def refresh_blood(_n, component, _changed):
    now = utcnow()
    with db_session() as session, refusal_is_bad_request():  # a component no form of ours sends
        stock = blood.stock_of_hospital(session, actor=actor_in(session), hospital_id=current_user.hospital_id,
                                        component=component or "whole_blood")
    return blood_rows(stock, now), last_updated(now)

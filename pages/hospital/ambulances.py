"""Hospital admin: the hospital's ambulances. Register a unit, edit it in the grid, take it out of
service or back, retire it. Status and time in status update by themselves."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from auth.actions import act
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.answers import answer, answer_outputs, warn
from components.cards import last_updated, page_header
from components.format import duration
from components.triggers import pressed
from db import dispatch
from db.clock import utcnow
from db.models import UNIT_LEVELS
from db.parse import record_id
from db.vocabulary import LEVEL_LABELS, UNIT_STATUS_LABELS, Role, sos_number

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital/ambulances", title="Ambulances",
                   allowed_roles=ROLES, nav_label="Ambulances", nav_order=2)


class ID:
    MESSAGE = "units-message"
    CALL_SIGN = "unit-call-sign"
    CALL_SIGN_FEEDBACK = "unit-call-sign-feedback"
    PLATE = "unit-plate"
    LEVEL = "unit-level"
    CREW = "unit-crew"
    REGISTER = "unit-register"
    SERVICE_TOGGLE = "unit-service-toggle"
    RETIRE = "unit-retire"
    GRID = "units-grid"
    UPDATED = "units-updated"
    CHANGED = "units-changed"
    REFRESH = "units-refresh"


COLUMNS = [
    {"field": "call_sign", "headerName": "Call sign", "editable": True, "width": 130},
    {"field": "status", "headerName": "Status", "width": 150,
     "cellClassRules": {"text-success fw-bold": f"params.value == '{UNIT_STATUS_LABELS['available']}'",
                        "text-danger fw-bold": f"params.value == '{UNIT_STATUS_LABELS['out_of_service']}'"}},
    {"field": "in_status", "headerName": "Time in status", "width": 140},
    {"field": "level", "headerName": "Level", "editable": True, "width": 100,
     "cellEditor": "agSelectCellEditor", "cellEditorParams": {"values": list(UNIT_LEVELS)}},
    {"field": "registration_plate", "headerName": "Plate", "editable": True, "width": 150},
    {"field": "crew_contact", "headerName": "Crew contact", "editable": True, "flex": 1, "minWidth": 160},
    {"field": "sos", "headerName": "On SOS", "width": 110},
]


def layout(**kwargs):
    return html.Div(
        [
            page_header("Ambulances", "Edit a cell to change it. Select a row to take a unit out of service or retire it."),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Card(dbc.CardBody([
                html.H2("Register a unit", className="h5"),
                dbc.Row([
                    dbc.Col([dbc.Label("Call sign", html_for=ID.CALL_SIGN),
                             dbc.Input(id=ID.CALL_SIGN, placeholder="AMB-4", size="lg"),
                             dbc.FormFeedback(id=ID.CALL_SIGN_FEEDBACK, type="invalid")], md=3),
                    dbc.Col([dbc.Label("Registration plate", html_for=ID.PLATE),
                             dbc.Input(id=ID.PLATE, placeholder="KA-01-AB-1234", size="lg")], md=3),
                    dbc.Col([dbc.Label("Level", html_for=ID.LEVEL),
                             dbc.Select(id=ID.LEVEL, value="BLS", size="lg",
                                        options=[{"label": LEVEL_LABELS[level], "value": level} for level in UNIT_LEVELS])],
                            md=3),
                    dbc.Col([dbc.Label("Crew contact", html_for=ID.CREW),
                             dbc.Input(id=ID.CREW, placeholder="+91 …", size="lg")], md=3),
                ]),
                dbc.Button("Register unit", id=ID.REGISTER, color="danger", size="lg", className="mt-3"),
            ]), className="mb-3"),
            html.Div([
                dbc.Button("Out of service / back in service", id=ID.SERVICE_TOGGLE, color="secondary",
                           size="lg", className="me-2"),
                dbc.Button("Retire selected unit", id=ID.RETIRE, color="danger", outline=True, size="lg"),
            ], className="mb-2"),
            dag.AgGrid(
                id=ID.GRID,
                columnDefs=COLUMNS,
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"rowSelection": {"mode": "singleRow"}, "domLayout": "autoHeight",
                                 "stopEditingWhenCellsLoseFocus": True, "rowHeight": 48},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"width": "100%"},
            ),
            html.Div(id=ID.UPDATED),
            dcc.Store(id=ID.CHANGED),
            dcc.Interval(id=ID.REFRESH, interval=5_000),
        ]
    )


# ---- actions --------------------------------------------------------------------------------

# Every action writes the message area and bumps ID.CHANGED, so `refresh_units` redraws at once.
ACTION_OUTPUTS = answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True)


@callback(
    output=[*ACTION_OUTPUTS, Output(ID.CALL_SIGN, "invalid"), Output(ID.CALL_SIGN_FEEDBACK, "children"),
            Output(ID.CALL_SIGN, "value")],
    inputs=[Input(ID.REGISTER, "n_clicks")],
    state=[State(ID.CALL_SIGN, "value"), State(ID.PLATE, "value"), State(ID.LEVEL, "value"),
           State(ID.CREW, "value")],
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def register(_clicks, call_sign, plate, level, crew):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(dispatch.register_unit, call_sign=call_sign or "", registration_plate=plate or "",
                  level=level or "BLS", crew_contact=crew or "",
                  describe=lambda unit: f"{unit.call_sign} registered and available.")
    feedback = outcome.message_for("call_sign")
    return (*answer(outcome), bool(feedback), feedback, "" if outcome.ok else dash.no_update)


def _on_selected_unit(operation, selected, describe, *, color: str = "success") -> tuple:
    """`operation` on the unit selected in the grid, once a button was really pressed."""
    if not pressed():
        raise dash.exceptions.PreventUpdate
    if not selected:
        return warn("Select a unit in the table first.")
    return answer(act(operation, unit_id=record_id(selected[0].get("id")), describe=describe), color=color)


@callback(*ACTION_OUTPUTS, Input(ID.SERVICE_TOGGLE, "n_clicks"), State(ID.GRID, "selectedRows"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def toggle_service(_clicks, selected):
    return _on_selected_unit(dispatch.toggle_service, selected,
                             lambda unit: f"{unit.call_sign} is {UNIT_STATUS_LABELS[unit.status].lower()}.")


@callback(*ACTION_OUTPUTS, Input(ID.RETIRE, "n_clicks"), State(ID.GRID, "selectedRows"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def retire(_clicks, selected):
    return _on_selected_unit(dispatch.retire_unit, selected, lambda unit: f"{unit.call_sign} retired.",
                             color="secondary")


def _save_rows(session, *, actor, now, rows):
    """The grid's edited rows, saved together (one refusal keeps them all unsaved)."""
    for row in rows:
        dispatch.edit_unit(session, actor=actor, unit_id=record_id(row.get("id")), call_sign=row.get("call_sign"),
                           registration_plate=row.get("registration_plate") or "", level=row.get("level"),
                           crew_contact=row.get("crew_contact") or "")


@callback(*ACTION_OUTPUTS, Input(ID.GRID, "cellValueChanged"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def save_edits(changes):
    if not changes:
        raise dash.exceptions.PreventUpdate
    return answer(act(_save_rows, rows=[change["data"] for change in changes], describe=lambda _: "Saved."))


# ---- the view ---------------------------------------------------------------------------------


def _rows(units, now):
    return [
        {
            "id": str(u.id),
            "call_sign": u.call_sign,
            "status": UNIT_STATUS_LABELS[u.status],
            "in_status": duration(now - u.status_since),
            "level": u.level,
            "registration_plate": u.registration_plate,
            "crew_contact": u.crew_contact,
            "sos": sos_number(u.current_sos_id) if u.current_sos_id else "",
        }
        for u in units
    ]


@callback(
    Output(ID.GRID, "rowData"),
    Output(ID.UPDATED, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.CHANGED, "data"),
)
@allowed_roles(*ROLES)
def refresh_units(_n, _changed):
    now = utcnow()
    with db_session() as session:
        rows = _rows(dispatch.list_units(session, actor=actor_in(session)), now)
    return rows, last_updated(now)

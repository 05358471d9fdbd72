"""Hospital admin: the hospital's ambulances. Register a unit, edit it in the grid, take it out of
service or back, retire it. Status and time in status update by themselves."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import ids
from components.cards import last_updated, page_header
from components.format import duration
from db import dispatch
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.models import UNIT_LEVELS
from db.vocabulary import LEVEL_LABELS, UNIT_STATUS_LABELS, Role, sos_number

dash.register_page(__name__, path="/hospital/ambulances", title="Ambulances",
                   allowed_roles=(Role.HOSPITAL_ADMIN,), nav_label="Ambulances", nav_order=2)

COLUMNS = [
    {"field": "call_sign", "headerName": "Call sign", "editable": True, "width": 130},
    {"field": "status", "headerName": "Status", "width": 150,
     "cellClassRules": {"text-success fw-bold": "params.value == 'Available'",
                        "text-danger fw-bold": "params.value == 'Out of service'"}},
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
            dbc.Alert(id=ids.UNITS_MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Card(dbc.CardBody([
                html.H2("Register a unit", className="h5"),
                dbc.Row([
                    dbc.Col([dbc.Label("Call sign", html_for=ids.UNIT_FORM_CALL_SIGN),
                             dbc.Input(id=ids.UNIT_FORM_CALL_SIGN, placeholder="AMB-4", size="lg"),
                             dbc.FormFeedback(id="unit-call-sign-feedback", type="invalid")], md=3),
                    dbc.Col([dbc.Label("Registration plate", html_for=ids.UNIT_FORM_PLATE),
                             dbc.Input(id=ids.UNIT_FORM_PLATE, placeholder="KA-01-AB-1234", size="lg")], md=3),
                    dbc.Col([dbc.Label("Level", html_for=ids.UNIT_FORM_LEVEL),
                             dbc.Select(id=ids.UNIT_FORM_LEVEL, value="BLS", size="lg",
                                        options=[{"label": LEVEL_LABELS[l], "value": l} for l in UNIT_LEVELS])],
                            md=3),
                    dbc.Col([dbc.Label("Crew contact", html_for=ids.UNIT_FORM_CREW),
                             dbc.Input(id=ids.UNIT_FORM_CREW, placeholder="+91 …", size="lg")], md=3),
                ]),
                dbc.Button("Register unit", id=ids.UNIT_FORM_SUBMIT, color="danger", size="lg", className="mt-3"),
            ]), className="mb-3"),
            html.Div([
                dbc.Button("Out of service / back in service", id=ids.UNIT_SERVICE_TOGGLE, color="secondary",
                           size="lg", className="me-2"),
                dbc.Button("Retire selected unit", id=ids.UNIT_RETIRE, color="danger", outline=True, size="lg"),
            ], className="mb-2"),
            dag.AgGrid(
                id=ids.UNITS_GRID,
                columnDefs=COLUMNS,
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"rowSelection": {"mode": "singleRow"}, "domLayout": "autoHeight",
                                 "stopEditingWhenCellsLoseFocus": True, "rowHeight": 48},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"width": "100%"},
            ),
            html.Div(id="units-updated"),
            dcc.Interval(id=ids.UNITS_REFRESH, interval=5_000),
        ]
    )


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
    Output(ids.UNITS_GRID, "rowData"),
    Output("units-updated", "children"),
    Output(ids.UNITS_MESSAGE, "children"),
    Output(ids.UNITS_MESSAGE, "color"),
    Output(ids.UNITS_MESSAGE, "is_open"),
    Output(ids.UNIT_FORM_CALL_SIGN, "invalid"),
    Output("unit-call-sign-feedback", "children"),
    Output(ids.UNIT_FORM_CALL_SIGN, "value"),
    Input(ids.UNITS_REFRESH, "n_intervals"),
    Input(ids.UNIT_FORM_SUBMIT, "n_clicks"),
    Input(ids.UNIT_RETIRE, "n_clicks"),
    Input(ids.UNIT_SERVICE_TOGGLE, "n_clicks"),
    Input(ids.UNITS_GRID, "cellValueChanged"),
    State(ids.UNIT_FORM_CALL_SIGN, "value"),
    State(ids.UNIT_FORM_PLATE, "value"),
    State(ids.UNIT_FORM_LEVEL, "value"),
    State(ids.UNIT_FORM_CREW, "value"),
    State(ids.UNITS_GRID, "selectedRows"),
)
@allowed_roles(Role.HOSPITAL_ADMIN)
def units(_n, _register, _retire, _toggle, changes, call_sign, plate, level, crew, selected):
    now = utcnow()
    trigger = ctx.triggered_id
    message, color, invalid, feedback, call_sign_value = dash.no_update, dash.no_update, False, "", dash.no_update
    with db_session() as session:
        actor = actor_in(session)
        try:
            with session.begin_nested():
                if trigger == ids.UNIT_FORM_SUBMIT and _register:
                    unit = dispatch.register_unit(session, actor=actor, call_sign=call_sign or "",
                                                  registration_plate=plate or "", level=level or "BLS",
                                                  crew_contact=crew or "", now=now)
                    message, color, call_sign_value = f"{unit.call_sign} registered and available.", "success", ""
                elif trigger in (ids.UNIT_RETIRE, ids.UNIT_SERVICE_TOGGLE) and (_retire or _toggle):
                    if not selected:
                        message, color = "Select a unit in the table first.", "warning"
                    else:
                        unit_id = int(selected[0]["id"])
                        if trigger == ids.UNIT_RETIRE:
                            unit = dispatch.retire_unit(session, actor=actor, unit_id=unit_id, now=now)
                            message, color = f"{unit.call_sign} retired.", "secondary"
                        else:
                            current = selected[0]["status"]
                            target = "available" if current == "Out of service" else "out_of_service"
                            unit = dispatch.move_unit(session, actor=actor, unit_id=unit_id, to_status=target, now=now)
                            message, color = f"{unit.call_sign} is {UNIT_STATUS_LABELS[target].lower()}.", "success"
                elif trigger == ids.UNITS_GRID and changes:
                    for change in changes:
                        row = change["data"]
                        dispatch.edit_unit(session, actor=actor, unit_id=int(row["id"]), call_sign=row["call_sign"],
                                           registration_plate=row.get("registration_plate") or "",
                                           level=row["level"], crew_contact=row.get("crew_contact") or "")
                    message, color = "Saved.", "success"
        except InvalidInput as bad:
            message, color = bad.message, "danger"
            if trigger == ids.UNIT_FORM_SUBMIT and bad.field == "call_sign":
                invalid, feedback = True, bad.message
        except DomainError as error:
            message, color = error.message, "danger"
        rows = _rows(dispatch.list_units(session, actor=actor), now)
    show = True if message is not dash.no_update else dash.no_update
    return rows, last_updated(now), message, color, show, invalid, feedback, call_sign_value

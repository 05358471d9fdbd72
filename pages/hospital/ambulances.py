"""Hospital admin: the hospital's ambulances. Register a unit, edit it in the grid, take it out of
service or back, retire it. Status and time in status update by themselves."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.actions import act
from auth.callback_types import rows as record_rows
from auth.callback_types import shaped
from auth.context import actor_in, db_session, public_url, state
from auth.roles import allowed_roles
from components import crew as crew_view
from components.answers import answer, answer_outputs, warn
from components.cards import last_updated, page_header
from components.format import ago, duration, local_time
from components.i18n import N_, _
from components.triggers import pressed
from db import crew, dispatch, positions
from db.clock import utcnow
from db.models import UNIT_LEVELS
from db.parse import record_id
from db.vocabulary import LEVEL_LABELS, UNIT_STATUS_LABELS, Role, sos_number

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital/ambulances", title=N_("Ambulances"),
                   allowed_roles=ROLES, nav_label=N_("Ambulances"), nav_order=2)


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
    MAP = "units-map"
    MAP_LAYER = "units-map-layer"
    POSITIONS = "units-positions"
    LINK_UNIT = "crew-link-unit"
    LINK_ISSUE = "crew-link-issue"
    LINK_MESSAGE = "crew-link-message"
    LINK_URL = "crew-link-url"
    LINKS = "crew-links"
    LINKS_CHANGED = "crew-links-changed"

    @staticmethod
    def revoke(link_id) -> dict:
        return {"type": "crew-link-revoke", "link": link_id}


def columns() -> list[dict]:
    """The units grid's columns, headed in the page's language (a unit's status colours by its
    code, whatever language its label is in)."""
    return [
        {"field": "call_sign", "headerName": _("Call sign"), "editable": True, "width": 130},
        {"field": "status", "headerName": _("Status"), "width": 150,
         "cellClassRules": {"text-success fw-bold": "params.data.status_code == 'available'",
                            "text-danger fw-bold": "params.data.status_code == 'out_of_service'"}},
        {"field": "in_status", "headerName": _("Time in status"), "width": 140},
        {"field": "level", "headerName": _("Level"), "editable": True, "width": 100,
         "cellEditor": "agSelectCellEditor", "cellEditorParams": {"values": list(UNIT_LEVELS)}},
        {"field": "registration_plate", "headerName": _("Plate"), "editable": True, "width": 150},
        {"field": "crew_contact", "headerName": _("Crew contact"), "editable": True, "flex": 1, "minWidth": 160},
        {"field": "sos", "headerName": _("On SOS"), "width": 110},
    ]


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Ambulances"),
                        _("Edit a cell to change it. Select a row to take a unit out of service or retire it.")),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Card(dbc.CardBody([
                html.H2(_("Register a unit"), className="h5"),
                dbc.Row([
                    dbc.Col([dbc.Label(_("Call sign"), html_for=ID.CALL_SIGN),
                             dbc.Input(id=ID.CALL_SIGN, placeholder="AMB-4", size="lg"),
                             dbc.FormFeedback(id=ID.CALL_SIGN_FEEDBACK, type="invalid")], md=3),
                    dbc.Col([dbc.Label(_("Registration plate"), html_for=ID.PLATE),
                             dbc.Input(id=ID.PLATE, placeholder="KA-01-AB-1234", size="lg")], md=3),
                    dbc.Col([dbc.Label(_("Level"), html_for=ID.LEVEL),
                             dbc.Select(id=ID.LEVEL, value="BLS", size="lg",
                                        options=[{"label": _(LEVEL_LABELS[level]), "value": level} for level in UNIT_LEVELS])],
                            md=3),
                    dbc.Col([dbc.Label(_("Crew contact"), html_for=ID.CREW),
                             dbc.Input(id=ID.CREW, placeholder="+91 …", size="lg")], md=3),
                ]),
                dbc.Button(_("Register unit"), id=ID.REGISTER, color="danger", size="lg", className="mt-3"),
            ]), className="mb-3"),
            html.Div([
                dbc.Button(_("Out of service / back in service"), id=ID.SERVICE_TOGGLE, color="secondary",
                           size="lg", className="me-2"),
                dbc.Button(_("Retire selected unit"), id=ID.RETIRE, color="danger", outline=True, size="lg"),
            ], className="mb-2"),
            dag.AgGrid(
                id=ID.GRID,
                columnDefs=columns(),
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"rowSelection": {"mode": "singleRow"}, "domLayout": "autoHeight",
                                 "stopEditingWhenCellsLoseFocus": True, "rowHeight": 48},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"width": "100%"},
            ),
            html.Div(id=ID.UPDATED),
            dbc.Card(dbc.CardBody([
                html.H2(_("Where the units are"), className="h5"),
                html.P(_("Each unit's last position as its crew's phone sent it; older than 2 min is greyed as stale."),
                       className="text-muted mb-2"),
                crew_view.legend(),
                dl.Map(crew_view.tiles(state()["config"].map_tiles_url) + [dl.LayerGroup(id=ID.MAP_LAYER)],
                       id=ID.MAP, center=list(state()["config"].map_center), zoom=12,
                       style={"height": "360px", "width": "100%"}, className="my-2"),
                html.Div(id=ID.POSITIONS),
            ]), className="mt-3"),
            dbc.Card(dbc.CardBody([
                html.H2(_("Crew links"), className="h5"),
                html.P(_("A link opens the crew screen on a phone as the crew of one unit: its current job, its "
                         "status buttons, its position. The link is shown once; revoke it and that phone stops at its "
                         "next request."), className="text-muted mb-2"),
                dbc.Label(_("Unit"), html_for=ID.LINK_UNIT, className="fw-semibold"),
                dbc.InputGroup([dbc.Select(id=ID.LINK_UNIT, options=[], placeholder=_("Choose a unit")),
                                dbc.Button(_("Issue crew link"), id=ID.LINK_ISSUE, color="danger")], size="lg"),
                html.Div(id=ID.LINK_MESSAGE, className="mt-2"),
                html.Div(id=ID.LINKS, className="mt-2"),
            ]), className="mt-3"),
            dcc.Store(id=ID.CHANGED),
            dcc.Store(id=ID.LINKS_CHANGED, data=0),
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
                  describe=lambda unit: _("%(call_sign)s registered and available.", call_sign=unit.call_sign))
    feedback = outcome.message_for("call_sign")
    return (*answer(outcome), bool(feedback), feedback, "" if outcome.ok else dash.no_update)


def _on_selected_unit(operation, selected, describe, *, color: str = "success") -> tuple:
    """`operation` on the unit selected in the grid, once a button was really pressed."""
    if not pressed():
        raise dash.exceptions.PreventUpdate
    selected = record_rows(selected)
    if not selected:
        return warn(_("Select a unit in the table first."))
    return answer(act(operation, unit_id=record_id(selected[0].get("id")), describe=describe), color=color)


@callback(*ACTION_OUTPUTS, Input(ID.SERVICE_TOGGLE, "n_clicks"), State(ID.GRID, "selectedRows"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def toggle_service(_clicks, selected):
    return _on_selected_unit(dispatch.toggle_service, selected,
                             lambda unit: _("%(call_sign)s is %(status)s.", call_sign=unit.call_sign,
                                             status=_(UNIT_STATUS_LABELS[unit.status]).lower()))


@callback(*ACTION_OUTPUTS, Input(ID.RETIRE, "n_clicks"), State(ID.GRID, "selectedRows"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def retire(_clicks, selected):
    return _on_selected_unit(dispatch.retire_unit, selected, lambda unit: _("%(call_sign)s retired.", call_sign=unit.call_sign),
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
    edited = [shaped(change.get("data"), dict) for change in record_rows(changes)]
    return answer(act(_save_rows, rows=edited, describe=lambda _result: _("Saved.")))


# ---- the view ---------------------------------------------------------------------------------


def _rows(units, now):
    return [
        {
            "id": str(u.id),
            "call_sign": u.call_sign,
            "status": _(UNIT_STATUS_LABELS[u.status]),
            "status_code": u.status,
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


# ---- where the units are, and crew links ---------------------------------------------------------


@callback(
    Output(ID.MAP_LAYER, "children"),
    Output(ID.POSITIONS, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.CHANGED, "data"),
)
@allowed_roles(*ROLES)
def refresh_positions(_n, _changed):
    now = utcnow()
    with db_session() as session:
        units = positions.hospital_units(session, actor=actor_in(session), now=now)
    return crew_view.units_layers(units), crew_view.units_list(units)


@callback(Output(ID.LINK_MESSAGE, "children", allow_duplicate=True),
          Output(ID.LINKS_CHANGED, "data", allow_duplicate=True),
          Input(ID.LINK_ISSUE, "n_clicks"), State(ID.LINK_UNIT, "value"), State(ID.LINKS_CHANGED, "data"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def issue_crew_link(_clicks, unit_id, changed):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    if not unit_id:
        return dbc.Alert(_("Choose the unit the link is for."), color="warning"), dash.no_update
    outcome = act(crew.issue, ambulance_id=record_id(unit_id))
    if not outcome.ok:
        return dbc.Alert(outcome.message, color="danger"), dash.no_update
    token, row = outcome.result
    url = public_url(f"/kiosk/crew/{token}")
    return (dbc.Alert([html.Strong(_("Crew link for “%(label)s” (shown once: open it on the crew's phone now):",
                                     label=row.label) + " "),
                       html.Code(url, id=ID.LINK_URL, className="text-break")], color="success"), (changed or 0) + 1)


@callback(Output(ID.LINK_MESSAGE, "children", allow_duplicate=True),
          Output(ID.LINKS_CHANGED, "data", allow_duplicate=True),
          Input(ID.revoke(ALL), "n_clicks"), State(ID.LINKS_CHANGED, "data"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def revoke_crew_link(_clicks, changed):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(crew.revoke, link_id=record_id(ctx.triggered_id["link"]))
    if not outcome.ok:
        return dbc.Alert(outcome.message, color="danger"), dash.no_update
    return (dbc.Alert(_("“%(label)s” revoked: that phone stops at its next request.", label=outcome.result.label),
                      color="secondary"),
            (changed or 0) + 1)


@callback(Output(ID.LINKS, "children"), Output(ID.LINK_UNIT, "options"),
          Input(ID.LINKS_CHANGED, "data"), Input(ID.CHANGED, "data"))
@allowed_roles(*ROLES)
def refresh_links(_changed, _units_changed):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        links = crew.active(session, actor=actor)
        options = [{"label": f"{u.call_sign} · {u.level}", "value": str(u.id)}
                   for u in dispatch.list_units(session, actor=actor)]
    items = [dbc.ListGroupItem(dbc.Row([
        dbc.Col([html.Div(f"{call_sign} · {link.label}", className="fw-semibold"),
                 html.Small(_("issued %(time)s · last used %(ago)s", time=local_time(link.issued_at, with_date=True),
                              ago=ago(link.last_seen_at, now)),
                            className="text-muted")], md=9),
        dbc.Col(dbc.Button(_("Revoke"), id=ID.revoke(link.id), color="outline-danger"), md=3, className="text-md-end"),
    ], align="center")) for link, call_sign in links]
    listed = dbc.ListGroup(items) if items else html.P(_("No crew links in force."), className="text-muted mb-0")
    return listed, options

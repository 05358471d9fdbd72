"""Super admin: browse and filter the hash-chained audit log, and check the chain."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate

from auth.actions import act
from auth.callback_types import refusal_is_bad_request
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import admin as ui
from components.cards import last_updated, page_header
from components.format import local_time, plural
from components.i18n import N_
from components.triggers import pressed
from db import audit
from db.clock import utcnow
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/audit", title="Audit log", allowed_roles=(Role.SUPER_ADMIN,),
                   nav_label=N_("Audit log"), nav_order=3)


class ID:
    FILTER_ACTION = "audit-action"
    FILTER_ACTOR = "audit-actor"
    FILTER_OUTCOME = "audit-outcome"
    VERIFY = "audit-verify"
    CHAIN = "audit-chain"
    CHAIN_OK = "audit-chain-ok"
    CHAIN_BROKEN = "audit-chain-broken"
    GRID = "audit-grid"
    UPDATED = "audit-updated"
    REFRESH = "audit-refresh"


COLUMNS = [
    {"field": "id", "headerName": "#", "width": 90},
    {"field": "at", "headerName": "When", "width": 170},
    {"field": "actor", "headerName": "Who", "width": 240},
    {"field": "action", "headerName": "What", "width": 200},
    {"field": "target", "headerName": "On", "width": 140},
    {"field": "outcome", "headerName": "Outcome", "width": 110,
     "cellClassRules": {"text-danger fw-bold": "params.value != 'ok'"}},
    {"field": "detail", "headerName": "Detail", "flex": 1, "minWidth": 200},
]
ANY_OUTCOME = "any"


def layout(**kwargs):
    return html.Div([
        page_header("Audit log", "Append-only and hash-chained: an edited or removed entry is detected."),
        dbc.Row([
            dbc.Col(ui.labelled("Action", ID.FILTER_ACTION, dbc.Input(
                id=ID.FILTER_ACTION, placeholder="contains, e.g. report.", debounce=True)), md=3),
            dbc.Col(ui.labelled("Who", ID.FILTER_ACTOR, dbc.Input(
                id=ID.FILTER_ACTOR, placeholder="email contains", debounce=True)), md=3),
            dbc.Col(ui.labelled("Outcome", ID.FILTER_OUTCOME, dbc.Select(id=ID.FILTER_OUTCOME, value=ANY_OUTCOME, options=[
                {"label": "Any outcome", "value": ANY_OUTCOME}, {"label": "OK", "value": "ok"},
                {"label": "Refused", "value": "refused"}, {"label": "Error", "value": "error"}])), md=2),
            dbc.Col(dbc.Button("Check the chain", id=ID.VERIFY, color="secondary"), md=2,
                    className="d-flex align-items-end"),
        ], className="mb-2 g-2"),
        html.Div(id=ID.CHAIN, className="mb-2"),
        dag.AgGrid(id=ID.GRID, columnDefs=COLUMNS, rowData=[], getRowId="params.data.id",
                   dashGridOptions={"pagination": True, "paginationPageSize": 50, "rowHeight": 40},
                   defaultColDef={"resizable": True, "sortable": True}, style={"height": "640px", "width": "100%"}),
        html.Div(id=ID.UPDATED),
        dcc.Interval(id=ID.REFRESH, interval=15_000),
    ])


@callback(
    Output(ID.GRID, "rowData"),
    Output(ID.UPDATED, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.FILTER_ACTION, "value"),
    Input(ID.FILTER_ACTOR, "value"),
    Input(ID.FILTER_OUTCOME, "value"),
)
@allowed_roles(Role.SUPER_ADMIN)
def browse(_n, action, actor_text, outcome):
    with refusal_is_bad_request(), db_session() as session:
        entries = audit.browse(session, actor=actor_in(session), action=action or "",
                               outcome="" if outcome in (None, ANY_OUTCOME) else outcome,
                               actor_text=actor_text or "")
        rows = [{"id": e.id, "at": local_time(e.at, with_date=True), "actor": e.actor_label, "action": e.action,
                 "target": f"{e.target_type} {e.target_id}".strip(), "outcome": e.outcome, "detail": e.detail}
                for e in entries]
    return rows, last_updated(utcnow())


@callback(Output(ID.CHAIN, "children"), Input(ID.VERIFY, "n_clicks"), prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def check_chain(_clicks):
    if not pressed():
        raise PreventUpdate
    outcome = act(audit.check_chain)
    if not outcome.ok:
        return dbc.Alert(outcome.message, color="danger")
    report = outcome.result
    if report.ok:
        return dbc.Alert(f"Chain intact: {plural(report.checked, 'entry', 'entries')} checked.", color="success", id=ID.CHAIN_OK)
    return dbc.Alert(f"CHAIN BROKEN: {report.problem}", color="danger", id=ID.CHAIN_BROKEN)

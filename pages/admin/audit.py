"""Super admin: browse and filter the hash-chained audit log, and check the chain."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import last_updated, page_header
from components.format import local_time
from db import audit
from db.clock import utcnow
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/audit", title="Audit log", allowed_roles=(Role.SUPER_ADMIN,),
                   nav_label="Audit log", nav_order=3)

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


def layout(**kwargs):
    return html.Div([
        page_header("Audit log", "Append-only and hash-chained: an edited or removed entry is detected."),
        dbc.Row([
            dbc.Col(dbc.Input(id="audit-action", placeholder="Action contains (e.g. report.)", debounce=True), md=3),
            dbc.Col(dbc.Input(id="audit-actor", placeholder="Who (email contains)", debounce=True), md=3),
            dbc.Col(dbc.Select(id="audit-outcome", value="any", options=[
                {"label": "Any outcome", "value": "any"}, {"label": "OK", "value": "ok"},
                {"label": "Refused", "value": "refused"}, {"label": "Error", "value": "error"}]), md=2),
            dbc.Col(dbc.Button("Check the chain", id="audit-verify", color="secondary"), md=2),
        ], className="mb-2 g-2"),
        html.Div(id="audit-chain", className="mb-2"),
        dag.AgGrid(id="audit-grid", columnDefs=COLUMNS, rowData=[], getRowId="params.data.id",
                   dashGridOptions={"pagination": True, "paginationPageSize": 50, "rowHeight": 40},
                   defaultColDef={"resizable": True, "sortable": True}, style={"height": "640px", "width": "100%"}),
        html.Div(id="audit-updated"),
        dcc.Interval(id="audit-refresh", interval=15_000),
    ])


@callback(
    Output("audit-grid", "rowData"),
    Output("audit-chain", "children"),
    Output("audit-updated", "children"),
    Input("audit-refresh", "n_intervals"),
    Input("audit-action", "value"),
    Input("audit-actor", "value"),
    Input("audit-outcome", "value"),
    Input("audit-verify", "n_clicks"),
)
@allowed_roles(Role.SUPER_ADMIN)
def browse(_n, action, actor_text, outcome, verify_clicks):
    now = utcnow()
    chain = dash.no_update
    with db_session() as session:
        actor = actor_in(session)
        entries = audit.browse(session, actor=actor, action=action or "",
                               outcome="" if outcome in (None, "any") else outcome,
                               actor_text=actor_text or "")
        rows = [{"id": e.id, "at": local_time(e.at, with_date=True), "actor": e.actor_label, "action": e.action,
                 "target": f"{e.target_type} {e.target_id}".strip(), "outcome": e.outcome, "detail": e.detail}
                for e in entries]
        if ctx.triggered_id == "audit-verify" and verify_clicks:
            report = audit.verify_chain(session)
            chain = dbc.Alert(f"Chain intact: {report.checked} entries checked.", color="success", id="audit-chain-ok") \
                if report.ok else dbc.Alert(f"CHAIN BROKEN: {report.problem}", color="danger", id="audit-chain-broken")
    return rows, chain, last_updated(now)

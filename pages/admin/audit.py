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
from components.format import count, local_time
from components.i18n import N_, _, ngettext
from components.triggers import pressed
from db import audit
from db.clock import utcnow
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/audit", title=N_("Audit log"), allowed_roles=(Role.SUPER_ADMIN,),
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


def columns() -> list[dict]:
    """The log's columns, headed in the page's language (the entries themselves are the record,
    kept as written: action codes, outcomes, details)."""
    return [
        {"field": "id", "headerName": "#", "width": 90},
        {"field": "at", "headerName": _("When"), "width": 170},
        {"field": "actor", "headerName": _("Who"), "width": 240},
        {"field": "action", "headerName": _("What"), "width": 200},
        {"field": "target", "headerName": _("On"), "width": 140},
        {"field": "outcome", "headerName": _("Outcome"), "width": 110,
         "cellClassRules": {"text-danger fw-bold": "params.value != 'ok'"}},
        {"field": "detail", "headerName": _("Detail"), "flex": 1, "minWidth": 200},
    ]
ANY_OUTCOME = "any"


def layout(**kwargs):
    return html.Div([
        page_header(_("Audit log"), _("Append-only and hash-chained: an edited or removed entry is detected.")),
        dbc.Row([
            dbc.Col(ui.labelled(_("Action"), ID.FILTER_ACTION, dbc.Input(
                id=ID.FILTER_ACTION, placeholder=_("contains, e.g. %(example)s", example="report."), debounce=True)), md=3),
            dbc.Col(ui.labelled(_("Who"), ID.FILTER_ACTOR, dbc.Input(
                id=ID.FILTER_ACTOR, placeholder=_("email contains"), debounce=True)), md=3),
            dbc.Col(ui.labelled(_("Outcome"), ID.FILTER_OUTCOME, dbc.Select(id=ID.FILTER_OUTCOME, value=ANY_OUTCOME, options=[
                {"label": _("Any outcome"), "value": ANY_OUTCOME}, {"label": _("OK"), "value": "ok"},
                {"label": _("Refused"), "value": "refused"}, {"label": _("Error"), "value": "error"}])), md=2),
            dbc.Col(dbc.Button(_("Check the chain"), id=ID.VERIFY, color="secondary"), md=2,
                    className="d-flex align-items-end"),
        ], className="mb-2 g-2"),
        html.Div(id=ID.CHAIN, className="mb-2"),
        dag.AgGrid(id=ID.GRID, columnDefs=columns(), rowData=[], getRowId="params.data.id",
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
        return dbc.Alert(ngettext("Chain intact: %(count)s entry checked.", "Chain intact: %(count)s entries checked.",
                                  report.checked, count=count(report.checked)), color="success", id=ID.CHAIN_OK)
    return dbc.Alert(_("CHAIN BROKEN: %(problem)s", problem=report.problem), color="danger", id=ID.CHAIN_BROKEN)

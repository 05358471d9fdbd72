"""Super admin: every account in one grid. Filter, select a row, then disable, enable, or change
its role (and a hospital admin's hospital). Password hashes and session tokens never leave the
server: the rows are built field by field in components/admin.py."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import admin as ui
from components.cards import last_updated, page_header
from db import hospitals, users
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.vocabulary import ASSIGNABLE_ROLES, ROLE_LABELS, Role

dash.register_page(__name__, path="/admin/users", title="Users", allowed_roles=(Role.SUPER_ADMIN,),
                   nav_label="Users", nav_order=4)


def layout(**kwargs):
    return html.Div(
        [
            page_header("Users", "Find an account, select its row, then disable it, enable it or "
                                 "change its role. Changes end the account's open sessions at once."),
            dbc.Alert(id=ui.USERS_MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col(dbc.Input(id=ui.USERS_FILTER_TEXT, placeholder="Name, email or phone contains",
                                      debounce=True, type="search", size="lg"), md=5),
                    dbc.Col(dbc.Select(id=ui.USERS_FILTER_ROLE, value=ui.ANY, options=ui.ROLE_FILTER_OPTIONS,
                                       size="lg"), md=3),
                    dbc.Col(dbc.Select(id=ui.USERS_FILTER_STATUS, value=ui.ANY, options=ui.STATUS_FILTER_OPTIONS,
                                       size="lg"), md=3),
                ],
                className="mb-3 g-2",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(ui.selected_summary(None), id=ui.USERS_SELECTED, className="fs-5 fw-semibold mb-3"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    html.Div([
                                        dcc.ConfirmDialogProvider(
                                            dbc.Button("Disable", id=ui.USER_DISABLE, color="danger", size="lg",
                                                       className="me-2", disabled=True),
                                            id=ui.USER_DISABLE_CONFIRM,
                                            message="Disable this account? It cannot log in any more and its "
                                                    "open sessions end at once.",
                                        ),
                                        dbc.Button("Enable", id=ui.USER_ENABLE, color="success", size="lg",
                                                   disabled=True),
                                    ], className="d-flex"),
                                    lg=3, className="mb-2",
                                ),
                                dbc.Col(
                                    [dbc.Label("New role", html_for=ui.USER_ROLE, className="visually-hidden"),
                                     dbc.Select(id=ui.USER_ROLE, options=ui.ASSIGNABLE_ROLE_OPTIONS,
                                                placeholder="New role", size="lg")],
                                    lg=3, className="mb-2",
                                ),
                                dbc.Col(
                                    [dbc.Label("Hospital", html_for=ui.USER_HOSPITAL, className="visually-hidden"),
                                     dcc.Dropdown(id=ui.USER_HOSPITAL, options=[], searchable=True, clearable=True,
                                                  placeholder="Hospital: type to search",
                                                  className="fs-5 py-2")],
                                    lg=4, className="mb-2",
                                ),
                                dbc.Col(dbc.Button("Change role", id=ui.USER_CHANGE_ROLE, color="primary",
                                                   size="lg", className="w-100", disabled=True),
                                        lg=2, className="mb-2"),
                            ],
                            className="g-2 align-items-center",
                        ),
                    ]
                ),
                className="mb-3",
                id="admin-user-actions",
            ),
            dag.AgGrid(
                id=ui.USERS_GRID,
                columnDefs=ui.USER_COLUMNS,
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                                  "enableClickSelection": True},
                                 "pagination": True, "paginationPageSize": 50, "rowHeight": 44,
                                 "overlayNoRowsTemplate": "No account matches these filters."},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"height": "620px", "width": "100%"},
            ),
            html.Div(id=ui.USERS_UPDATED),
            dcc.Store(id=ui.USERS_DIGEST),
            dcc.Interval(id=ui.USERS_REFRESH, interval=10_000),
        ]
    )


# The hospital picker only matters for hospital admins: greyed out for every other role.
clientside_callback(
    "function (role) { return role !== Role.HOSPITAL_ADMIN; }",
    Output(ui.USER_HOSPITAL, "disabled"),
    Input(ui.USER_ROLE, "value"),
)


def _row_for(rows, selected):
    if not selected:
        return None
    wanted = str(selected[0].get("id"))
    return next((row for row in rows if row["id"] == wanted), None)


@callback(
    Output(ui.USERS_GRID, "rowData"),
    Output(ui.USERS_DIGEST, "data"),
    Output(ui.USERS_UPDATED, "children"),
    Output(ui.USERS_MESSAGE, "children"),
    Output(ui.USERS_MESSAGE, "color"),
    Output(ui.USERS_MESSAGE, "is_open"),
    Output(ui.USERS_SELECTED, "children"),
    Output(ui.USER_DISABLE, "disabled"),
    Output(ui.USER_ENABLE, "disabled"),
    Output(ui.USER_CHANGE_ROLE, "disabled"),
    Input(ui.USERS_REFRESH, "n_intervals"),
    Input(ui.USERS_FILTER_TEXT, "value"),
    Input(ui.USERS_FILTER_ROLE, "value"),
    Input(ui.USERS_FILTER_STATUS, "value"),
    Input(ui.USER_DISABLE_CONFIRM, "submit_n_clicks"),
    Input(ui.USER_ENABLE, "n_clicks"),
    Input(ui.USER_CHANGE_ROLE, "n_clicks"),
    Input(ui.USERS_GRID, "selectedRows"),
    State(ui.USER_ROLE, "value"),
    State(ui.USER_HOSPITAL, "value"),
    State(ui.USERS_DIGEST, "data"),
)
@allowed_roles(Role.SUPER_ADMIN)
def manage_users(_n, text, role_filter, status_filter, disable_clicks, enable_clicks, change_clicks,
                 selected, new_role, hospital_id, shown_digest):
    now = utcnow()
    trigger = ctx.triggered_id
    message, color = dash.no_update, dash.no_update
    pressed = (trigger == ui.USER_DISABLE_CONFIRM and disable_clicks) or \
              (trigger == ui.USER_ENABLE and enable_clicks) or (trigger == ui.USER_CHANGE_ROLE and change_clicks)
    with db_session() as session:
        actor = actor_in(session)
        if pressed and not selected:
            message, color = "Select an account in the table first.", "warning"
        elif pressed:
            # Only the id comes from the browser; the domain operation checks everything else.
            user_id = selected[0].get("id")
            try:
                with session.begin_nested():
                    if trigger == ui.USER_DISABLE_CONFIRM:
                        user = users.disable_user(session, actor=actor, user_id=user_id, now=now)
                        message = f"{user.email} is disabled: they cannot log in, and their open sessions have ended."
                        color = "success"
                    elif trigger == ui.USER_ENABLE:
                        user = users.enable_user(session, actor=actor, user_id=user_id, now=now)
                        message, color = f"{user.email} is active again and can log in.", "success"
                    else:
                        if not new_role:
                            raise InvalidInput("role", "Choose the new role first.")
                        user = users.change_role(session, actor=actor, user_id=user_id, role=new_role,
                                                 hospital_id=hospital_id, now=now)
                        hospital = hospitals.get(session, user.hospital_id) if user.hospital_id else None
                        where = f" at {hospital.name}" if hospital is not None else ""
                        message = (f"{user.email} is now a {ROLE_LABELS[user.role].lower()}{where}. "
                                   "Their open sessions have ended, so it applies at once.")
                        color = "success"
            except DomainError as error:
                message, color = error.message, "danger"
        my_id = str(actor.id) if actor is not None else ""
        rows = ui.user_rows(users.list_users(session, actor=actor, text=text or "", role=ui.filter_value(role_filter),
                                             status=ui.filter_value(status_filter)))
    fingerprint = ui.digest(rows)
    row = _row_for(rows, selected)
    summary = ui.selected_summary(row, yours=bool(row and row["id"] == my_id)) if row or not selected else \
        "The selected account is not in the list (check the filters)."
    # Buttons act only on a row that is on screen, never on your own account.
    others = bool(row and row["id"] != my_id)
    can_disable = others and row["status_code"] == "active"
    can_enable = others and row["status_code"] == "disabled"
    return (
        rows if fingerprint != shown_digest else dash.no_update,
        fingerprint,
        last_updated(now, element_id="admin-users-last-updated"),
        message,
        color,
        True if message is not dash.no_update else dash.no_update,
        summary,
        not can_disable,
        not can_enable,
        not others,
    )


@callback(
    Output(ui.USER_ROLE, "value"),
    Output(ui.USER_HOSPITAL, "value"),
    Output(ui.USER_HOSPITAL, "options"),
    Input(ui.USERS_GRID, "selectedRows"),
    Input(ui.USER_HOSPITAL, "search_value"),
    State(ui.USER_HOSPITAL, "value"),
    State(ui.USER_HOSPITAL, "options"),
)
@allowed_roles(Role.SUPER_ADMIN)
def prefill_role_form(selected, search, hospital_id, options):
    """Selecting a row puts its current role and hospital in the form; typing in the hospital
    picker searches the directory (only active hospitals can be chosen)."""
    keep = next((o for o in options or [] if o.get("value") == hospital_id), None)
    if ctx.triggered_id == ui.USERS_GRID:
        row = selected[0] if selected else None
        if row is None:
            return None, None, dash.no_update
        keep = {"label": row["hospital"], "value": row["hospital_id"]} if row.get("hospital_id") else None
        role = row.get("role_code") if row.get("role_code") in ASSIGNABLE_ROLES else None
        with db_session() as session:
            options = ui.hospital_options(hospitals.find_active(session), keep=keep)
        return role, row.get("hospital_id"), options
    with db_session() as session:
        options = ui.hospital_options(hospitals.find_active(session, search or ""), keep=keep)
    return dash.no_update, dash.no_update, options

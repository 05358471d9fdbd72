"""Super admin: every account in one grid. Filter, select a row, then disable, enable, or change
its role (and a hospital admin's hospital). Password hashes and session tokens never leave the
server: the rows are built field by field in components/admin.py."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from auth.actions import act
from auth.callback_types import refusal_is_bad_request
from auth.callback_types import rows as record_rows
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import admin as ui
from components import answers
from components.cards import last_updated, page_header
from components.i18n import N_, _
from components.triggers import pressed
from db import hospitals, users
from db.clock import utcnow
from db.vocabulary import ASSIGNABLE_ROLES, ROLE_LABELS, Role

dash.register_page(__name__, path="/admin/users", title=N_("Users"), allowed_roles=(Role.SUPER_ADMIN,),
                   nav_label=N_("Users"), nav_order=4)


class ID:
    GRID = "admin-users-grid"
    MESSAGE = "admin-users-message"
    REFRESH = "admin-users-refresh"
    UPDATED = "admin-users-updated"
    LAST_UPDATED = "admin-users-last-updated"
    DIGEST = "admin-users-digest"
    CHANGED = "admin-users-changed"  # bumped by every action: the grid is read again
    FILTER_TEXT = "admin-users-filter-text"
    FILTER_ROLE = "admin-users-filter-role"
    FILTER_STATUS = "admin-users-filter-status"
    SELECTED = "admin-users-selected"
    ACTIONS = "admin-user-actions"
    DISABLE = "admin-user-disable"
    DISABLE_CONFIRM = "admin-user-disable-confirm"
    ENABLE = "admin-user-enable"
    ROLE = "admin-user-role"
    HOSPITAL = "admin-user-hospital"
    CHANGE_ROLE = "admin-user-change-role"


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Users"), _("Find an account, select its row, then disable it, enable it or "
                                      "change its role. Changes end the account's open sessions at once.")),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col(ui.labelled(_("Search accounts"), ID.FILTER_TEXT, dbc.Input(
                        id=ID.FILTER_TEXT, placeholder=_("Name, email or phone contains"), debounce=True,
                        type="search", size="lg")), md=5),
                    dbc.Col(ui.labelled(_("Role"), ID.FILTER_ROLE, dbc.Select(
                        id=ID.FILTER_ROLE, value=ui.ANY, options=ui.role_filter_options(), size="lg")), md=3),
                    dbc.Col(ui.labelled(_("Status"), ID.FILTER_STATUS, dbc.Select(
                        id=ID.FILTER_STATUS, value=ui.ANY, options=ui.status_filter_options(), size="lg")), md=3),
                ],
                className="mb-3 g-2",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(ui.selected_summary(None), id=ID.SELECTED, className="fs-5 fw-semibold mb-3"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    html.Div([
                                        dcc.ConfirmDialogProvider(
                                            dbc.Button(_("Disable"), id=ID.DISABLE, color="danger", size="lg",
                                                       className="me-2", disabled=True),
                                            id=ID.DISABLE_CONFIRM,
                                            message=_("Disable this account? It cannot log in any more and its "
                                                      "open sessions end at once."),
                                        ),
                                        dbc.Button(_("Enable"), id=ID.ENABLE, color="success", size="lg",
                                                   disabled=True),
                                    ], className="d-flex"),
                                    lg=3, className="mb-2",
                                ),
                                dbc.Col(
                                    [dbc.Label(_("New role"), html_for=ID.ROLE, className="visually-hidden"),
                                     dbc.Select(id=ID.ROLE, options=ui.assignable_role_options(),
                                                placeholder=_("New role"), size="lg")],
                                    lg=3, className="mb-2",
                                ),
                                dbc.Col(
                                    [dbc.Label(_("Hospital"), html_for=ID.HOSPITAL, className="visually-hidden"),
                                     dcc.Dropdown(id=ID.HOSPITAL, options=[], searchable=True, clearable=True,
                                                  placeholder=_("Hospital: type to search"),
                                                  className="fs-5 py-2")],
                                    lg=4, className="mb-2",
                                ),
                                dbc.Col(dbc.Button(_("Change role"), id=ID.CHANGE_ROLE, color="primary",
                                                   size="lg", className="w-100", disabled=True),
                                        lg=2, className="mb-2"),
                            ],
                            className="g-2 align-items-center",
                        ),
                    ]
                ),
                className="mb-3",
                id=ID.ACTIONS,
            ),
            dag.AgGrid(
                id=ID.GRID,
                columnDefs=ui.user_columns(),
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                                  "enableClickSelection": True},
                                 "pagination": True, "paginationPageSize": 50, "rowHeight": 44,
                                 "localeText": {"noRowsToShow": _("No account matches these filters.")}},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"height": "620px", "width": "100%"},
            ),
            html.Div(id=ID.UPDATED),
            dcc.Store(id=ID.DIGEST),
            dcc.Store(id=ID.CHANGED),
            dcc.Interval(id=ID.REFRESH, interval=10_000),
        ]
    )


# The hospital picker only matters for hospital admins: greyed out for every other role.
clientside_callback(
    ClientsideFunction("adminUsers", "hospitalPickerDisabled"),  # assets/admin_users.js
    Output(ID.HOSPITAL, "disabled"),
    Input(ID.ROLE, "value"),
)


# ---- the view --------------------------------------------------------------------------------


def _row_for(rows, selected):
    if not selected:
        return None
    wanted = str(selected[0].get("id"))
    return next((row for row in rows if row["id"] == wanted), None)


def _selection(rows, selected, my_id: str) -> tuple:
    """The selected account in words, and which buttons are greyed out (disable, enable, change
    role): they act only on a row that is on screen, never on your own account."""
    row = _row_for(rows, selected)
    if row is None and selected:
        return _("The selected account is not in the list (check the filters)."), True, True, True
    others = bool(row and row["id"] != my_id)
    summary = ui.selected_summary(row, yours=bool(row) and not others)
    return (summary, not (others and row["status_code"] == "active"),
            not (others and row["status_code"] == "disabled"), not others)


@callback(
    Output(ID.GRID, "rowData"),
    Output(ID.DIGEST, "data"),
    Output(ID.UPDATED, "children"),
    Output(ID.SELECTED, "children"),
    Output(ID.DISABLE, "disabled"),
    Output(ID.ENABLE, "disabled"),
    Output(ID.CHANGE_ROLE, "disabled"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.FILTER_TEXT, "value"),
    Input(ID.FILTER_ROLE, "value"),
    Input(ID.FILTER_STATUS, "value"),
    Input(ID.GRID, "selectedRows"),
    Input(ID.CHANGED, "data"),
    State(ID.DIGEST, "data"),
)
@allowed_roles(Role.SUPER_ADMIN)
def refresh_users(_n, text, role_filter, status_filter, selected, _changed, shown_digest):
    selected = record_rows(selected)
    with refusal_is_bad_request(), db_session() as session:
        actor = actor_in(session)
        my_id = str(actor.id) if actor is not None else ""
        rows = ui.user_rows(users.list_users(session, actor=actor, text=text or "", role=ui.filter_value(role_filter),
                                             status=ui.filter_value(status_filter)))
    fingerprint = ui.digest(rows)
    return (
        rows if fingerprint != shown_digest else no_update,
        fingerprint,
        last_updated(utcnow(), element_id=ID.LAST_UPDATED),
        *_selection(rows, selected, my_id),
    )


# ---- actions on the selected account -----------------------------------------------------------

ACTION = answers.answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True)


def _on_selected(selected, operation, describe, **inputs) -> tuple:
    if not pressed():
        raise PreventUpdate
    selected = record_rows(selected)
    if not selected:
        return answers.warn(_("Select an account in the table first."))
    # Only the id comes from the browser; the domain operation checks everything else.
    return answers.answer(act(operation, user_id=selected[0].get("id"), describe=describe, **inputs))


@callback(*ACTION, Input(ID.DISABLE_CONFIRM, "submit_n_clicks"), State(ID.GRID, "selectedRows"),
          prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def disable(_confirmed, selected):
    return _on_selected(selected, users.disable_user, lambda user: _(
        "%(email)s is disabled: they cannot log in, and their open sessions have ended.", email=user.email))


@callback(*ACTION, Input(ID.ENABLE, "n_clicks"), State(ID.GRID, "selectedRows"), prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def enable(_clicks, selected):
    return _on_selected(selected, users.enable_user, lambda user: _("%(email)s is active again and can log in.",
                                                                           email=user.email))


def _role_changed(user) -> str:
    role = _(ROLE_LABELS[user.role]).lower()
    if user.hospital is not None:
        return _("%(email)s is now a %(role)s at %(hospital)s. Their open sessions have ended, so it applies at "
                 "once.", email=user.email, role=role, hospital=user.hospital.name)
    return _("%(email)s is now a %(role)s. Their open sessions have ended, so it applies at once.",
             email=user.email, role=role)


@callback(*ACTION, Input(ID.CHANGE_ROLE, "n_clicks"), State(ID.GRID, "selectedRows"), State(ID.ROLE, "value"),
          State(ID.HOSPITAL, "value"), prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def change_role(_clicks, selected, role, hospital_id):
    if selected and not role and pressed():
        return answers.warn(_("Choose the new role first."), color="danger")
    return _on_selected(selected, users.change_role, _role_changed, role=role, hospital_id=hospital_id)


# ---- the role form -------------------------------------------------------------------------------


@callback(
    Output(ID.ROLE, "value"),
    Output(ID.HOSPITAL, "value"),
    Output(ID.HOSPITAL, "options", allow_duplicate=True),
    Input(ID.GRID, "selectedRows"),
    prevent_initial_call=True,
)
@allowed_roles(Role.SUPER_ADMIN)
def prefill_role_form(selected):
    """Selecting a row puts its current role and hospital in the form."""
    selected = record_rows(selected)
    row = selected[0] if selected else None
    if row is None:
        return None, None, no_update
    keep = {"label": row["hospital"], "value": row["hospital_id"]} if row.get("hospital_id") else None
    role = row.get("role_code") if row.get("role_code") in ASSIGNABLE_ROLES else None
    with db_session() as session:
        options = ui.hospital_options(hospitals.find_active(session), keep=keep)
    return role, row.get("hospital_id"), options


@callback(
    Output(ID.HOSPITAL, "options"),
    Input(ID.HOSPITAL, "search_value"),
    State(ID.HOSPITAL, "value"),
    State(ID.HOSPITAL, "options"),
)
@allowed_roles(Role.SUPER_ADMIN)
def search_hospitals(search, hospital_id, options):
    """Typing in the hospital picker searches the directory (only active hospitals can be
    chosen); the hospital already chosen stays in the list."""
    keep = next((o for o in record_rows(options) if o.get("value") == hospital_id), None)
    with refusal_is_bad_request(), db_session() as session:
        return ui.hospital_options(hospitals.find_active(session, search or ""), keep=keep)

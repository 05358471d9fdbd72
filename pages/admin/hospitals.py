"""Super admin: the hospital directory in a grid. Edit a cell (name, address, city, phone,
latitude, longitude, status) to correct it; a refused value is explained and the cell shows the
stored value again. EMS status is the hospital's own and is not edited here."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from auth.actions import act
from auth.callback_types import refusal_is_bad_request, rows, shaped
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import admin as ui
from components import answers
from components.cards import last_updated, page_header
from components.i18n import N_, _
from db import hospitals
from db.clock import utcnow
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/hospitals", title=N_("Hospitals"), allowed_roles=(Role.SUPER_ADMIN,),
                   nav_label=N_("Hospitals"), nav_order=5)


class ID:
    GRID = "admin-hospitals-grid"
    MESSAGE = "admin-hospitals-message"
    REFRESH = "admin-hospitals-refresh"
    UPDATED = "admin-hospitals-updated"
    LAST_UPDATED = "admin-hospitals-last-updated"
    DIGEST = "admin-hospitals-digest"
    CHANGED = "admin-hospitals-changed"  # bumped by every edit: the grid is sent again
    FILTER_TEXT = "admin-hospitals-filter-text"
    FILTER_STATUS = "admin-hospitals-filter-status"


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Hospitals"), _("Double-click a cell to correct it. Proposed hospitals are listed first; "
                                          "EMS status is set by each hospital.")),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col(ui.labelled(_("Search hospitals"), ID.FILTER_TEXT, dbc.Input(
                        id=ID.FILTER_TEXT, placeholder=_("Name, address or city contains"), debounce=True,
                        type="search", size="lg")), md=5),
                    dbc.Col(ui.labelled(_("Status"), ID.FILTER_STATUS, dbc.Select(
                        id=ID.FILTER_STATUS, value=ui.ANY, options=ui.hospital_status_filter_options(), size="lg")),
                        md=3),
                ],
                className="mb-3 g-2",
            ),
            dag.AgGrid(
                id=ID.GRID,
                columnDefs=ui.hospital_columns(),
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"pagination": True, "paginationPageSize": 50, "rowHeight": 44,
                                 "stopEditingWhenCellsLoseFocus": True,
                                 "localeText": {"noRowsToShow": _("No hospital matches these filters.")}},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"height": "620px", "width": "100%"},
            ),
            html.Small(_("At most %(limit)s hospitals are listed: use the filters to find one in a large directory.",
                         limit=hospitals.ADMIN_LIST_LIMIT), className="text-muted d-block mt-1"),
            html.Div(id=ID.UPDATED),
            dcc.Store(id=ID.DIGEST),
            dcc.Store(id=ID.CHANGED),
            dcc.Interval(id=ID.REFRESH, interval=15_000),
        ]
    )


@callback(
    Output(ID.GRID, "rowData"),
    Output(ID.DIGEST, "data"),
    Output(ID.UPDATED, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.FILTER_TEXT, "value"),
    Input(ID.FILTER_STATUS, "value"),
    Input(ID.CHANGED, "data"),
    State(ID.DIGEST, "data"),
)
@allowed_roles(Role.SUPER_ADMIN)
def refresh_hospitals(_n, text, status_filter, _changed, shown_digest):
    with refusal_is_bad_request(), db_session() as session:
        rows = ui.hospital_rows(hospitals.list_for_admin(session, actor=actor_in(session), text=text or "",
                                                         status=ui.filter_value(status_filter)))
    fingerprint = ui.digest(rows)
    # After an edit the grid is always sent again: a refused cell must show the stored value.
    send = ctx.triggered_id == ID.CHANGED or fingerprint != shown_digest
    return rows if send else no_update, fingerprint, last_updated(utcnow(), element_id=ID.LAST_UPDATED)


def _save(change: dict):
    """One edited cell, applied on top of the stored row (db/hospitals.py edit_hospital_field)."""
    field = change.get("colId")
    return act(hospitals.edit_hospital_field, hospital_id=shaped(change.get("data"), dict, {}).get("id"), field=field,
               value=change.get("value"), describe=lambda hospital: _("%(hospital)s: %(field)s saved.", hospital=hospital.name, field=field))


@callback(*answers.answer_outputs(ID.MESSAGE, ID.CHANGED), Input(ID.GRID, "cellValueChanged"), prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def save_cells(changes):
    if not changes:
        raise PreventUpdate
    outcomes = [_save(change) for change in rows(changes if isinstance(changes, list) else [changes])]
    refused = [outcome.message for outcome in outcomes if not outcome.ok]
    if refused:
        return answers.said(" ".join(refused) + " " + _("Not saved: the cell shows the stored value again."), "danger")
    return answers.said(" ".join(outcome.result for outcome in outcomes), "success")

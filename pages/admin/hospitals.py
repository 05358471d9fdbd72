"""Super admin: the hospital directory in a grid. Edit a cell (name, address, city, phone,
latitude, longitude, status) to correct it; a refused value is explained and the cell shows the
stored value again. EMS status is the hospital's own and is not edited here."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import admin as ui
from components.cards import last_updated, page_header
from db import hospitals
from db.clock import utcnow
from db.errors import DomainError, InvalidInput, NotFound
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/hospitals", title="Hospitals", allowed_roles=(Role.SUPER_ADMIN,),
                   nav_label="Hospitals", nav_order=5)

EDITABLE = ("name", "address", "city", "phone", "latitude", "longitude", "status")


def layout(**kwargs):
    return html.Div(
        [
            page_header("Hospitals", "Double-click a cell to correct it. Proposed hospitals are listed first; "
                                     "EMS status is set by each hospital."),
            dbc.Alert(id=ui.HOSPITALS_MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col(dbc.Input(id=ui.HOSPITALS_FILTER_TEXT, placeholder="Name, address or city contains",
                                      debounce=True, type="search", size="lg"), md=5),
                    dbc.Col(dbc.Select(id=ui.HOSPITALS_FILTER_STATUS, value=ui.ANY,
                                       options=ui.HOSPITAL_STATUS_FILTER_OPTIONS, size="lg"), md=3),
                ],
                className="mb-3 g-2",
            ),
            dag.AgGrid(
                id=ui.HOSPITALS_GRID,
                columnDefs=ui.HOSPITAL_COLUMNS,
                rowData=[],
                getRowId="params.data.id",
                dashGridOptions={"pagination": True, "paginationPageSize": 50, "rowHeight": 44,
                                 "stopEditingWhenCellsLoseFocus": True,
                                 "overlayNoRowsTemplate": "No hospital matches these filters."},
                defaultColDef={"resizable": True, "sortable": True},
                className="fs-6",
                style={"height": "620px", "width": "100%"},
            ),
            html.Small(f"At most {hospitals.ADMIN_LIST_LIMIT} hospitals are listed: use the filters to find "
                       "one in a large directory.", className="text-muted d-block mt-1"),
            html.Div(id=ui.HOSPITALS_UPDATED),
            dcc.Store(id=ui.HOSPITALS_DIGEST),
            dcc.Interval(id=ui.HOSPITALS_REFRESH, interval=15_000),
        ]
    )


def _apply(session, actor, change, now):
    """Apply one edited cell on top of the stored row, so a stale value elsewhere in the
    browser's row never overwrites someone else's newer change."""
    field = change.get("colId")
    if field not in EDITABLE:
        raise InvalidInput(str(field), "That column cannot be edited here.")
    row_id = str((change.get("data") or {}).get("id") or "")
    hospital = hospitals.get(session, int(row_id)) if row_id.isdigit() else None
    if hospital is None:
        raise NotFound("That hospital no longer exists.")
    values = {name: getattr(hospital, name) for name in EDITABLE}
    values[field] = change.get("value")
    return hospitals.edit_hospital(session, actor=actor, hospital_id=hospital.id, now=now, **values)


@callback(
    Output(ui.HOSPITALS_GRID, "rowData"),
    Output(ui.HOSPITALS_DIGEST, "data"),
    Output(ui.HOSPITALS_UPDATED, "children"),
    Output(ui.HOSPITALS_MESSAGE, "children"),
    Output(ui.HOSPITALS_MESSAGE, "color"),
    Output(ui.HOSPITALS_MESSAGE, "is_open"),
    Input(ui.HOSPITALS_REFRESH, "n_intervals"),
    Input(ui.HOSPITALS_FILTER_TEXT, "value"),
    Input(ui.HOSPITALS_FILTER_STATUS, "value"),
    Input(ui.HOSPITALS_GRID, "cellValueChanged"),
    State(ui.HOSPITALS_DIGEST, "data"),
)
@allowed_roles(Role.SUPER_ADMIN)
def manage_hospitals(_n, text, status_filter, changes, shown_digest):
    now = utcnow()
    edited = ctx.triggered_id == ui.HOSPITALS_GRID and bool(changes)
    message, color = dash.no_update, dash.no_update
    with db_session() as session:
        actor = actor_in(session)
        if edited:
            saved, refused = [], []
            for change in changes if isinstance(changes, list) else [changes]:
                try:
                    with session.begin_nested():
                        hospital = _apply(session, actor, change, now)
                    saved.append(f"{hospital.name}: {change.get('colId')} saved.")
                except DomainError as error:
                    refused.append(error.message)
            if refused:
                message = " ".join(refused) + " Not saved: the cell shows the stored value again."
                color = "danger"
            else:
                message, color = " ".join(saved), "success"
        rows = ui.hospital_rows(hospitals.list_for_admin(session, actor=actor, text=text or "",
                                                         status=ui.filter_value(status_filter)))
    fingerprint = ui.digest(rows)
    # After an edit the grid is always sent again: a refused cell must show the stored value.
    send = edited or fingerprint != shown_digest
    return (
        rows if send else dash.no_update,
        fingerprint,
        last_updated(now, element_id="admin-hospitals-last-updated"),
        message,
        color,
        True if message is not dash.no_update else dash.no_update,
    )

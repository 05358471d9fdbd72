"""Hospital admin: beds (per type: total and free, steppers), EMS traffic status, blood stock
(received / issued, low-stock threshold, expiry). Figures shown refresh by themselves; what the
admin is typing is never overwritten by a refresh."""

from datetime import date

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.capacity import BLOOD_COLUMNS, bed_editor_card, blood_rows, figure_line
from components.cards import last_updated, page_header
from db import blood, capacity, hospitals
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.models import BLOOD_COMPONENTS, BLOOD_GROUPS
from db.vocabulary import Role

dash.register_page(__name__, path="/hospital/capacity", title="Beds and blood",
                   allowed_roles=(Role.HOSPITAL_ADMIN,), nav_label="Beds & blood", nav_order=3)

BED_TOTAL = "bed-total"
BED_AVAILABLE = "bed-available"
BED_SAVE = "bed-save"
BED_STEP = "bed-step"
BED_NOW = "bed-now"
BED_MESSAGE = "bed-message"
BED_VERSIONS = "bed-versions"
BEDS_REFRESH = "beds-refresh"
BEDS_UPDATED = "beds-updated"


def layout(**kwargs):
    from flask_login import current_user

    if not current_user.is_authenticated:
        return html.Div()
    with db_session() as session:
        actor = actor_in(session)
        figures = capacity.beds_of_hospital(session, actor=actor, hospital_id=actor.hospital_id)
        hospital = hospitals.get(session, actor.hospital_id)
        ems_status, ems_reason = hospital.ems_status, hospital.ems_reason
    return html.Div(
        [
            page_header("Beds and blood", "Keep these figures current: citizens and ambulances rely on them."),
            html.H2("Beds", className="h4"),
            dbc.Row([dbc.Col(bed_editor_card(f), md=4, className="mb-3") for f in figures]),
            dcc.Store(id=BED_VERSIONS, data={f.code: f.version for f in figures}),
            html.Div(id=BEDS_UPDATED),
            dcc.Interval(id=BEDS_REFRESH, interval=10_000),
            html.H2("Emergency department (EMS traffic)", className="h4 mt-3"),
            dbc.Card(dbc.CardBody([
                dbc.RadioItems(
                    id="ems-status",
                    options=[{"label": label, "value": value} for value, label in capacity.EMS_LABELS.items()],
                    value=ems_status, inline=True, className="fs-5 mb-2",
                ),
                dbc.Input(id="ems-reason", value=ems_reason, placeholder="Reason (required unless Normal)", size="lg",
                          maxLength=300),
                dbc.FormFeedback(id="ems-reason-feedback", type="invalid"),
                dbc.Button("Save EMS status", id="ems-save", color="danger", size="lg", className="mt-2"),
                html.Div(id="ems-message", className="mt-2 fs-5"),
            ]), className="mb-3"),
            html.H2("Blood stock", className="h4 mt-3"),
            dbc.Card(dbc.CardBody([
                dbc.Row([
                    dbc.Col([dbc.Label("Component", html_for="blood-component"),
                             dbc.Select(id="blood-component", value="whole_blood", size="lg",
                                        options=[{"label": blood.COMPONENT_LABELS[c], "value": c} for c in BLOOD_COMPONENTS])],
                            md=3),
                    dbc.Col([dbc.Label("Group", html_for="blood-group"),
                             dbc.Select(id="blood-group", value="O+", size="lg",
                                        options=[{"label": g, "value": g} for g in BLOOD_GROUPS])], md=2),
                    dbc.Col([dbc.Label("Units", html_for="blood-units"),
                             dbc.Input(id="blood-units", type="text", inputMode="numeric", placeholder="e.g. 2", size="lg"),
                             dbc.FormFeedback(id="blood-units-feedback", type="invalid")], md=2),
                    dbc.Col([html.Div(className="d-none d-md-block", style={"height": "2rem"}),
                             dbc.Button("Received", id="blood-received", color="success", size="lg", className="me-2"),
                             dbc.Button("Issued", id="blood-issued", color="warning", size="lg")], md=5),
                ]),
                dbc.Row([
                    dbc.Col([dbc.Label("Low-stock threshold (units)", html_for="blood-threshold"),
                             dbc.Input(id="blood-threshold", type="text", inputMode="numeric", size="lg"),
                             dbc.FormFeedback(id="blood-threshold-feedback", type="invalid")], md=3),
                    dbc.Col([dbc.Label("Earliest expiry", html_for="blood-expiry"),
                             dcc.DatePickerSingle(id="blood-expiry", display_format="DD MMM YYYY")], md=3),
                    dbc.Col([html.Div(className="d-none d-md-block", style={"height": "2rem"}),
                             dbc.Button("Save threshold / expiry", id="blood-save-settings", color="secondary",
                                        size="lg")], md=4),
                ], className="mt-2"),
                html.Div(id="blood-message", className="mt-2 fs-5"),
                html.Small(blood.CROSSMATCH_NOTE, className="text-muted d-block mt-1"),
            ]), className="mb-2"),
            dag.AgGrid(id="blood-grid", columnDefs=BLOOD_COLUMNS, rowData=[], getRowId="params.data.group",
                       dashGridOptions={"domLayout": "autoHeight", "rowHeight": 44}, style={"width": "100%"},
                       defaultColDef={"resizable": True}),
            html.Div(id="blood-updated"),
            dcc.Interval(id="blood-refresh", interval=10_000),
        ]
    )


@callback(
    Output({"type": BED_NOW, "code": ALL}, "children"),
    Output({"type": BED_MESSAGE, "code": ALL}, "children"),
    Output({"type": BED_TOTAL, "code": ALL}, "value"),
    Output({"type": BED_AVAILABLE, "code": ALL}, "value"),
    Output({"type": BED_TOTAL, "code": ALL}, "invalid"),
    Output({"type": BED_AVAILABLE, "code": ALL}, "invalid"),
    Output(BED_VERSIONS, "data"),
    Output(BEDS_UPDATED, "children"),
    Input(BEDS_REFRESH, "n_intervals"),
    Input({"type": BED_SAVE, "code": ALL}, "n_clicks"),
    Input({"type": BED_STEP, "code": ALL, "delta": ALL}, "n_clicks"),
    State({"type": BED_TOTAL, "code": ALL}, "value"),
    State({"type": BED_AVAILABLE, "code": ALL}, "value"),
    State(BED_VERSIONS, "data"),
)
@allowed_roles(Role.HOSPITAL_ADMIN)
def beds(_n, _saves, _steps, totals, availables, versions):
    now = utcnow()
    codes = [o["id"]["code"] for o in ctx.outputs_list[0]]
    messages = {code: dash.no_update for code in codes}
    invalid_total = {code: False for code in codes}
    invalid_available = {code: False for code in codes}
    refill: set[str] = set()  # inputs to reset to the stored figures
    trigger = ctx.triggered_id
    pressed = isinstance(trigger, dict) and any(t["value"] for t in ctx.triggered)
    typed_total = dict(zip(codes, totals))
    typed_available = dict(zip(codes, availables))
    versions = dict(versions or {})
    with db_session() as session:
        actor = actor_in(session)
        if pressed:
            code = trigger["code"]
            try:
                with session.begin_nested():
                    if trigger["type"] == BED_SAVE:
                        figure = capacity.set_beds(
                            session, actor=actor, hospital_id=actor.hospital_id, bed_code=code,
                            total=typed_total.get(code), available=typed_available.get(code),
                            expected_version=int(versions.get(code) or 0), now=now)
                        messages[code] = dbc.Alert(f"Saved: {figure.available} free of {figure.total}.",
                                                   color="success", className="py-2 mb-0")
                    else:
                        figure = capacity.step_available(session, actor=actor, hospital_id=actor.hospital_id,
                                                         bed_code=code, delta=int(trigger["delta"]), now=now)
                        messages[code] = dbc.Alert(f"Now {figure.available} free of {figure.total}.",
                                                   color="success", className="py-2 mb-0")
                    refill.add(code)
            except capacity.StaleFigures as stale:
                messages[code] = dbc.Alert(stale.message, color="warning", className="py-2 mb-0")
                refill.add(code)
            except InvalidInput as bad:
                messages[code] = dbc.Alert(bad.message, color="danger", className="py-2 mb-0")
                invalid_total[code] = bad.field == "total"
                invalid_available[code] = bad.field == "available"
            except DomainError as error:
                messages[code] = dbc.Alert(error.message, color="danger", className="py-2 mb-0")
        figures = {f.code: f for f in capacity.beds_of_hospital(session, actor=actor, hospital_id=actor.hospital_id)}
    stale_after = capacity.DEFAULT_STALE_AFTER
    now_texts, total_values, available_values = [], [], []
    for code in codes:
        figure = figures.get(code)
        if figure is None:
            now_texts.append("")
            total_values.append(dash.no_update)
            available_values.append(dash.no_update)
            continue
        now_texts.append(figure_line(figure, now, stale_after))
        # Refill the inputs only after this admin's own action (or a stale refusal): never while typing.
        total_values.append(figure.total if code in refill else dash.no_update)
        available_values.append(figure.available if code in refill else dash.no_update)
        # A save is based on the figures this admin last saw filled in, not on later refreshes.
        if code in refill or code not in versions:
            versions[code] = figure.version
    return (now_texts, [messages[c] for c in codes], total_values, available_values,
            [invalid_total[c] for c in codes], [invalid_available[c] for c in codes], versions, last_updated(now))


@callback(
    Output("ems-message", "children"),
    Output("ems-reason", "invalid"),
    Output("ems-reason-feedback", "children"),
    Input("ems-save", "n_clicks"),
    State("ems-status", "value"),
    State("ems-reason", "value"),
    prevent_initial_call=True,
)
@allowed_roles(Role.HOSPITAL_ADMIN)
def save_ems(n_clicks, status, reason):
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    now = utcnow()
    try:
        with db_session() as session:
            actor = actor_in(session)
            capacity.set_ems_status(session, actor=actor, hospital_id=actor.hospital_id, status=status,
                                    reason=reason or "", now=now)
    except InvalidInput as bad:
        if bad.field == "ems_reason":
            return "", True, bad.message
        return dbc.Alert(bad.message, color="danger"), False, ""
    except DomainError as error:
        return dbc.Alert(error.message, color="danger"), False, ""
    return dbc.Alert(f"EMS status saved: {capacity.EMS_LABELS[status]}.", color="success", className="py-2"), False, ""


@callback(
    Output("blood-grid", "rowData"),
    Output("blood-message", "children"),
    Output("blood-units", "invalid"),
    Output("blood-units-feedback", "children"),
    Output("blood-threshold", "invalid"),
    Output("blood-threshold-feedback", "children"),
    Output("blood-units", "value"),
    Output("blood-updated", "children"),
    Input("blood-refresh", "n_intervals"),
    Input("blood-component", "value"),
    Input("blood-received", "n_clicks"),
    Input("blood-issued", "n_clicks"),
    Input("blood-save-settings", "n_clicks"),
    State("blood-group", "value"),
    State("blood-units", "value"),
    State("blood-threshold", "value"),
    State("blood-expiry", "date"),
)
@allowed_roles(Role.HOSPITAL_ADMIN)
def blood_stock(_n, component, received, issued, save_settings, group, units, threshold, expiry):
    now = utcnow()
    component = component or "whole_blood"
    trigger = ctx.triggered_id
    message = dash.no_update
    units_invalid, units_feedback, threshold_invalid, threshold_feedback = False, "", False, ""
    units_value = dash.no_update
    with db_session() as session:
        actor = actor_in(session)
        try:
            with session.begin_nested():
                if trigger in ("blood-received", "blood-issued") and (received or issued):
                    reason = "received" if trigger == "blood-received" else "issued"
                    row = blood.adjust(session, actor=actor, hospital_id=actor.hospital_id, group=group,
                                       component=component, units=units, reason=reason, now=now)
                    message = dbc.Alert(f"{group} {blood.COMPONENT_LABELS[component].lower()}: {reason} "
                                        f"{int(float(units))}, now {row.units} units.", color="success", className="py-2")
                    units_value = ""
                elif trigger == "blood-save-settings" and save_settings:
                    expiry_date = date.fromisoformat(expiry[:10]) if expiry else None
                    blood.set_stock(session, actor=actor, hospital_id=actor.hospital_id, group=group,
                                    component=component, low_threshold=threshold if threshold not in (None, "") else None,
                                    earliest_expiry=expiry_date, now=now)
                    message = dbc.Alert(f"{group}: settings saved.", color="success", className="py-2")
        except InvalidInput as bad:
            if bad.field == "units":
                units_invalid, units_feedback = True, bad.message
            elif bad.field == "low_threshold":
                threshold_invalid, threshold_feedback = True, bad.message
            message = dbc.Alert(bad.message, color="danger", className="py-2")
        except DomainError as error:
            message = dbc.Alert(error.message, color="danger", className="py-2")
        rows = blood_rows(blood.stock_of_hospital(session, actor=actor, hospital_id=actor.hospital_id,
                                                  component=component), now)
    return (rows, message, units_invalid, units_feedback, threshold_invalid, threshold_feedback, units_value,
            last_updated(now))

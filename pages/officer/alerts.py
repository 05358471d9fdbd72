"""Health officer: publish a public health alert (CAP 1.2) after a preview; update or cancel an
earlier one (the new message references it). Messages for bad input appear at the field."""

import hashlib
import json

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components.alerts import (
    FEEDBACK,
    FIELD,
    alert_card,
    banner,
    choice,
    field_id,
    form_field,
    history_list,
)
from components.cards import last_updated, page_header
from db import alerts
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.models import CAP_CERTAINTIES, CAP_SEVERITIES, CAP_STATUSES, CAP_URGENCIES
from db.vocabulary import Role

ROLES = (Role.HEALTH_OFFICER,)
dash.register_page(__name__, path="/officer/alerts", title="Public health alerts", allowed_roles=ROLES,
                   nav_label="Alerts", nav_order=2)

SELECTS = {"category": "alert-category", "urgency": "alert-urgency", "severity": "alert-severity",
           "certainty": "alert-certainty", "status": "alert-status"}
MODES = [{"label": "New alert", "value": "new"}, {"label": "Update an earlier alert", "value": "update"},
         {"label": "Cancel an earlier alert", "value": "cancel"}]
HIDDEN = {"display": "none"}


def _text_input(name, **props):
    return form_field(name, dbc.Input(id=field_id(name), size="lg", debounce=False, **props))


def _area_map():
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    return dl.Map(tiles + [dl.LayerGroup(id="alert-map-layer")], id="alert-map", center=list(config.map_center),
                  zoom=10, style={"height": "280px", "width": "100%", "background": "#e9ecef"})


def layout(**kwargs):
    expires = alerts.local_input_text(utcnow() + alerts.DEFAULT_DURATION)
    return html.Div(
        [
            page_header("Publish a health alert",
                        "Fill in the alert, check the preview, then publish. It shows on every signed-in "
                        "screen within seconds and in the public CAP feed."),
            dbc.RadioItems(id="alert-mode", options=MODES, value="new", inline=True, className="fs-5 mb-2"),
            html.Div([
                dbc.Label("Earlier alert", html_for="alert-reference"),
                dbc.Select(id="alert-reference", options=[], placeholder="Choose the alert", size="lg"),
                dbc.FormFeedback(id="alert-reference-feedback", type="invalid"),
            ], id="alert-reference-box", style=HIDDEN, className="mb-2"),
            html.Div([
                dbc.Label("Why is it cancelled? (shown to people)", html_for="alert-reason"),
                dbc.Textarea(id="alert-reason", size="lg", maxLength=alerts.TEXT_MAX,
                             placeholder="e.g. The water supply has been tested safe."),
                dbc.FormFeedback(id="alert-reason-feedback", type="invalid"),
            ], id="alert-reason-box", style=HIDDEN, className="mb-2"),
            dbc.Row([
                dbc.Col([
                    _text_input("event", placeholder="e.g. Heatwave, Dengue outbreak", maxLength=alerts.EVENT_MAX),
                    _text_input("headline", placeholder="e.g. Heatwave: stay indoors 12:00–16:00",
                                maxLength=alerts.HEADLINE_MAX),
                    form_field("description", dbc.Textarea(id=field_id("description"), size="lg", rows=3,
                                                           maxLength=alerts.TEXT_MAX)),
                    form_field("instruction", dbc.Textarea(id=field_id("instruction"), size="lg", rows=3,
                                                           maxLength=alerts.TEXT_MAX,
                                                           placeholder="e.g. Boil drinking water for 1 minute.")),
                    dbc.Row([
                        dbc.Col(choice(SELECTS["severity"], "Severity", CAP_SEVERITIES, "Moderate"), xs=6, md=4),
                        dbc.Col(choice(SELECTS["urgency"], "Urgency", CAP_URGENCIES, "Expected"), xs=6, md=4),
                        dbc.Col(choice(SELECTS["certainty"], "Certainty", CAP_CERTAINTIES, "Likely"), xs=6, md=4),
                        dbc.Col(choice(SELECTS["category"], "Category", alerts.CAP_CATEGORIES, "Health"), xs=6, md=4),
                        dbc.Col(choice(SELECTS["status"], "Status", CAP_STATUSES, "Actual"), xs=6, md=4),
                    ]),
                    dbc.Row([
                        dbc.Col(_text_input("effective", type="datetime-local"), md=6),
                        dbc.Col(_text_input("expires", type="datetime-local", value=expires), md=6),
                    ]),
                ], lg=7),
                dbc.Col([
                    html.H2("Area", className="h5"),
                    dbc.RadioItems(id="alert-area-kind", value="circle", inline=True, className="fs-5 mb-1",
                                   options=[{"label": "Circle on the map", "value": "circle"},
                                            {"label": "Named region", "value": "region"}]),
                    _text_input("area_desc", placeholder="e.g. Bengaluru Urban district (optional for a circle)",
                                maxLength=alerts.AREA_DESC_MAX),
                    html.Div([
                        html.P("Tap the map to place the centre, or type it.", className="mb-1 text-muted"),
                        _area_map(),
                        dbc.Row([
                            dbc.Col(_text_input("centre", placeholder="12.9716, 77.5946", inputMode="decimal"), md=7),
                            dbc.Col(_text_input("radius", placeholder="e.g. 5", inputMode="decimal", value="5"), md=5),
                        ], className="mt-2"),
                    ], id="alert-circle-box"),
                ], lg=5),
            ], id="alert-fields"),
            html.Div([
                dbc.Button("Preview", id="alert-preview-button", color="secondary", size="lg", className="me-2"),
                dbc.Button("Publish", id="alert-publish-button", color="danger", size="lg", className="px-5"),
            ], className="my-3"),
            html.Div(id="alert-message", className="fs-5"),
            html.Div(id="alert-preview"),
            dcc.Store(id="alert-previewed"),
            html.H2("All alerts, newest first", className="h4 mt-4"),
            html.Div(id="officer-alerts-history"),
            dcc.Interval(id="officer-alerts-refresh", interval=30_000),
        ]
    )


@callback(
    Output({"type": FIELD, "name": ALL}, "value"),
    *[Output(element_id, "value") for element_id in SELECTS.values()],
    Output("alert-area-kind", "value"),
    Output("alert-fields", "style"),
    Output("alert-reference-box", "style"),
    Output("alert-reason-box", "style"),
    Input("alert-mode", "value"),
    Input("alert-reference", "value"),
    Input("alert-map", "clickData"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def fill_form(mode, reference, click):
    names = [o["id"]["name"] for o in ctx.outputs_list[0]]
    keep = [dash.no_update] * len(names)
    selects = [dash.no_update] * len(SELECTS)
    area_kind = dash.no_update
    if ctx.triggered_id == "alert-map":
        if not click or "latlng" not in click:
            raise dash.exceptions.PreventUpdate
        centre = f"{click['latlng']['lat']:.5f}, {click['latlng']['lng']:.5f}"
        values = [centre if n == "centre" else dash.no_update for n in names]
        return (values, *selects, area_kind, dash.no_update, dash.no_update, dash.no_update)
    values = keep
    if mode == "update" and reference and ctx.triggered_id == "alert-reference":
        with db_session() as session:
            actor = actor_in(session)
            chosen = next((a for a in alerts.replaceable_alerts(session, actor=actor, now=utcnow())
                           if str(a.id) == str(reference)), None)
            if chosen is not None:
                text = alerts.text_from(chosen)
                values = [text.get(n, "") for n in names]
                selects = [text[key] for key in SELECTS]
                area_kind = text["area_kind"]
    return (values, *selects, area_kind,
            HIDDEN if mode == "cancel" else {},
            {} if mode in ("update", "cancel") else HIDDEN,
            {} if mode == "cancel" else HIDDEN)


@callback(Output("alert-circle-box", "style"), Input("alert-area-kind", "value"))
@allowed_roles(*ROLES)
def show_circle(kind):
    return {} if kind != "region" else HIDDEN


@callback(Output("alert-map-layer", "children"),
          Input(field_id("centre"), "value"), Input(field_id("radius"), "value"))
@allowed_roles(*ROLES)
def draw_circle(centre, radius):
    try:
        lat, lon = alerts.parse_centre(centre)
        km = alerts.parse_radius(radius)
    except InvalidInput:
        return []
    if lat is None:
        return []
    shapes = [dl.Marker(position=[lat, lon])]
    if km and 0 < km <= alerts.MAX_RADIUS_KM:
        shapes.append(dl.Circle(center=[lat, lon], radius=km * 1000, color="#dc3545", fillOpacity=0.15))
    return shapes


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@callback(
    Output({"type": FEEDBACK, "name": ALL}, "children"),
    Output({"type": FIELD, "name": ALL}, "invalid"),
    Output("alert-reference", "invalid"),
    Output("alert-reference-feedback", "children"),
    Output("alert-reason", "invalid"),
    Output("alert-reason-feedback", "children"),
    Output("alert-preview", "children"),
    Output("alert-message", "children"),
    Output("alert-previewed", "data"),
    Input("alert-preview-button", "n_clicks"),
    Input("alert-publish-button", "n_clicks"),
    State("alert-mode", "value"),
    State("alert-reference", "value"),
    State("alert-reason", "value"),
    State({"type": FIELD, "name": ALL}, "value"),
    *[State(element_id, "value") for element_id in SELECTS.values()],
    State("alert-area-kind", "value"),
    State("alert-previewed", "data"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def preview_or_publish(preview_clicks, publish_clicks, mode, reference, reason, field_values, *rest):
    *select_values, area_kind, previewed = rest
    if ctx.triggered_id not in ("alert-preview-button", "alert-publish-button") or not (preview_clicks or publish_clicks):
        raise dash.exceptions.PreventUpdate
    names = [s["id"]["name"] for s in ctx.states_list[3]]
    values = dict(zip(names, field_values or []))
    values.update(dict(zip(SELECTS, select_values)))
    mode = mode if mode in ("new", "update", "cancel") else "new"
    fingerprint = _fingerprint(mode, reference, reason, values, area_kind)
    feedback = {n: "" for n in names}
    invalid = {n: False for n in names}
    reference_problem = reason_problem = ""
    preview, message, stored = dash.no_update, "", dash.no_update
    now = utcnow()
    publishing = ctx.triggered_id == "alert-publish-button"
    try:
        with db_session() as session:
            actor = actor_in(session)
            if mode != "new" and not reference:
                raise InvalidInput("reference", "Choose the earlier alert.")
            # Check everything first, so a mistake shows at its field whichever button was pressed.
            target = alerts.replaceable(session, reference, now) if mode != "new" else None
            data = None
            if mode != "cancel":
                data = alerts.input_from_text(values, area_kind=area_kind or "circle")
                alerts.validate(data, now=now)
            if publishing and previewed != fingerprint:
                message = dbc.Alert("Press Preview first: check what people will see, then publish.",
                                    color="warning", id="alert-result")
            elif publishing:
                if mode == "cancel":
                    sent = alerts.cancel_alert(session, actor=actor, alert_id=target.id, reason=reason or "", now=now)
                    message = _published(sent, "Cancellation published")
                elif mode == "update":
                    sent = alerts.update_alert(session, actor=actor, alert_id=target.id, data=data, now=now)
                    message = _published(sent, "Update published")
                else:
                    sent = alerts.publish(session, actor=actor, data=data, now=now)
                    message = _published(sent, "Alert published")
                preview, stored = [], None
            elif mode == "cancel":
                preview = [html.H2("Preview: this alert will be cancelled", className="h5"),
                           alert_card(target, now=now, xml_link=False)]
                stored = fingerprint
            else:
                draft = alerts.preview(session, actor=actor, data=data, now=now,
                                       references_id=target.id if target is not None else None,
                                       msg_type="Update" if mode == "update" else "Alert")
                draft.id = 0
                preview = [html.H2("Preview: the banner on every screen", className="h5"),
                           html.Div(banner([draft]), id="alert-preview-banner"),
                           html.H2("Preview: the full alert", className="h5 mt-2"),
                           alert_card(draft, now=now, element_id="alert-preview-card", xml_link=False)]
                stored = fingerprint  # the draft was never added to the session: nothing is stored
    except InvalidInput as bad:
        if bad.field in feedback:
            feedback[bad.field], invalid[bad.field] = bad.message, True
        elif bad.field == "reference":
            reference_problem = bad.message
        elif bad.field == "reason":
            reason_problem = bad.message
        message = dbc.Alert(bad.message, color="danger", id="alert-result")
        preview, stored = [], None
    except DomainError as error:
        message = dbc.Alert(error.message, color="danger", id="alert-result")
        preview, stored = [], None
    return ([feedback[n] for n in names], [invalid[n] for n in names], bool(reference_problem), reference_problem,
            bool(reason_problem), reason_problem, preview, message, stored)


def _published(alert, what: str):
    return dbc.Alert([html.Strong(f"{what}. "), "It shows on every signed-in screen within seconds. ",
                      html.A("CAP XML", href=f"/cap/alerts/{alert.identifier}.xml", target="_blank",
                             className="alert-link")],
                     color="success", id="alert-result")


@callback(
    Output("officer-alerts-history", "children"),
    Output("alert-reference", "options"),
    Input("officer-alerts-refresh", "n_intervals"),
    Input("alert-message", "children"),
)
@allowed_roles(*ROLES)
def refresh_history(_n, _message):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        options = [{"label": f"{a.severity} · {a.headline} (until {alerts.local_input_text(a.expires).replace('T', ' ')})",
                    "value": str(a.id)} for a in alerts.replaceable_alerts(session, actor=actor, now=now)]
        past = history_list(alerts.history(session, limit=50), now, alerts.state_of)
    return [past, last_updated(now, element_id="officer-alerts-updated")], options

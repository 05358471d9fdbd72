"""Citizen dashboard: the SOS button first, then where beds are free."""

import logging

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html
from flask_login import current_user

from auth.actions import act
from auth.context import db_session, state
from auth.roles import allowed_roles
from components import sos as sos_ui
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.guidance import after_sos_guidance
from components.triggers import pressed
from db import capacity, guidance, matching
from db import sos as sos_ops
from db.clock import utcnow
from db.vocabulary import SOS_STATUS_LABELS, Role, sos_number

log = logging.getLogger("healthfirst.sos")

dash.register_page(__name__, path="/citizen", title="My HealthFirst",
                   allowed_roles=(Role.CITIZEN,), nav_label="Home", nav_order=0)


class ID:
    TYPE = "sos-type"
    NOTE = "sos-note"
    RESULT = "sos-result"  # what pressing SOS came to
    ERROR = "sos-error"
    SENT_NUMBER = "sos-sent-number"
    TRACK_LINK = "sos-track-link"
    # Where the person is
    GEO = "sos-geolocation"
    GEO_STATUS = "sos-geo-status"
    LOCATION_OK = "sos-location-ok"
    LOCATION_MISSING = "sos-location-missing"
    LOCATION_FALLBACK = "sos-location-fallback"
    MAP = "sos-map"
    MAP_MARKER = "sos-map-marker"
    PICKED = "sos-picked-point"
    COORDS = "sos-coordinates"
    COORDS_FEEDBACK = "sos-coordinates-feedback"
    LANDMARK = "sos-landmark"
    # The open SOS, if any
    OPEN_BANNER = "sos-open-banner"
    OPEN = "sos-open"
    REFRESH = "sos-refresh"
    # Beds across the city
    SUMMARY = "citizen-summary"
    SUMMARY_REFRESH = "citizen-refresh"
    GO_BEDS = "sos-go-beds"
    GO_BLOOD = "sos-go-blood"


def _map(center, tiles_url):
    layers = [dl.TileLayer(url=tiles_url, attribution="© OpenStreetMap contributors")] if tiles_url else []
    return dl.Map(
        layers + [dl.LayerGroup(id=ID.MAP_MARKER)],
        center=list(center), zoom=12, id=ID.MAP,
        style={"height": "260px", "width": "100%", "background": "#e9ecef"},
    )


def layout(**kwargs):
    name = current_user.full_name if current_user.is_authenticated else ""
    config = state()["config"]
    type_options = [{"label": t.label, "value": key} for key, t in sos_ops.EMERGENCY_TYPES.items()]
    return html.Div(
        [
            page_header(f"Hello, {name}"),
            html.Div(id=ID.OPEN_BANNER),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(sos_ui.big_sos_button(), className="text-center my-2"),
                        html.Div(id=ID.RESULT, className="mt-2"),
                        dbc.Label("What is happening? (optional)", html_for=ID.TYPE,
                                  className="fs-5 mt-2"),
                        dbc.Select(id=ID.TYPE, options=type_options, size="lg",
                                   placeholder="Choose if you can"),
                        dbc.Label("Anything the ambulance should know? (optional)", html_for=ID.NOTE,
                                  className="fs-5 mt-2"),
                        dbc.Textarea(id=ID.NOTE, maxLength=sos_ops.NOTE_MAX, size="lg",
                                     placeholder="e.g. 3rd floor, gate code 1234"),
                        html.H2("Your location", className="h5 mt-3"),
                        html.Div(id=ID.GEO_STATUS, className="fs-5",
                                 children="Finding your location…"),
                        html.Details(
                            [
                                html.Summary("Location wrong or not found? Tap the map, or type it",
                                             className="fs-5 my-2"),
                                html.P("Tap where you are on the map:", className="mb-1"),
                                _map(config.map_center, config.map_tiles_url),
                                dbc.Label("…or type coordinates (latitude, longitude)", html_for=ID.COORDS,
                                          className="mt-2"),
                                dbc.Input(id=ID.COORDS, placeholder="12.9716, 77.5946", size="lg",
                                          inputMode="decimal"),
                                dbc.FormFeedback(id=ID.COORDS_FEEDBACK, type="invalid"),
                                dbc.Label("…or a landmark (a hospital, road or area nearby)",
                                          html_for=ID.LANDMARK, className="mt-2"),
                                dbc.Input(id=ID.LANDMARK, placeholder="e.g. Indiranagar", size="lg"),
                            ],
                            id=ID.LOCATION_FALLBACK,
                        ),
                    ]
                ),
                className="mb-3 shadow-sm",
            ),
            dcc.Geolocation(id=ID.GEO, high_accuracy=True),
            dcc.Store(id=ID.PICKED),
            dcc.Interval(id=ID.REFRESH, interval=5_000),
            html.H2("Beds free across the city", className="h4 mt-4"),
            html.Div(id=ID.SUMMARY),
            dcc.Interval(id=ID.SUMMARY_REFRESH, interval=15_000),
            html.Div([
                dbc.Button("Find a free bed", href="/beds", color="success", size="lg", className="me-2 mb-2",
                           id=ID.GO_BEDS),
                dbc.Button("Find blood", href="/blood", color="danger", outline=True, size="lg", className="mb-2",
                           id=ID.GO_BLOOD),
            ]),
        ]
    )


@callback(Output(ID.GEO_STATUS, "children"),
          Input(ID.GEO, "position"), Input(ID.GEO, "position_error"),
          Input(ID.PICKED, "data"))
@allowed_roles(Role.CITIZEN)
def show_location(position, error, picked):
    if picked:
        return dbc.Alert(f"Using the point you tapped on the map: {picked['lat']:.5f}, {picked['lon']:.5f}",
                         color="success", className="mb-0", id=ID.LOCATION_OK)
    if position and position.get("lat") is not None:
        accuracy = position.get("accuracy")
        text = f"Location found: {position['lat']:.5f}, {position['lon']:.5f}"
        if accuracy:
            text += f" (within about {accuracy:.0f} m)"
        return dbc.Alert(text, color="success", className="mb-0", id=ID.LOCATION_OK)
    if error:
        return dbc.Alert(
            [html.Strong("Your browser did not give us your location. "),
             "You can still send an SOS: tap your place on the map below, or type coordinates or "
             "a landmark."],
            color="warning", className="mb-0", id=ID.LOCATION_MISSING,
        )
    return "Finding your location…"


@callback(Output(ID.PICKED, "data"), Output(ID.MAP_MARKER, "children"),
          Input(ID.MAP, "clickData"), prevent_initial_call=True)
@allowed_roles(Role.CITIZEN)
def pick_on_map(click):
    if not click or "latlng" not in click:
        raise dash.exceptions.PreventUpdate
    lat, lon = click["latlng"]["lat"], click["latlng"]["lng"]
    return {"lat": lat, "lon": lon}, [dl.Marker(position=[lat, lon])]


def _sent_message(sos_id: int, created: bool):
    link = dcc.Link("Follow your SOS live →", href=f"/citizen/sos/{sos_id}", className="btn btn-danger btn-lg mt-2",
                    id=ID.TRACK_LINK)
    if created:
        return dbc.Alert([html.H2(f"{sos_number(sos_id)} sent", className="h3", id=ID.SENT_NUMBER),
                          html.P("Nearby hospitals are being alerted now. Stay where you are if it is safe.",
                                 className="fs-5 mb-1"),
                          link], color="success")
    return dbc.Alert([html.H2(f"You already have an open SOS: {sos_number(sos_id)}", className="h4",
                              id=ID.SENT_NUMBER),
                      html.P("We did not send a second one. Help is being arranged for this one.",
                             className="fs-5 mb-1"),
                      link], color="info")


def _match_at_once(sos_id: int) -> None:
    """Offer a new SOS at once; the job process would within a second anyway, and retries if this fails."""
    try:
        with db_session() as session:
            matching.match_due_as_configured(session, now=utcnow(), config=state()["config"], sos_id=sos_id)
    except Exception:  # noqa: BLE001 - the SOS is stored; matching will be retried
        log.exception("immediate matching of SOS %s failed; the job process will retry", sos_id)


@callback(
    Output(ID.RESULT, "children"),
    Output(ID.COORDS, "invalid"),
    Output(ID.COORDS_FEEDBACK, "children"),
    Output(ID.LANDMARK, "invalid"),
    Input(sos_ui.ID.BUTTON, "n_clicks"),
    State(ID.GEO, "position"),
    State(ID.PICKED, "data"),
    State(ID.COORDS, "value"),
    State(ID.LANDMARK, "value"),
    State(ID.TYPE, "value"),
    State(ID.NOTE, "value"),
    prevent_initial_call=True,
)
@allowed_roles(Role.CITIZEN)
def send_sos(_n, position, picked, coords, landmark, emergency_type, note):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(sos_ops.send_sos, picked=picked, coordinates=coords, landmark=landmark, position=position,
                  emergency_type=emergency_type, note=note or "",
                  describe=lambda sent: (sent[0].id, sent[1], sent[0].emergency_type))
    if not outcome.ok:
        return (dbc.Alert(outcome.message, color="danger", className="fs-5", id=ID.ERROR),
                outcome.field == "coordinates", outcome.message_for("coordinates"), outcome.field == "landmark")
    sos_id, created, sos_type = outcome.result
    if created:
        _match_at_once(sos_id)
    with db_session() as session:
        # What to do until help arrives, for the type chosen (general advice if none).
        first_aid = guidance.guidance_for(session, emergency_type or sos_type)
    return [_sent_message(sos_id, created), after_sos_guidance(first_aid)], False, "", False


@callback(Output(ID.OPEN_BANNER, "children"), Input(ID.REFRESH, "n_intervals"),
          Input(ID.RESULT, "children"))
@allowed_roles(Role.CITIZEN)
def open_sos_banner(_n, _result):
    with db_session() as session:
        sos = sos_ops.open_sos_of(session, current_user.id)
        if sos is None:
            return None
        label = SOS_STATUS_LABELS[sos.status]
        return dbc.Alert(
            [html.Strong(f"Your {sos_number(sos.id)} is open: "), label, " ",
             dcc.Link("Follow it live →", href=f"/citizen/sos/{sos.id}", className="alert-link")],
            color="danger" if sos.status in ("pending", "unanswered") else "primary",
            className="fs-5", id=ID.OPEN,
        )


@callback(Output(ID.SUMMARY, "children"), Input(ID.SUMMARY_REFRESH, "n_intervals"))
@allowed_roles(Role.CITIZEN)
def refresh_citizen_dashboard(_n):
    now = utcnow()
    with db_session() as session:
        beds = capacity.region_bed_totals(session)
    cards = [kpi_card(f"{b.name} beds free", b.available, detail=f"of {b.total}",
                      color="success" if b.available else "danger") for b in beds]
    return [kpi_row(cards), last_updated(now)]

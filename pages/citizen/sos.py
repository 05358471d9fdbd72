"""Citizen dashboard: the SOS button first, then where beds are free."""

import logging
from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html
from flask_login import current_user

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components import ids
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.guidance import after_sos_guidance
from components.sos import big_sos_button
from db import capacity, guidance, hospitals, matching
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.geo import parse_coordinates
from db.vocabulary import SOS_STATUS_LABELS, Role, sos_number

log = logging.getLogger("healthfirst.sos")

dash.register_page(__name__, path="/citizen", title="My HealthFirst",
                   allowed_roles=(Role.CITIZEN,), nav_label="Home", nav_order=0)


def _map(center, tiles_url):
    layers = [dl.TileLayer(url=tiles_url, attribution="© OpenStreetMap contributors")] if tiles_url else []
    return dl.Map(
        layers + [dl.LayerGroup(id=ids.SOS_MAP_MARKER)],
        center=list(center), zoom=12, id=ids.SOS_MAP,
        style={"height": "260px", "width": "100%", "background": "#e9ecef"},
    )


def layout(**kwargs):
    name = current_user.full_name if current_user.is_authenticated else ""
    config = state()["config"]
    type_options = [{"label": t.label, "value": key} for key, t in sos_ops.EMERGENCY_TYPES.items()]
    return html.Div(
        [
            page_header(f"Hello, {name}"),
            html.Div(id=ids.SOS_OPEN_BANNER),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(big_sos_button(), className="text-center my-2"),
                        html.Div(id=ids.SOS_RESULT, className="mt-2"),
                        dbc.Label("What is happening? (optional)", html_for=ids.SOS_TYPE,
                                  className="fs-5 mt-2"),
                        dbc.Select(id=ids.SOS_TYPE, options=type_options, size="lg",
                                   placeholder="Choose if you can"),
                        dbc.Label("Anything the ambulance should know? (optional)", html_for=ids.SOS_NOTE,
                                  className="fs-5 mt-2"),
                        dbc.Textarea(id=ids.SOS_NOTE, maxLength=sos_ops.NOTE_MAX, size="lg",
                                     placeholder="e.g. 3rd floor, gate code 1234"),
                        html.H2("Your location", className="h5 mt-3"),
                        html.Div(id=ids.SOS_GEO_STATUS, className="fs-5",
                                 children="Finding your location…"),
                        html.Details(
                            [
                                html.Summary("Location wrong or not found? Tap the map, or type it",
                                             className="fs-5 my-2"),
                                html.P("Tap where you are on the map:", className="mb-1"),
                                _map(config.map_center, config.map_tiles_url),
                                dbc.Label("…or type coordinates (latitude, longitude)", html_for=ids.SOS_COORDS,
                                          className="mt-2"),
                                dbc.Input(id=ids.SOS_COORDS, placeholder="12.9716, 77.5946", size="lg",
                                          inputMode="decimal"),
                                dbc.FormFeedback(id="sos-coordinates-feedback", type="invalid"),
                                dbc.Label("…or a landmark (a hospital, road or area nearby)",
                                          html_for=ids.SOS_LANDMARK, className="mt-2"),
                                dbc.Input(id=ids.SOS_LANDMARK, placeholder="e.g. Indiranagar", size="lg"),
                            ],
                            id="sos-location-fallback",
                        ),
                    ]
                ),
                className="mb-3 shadow-sm",
            ),
            dcc.Geolocation(id=ids.SOS_GEO, high_accuracy=True),
            dcc.Store(id=ids.SOS_PICKED),
            dcc.Interval(id=ids.SOS_REFRESH, interval=5_000),
            html.H2("Beds free across the city", className="h4 mt-4"),
            html.Div(id=ids.CITIZEN_SUMMARY),
            dcc.Interval(id=ids.CITIZEN_REFRESH, interval=15_000),
            html.Div([
                dbc.Button("Find a free bed", href="/beds", color="success", size="lg", className="me-2 mb-2",
                           id="go-beds"),
                dbc.Button("Find blood", href="/blood", color="danger", outline=True, size="lg", className="mb-2",
                           id="go-blood"),
            ]),
        ]
    )


@callback(Output(ids.SOS_GEO_STATUS, "children"),
          Input(ids.SOS_GEO, "position"), Input(ids.SOS_GEO, "position_error"),
          Input(ids.SOS_PICKED, "data"))
@allowed_roles(Role.CITIZEN)
def show_location(position, error, picked):
    if picked:
        return dbc.Alert(f"Using the point you tapped on the map: {picked['lat']:.5f}, {picked['lon']:.5f}",
                         color="success", className="mb-0", id="sos-location-ok")
    if position and position.get("lat") is not None:
        accuracy = position.get("accuracy")
        text = f"Location found: {position['lat']:.5f}, {position['lon']:.5f}"
        if accuracy:
            text += f" (within about {accuracy:.0f} m)"
        return dbc.Alert(text, color="success", className="mb-0", id="sos-location-ok")
    if error:
        return dbc.Alert(
            [html.Strong("Your browser did not give us your location. "),
             "You can still send an SOS: tap your place on the map below, or type coordinates or "
             "a landmark."],
            color="warning", className="mb-0", id="sos-location-missing",
        )
    return "Finding your location…"


@callback(Output(ids.SOS_PICKED, "data"), Output(ids.SOS_MAP_MARKER, "children"),
          Input(ids.SOS_MAP, "clickData"), prevent_initial_call=True)
@allowed_roles(Role.CITIZEN)
def pick_on_map(click):
    if not click or "latlng" not in click:
        raise dash.exceptions.PreventUpdate
    lat, lon = click["latlng"]["lat"], click["latlng"]["lng"]
    return {"lat": lat, "lon": lon}, [dl.Marker(position=[lat, lon])]


def _choose_location(session, position, picked, coords, landmark):
    """What the person told us most explicitly wins: a tap, typed numbers, a landmark, then GPS."""
    if picked:
        return picked["lat"], picked["lon"], "map", "", None
    if (coords or "").strip():
        lat, lon = parse_coordinates(coords)
        return lat, lon, "typed", "", None
    if (landmark or "").strip():
        found = hospitals.locate_landmark(session, landmark)
        if found is None:
            raise InvalidInput("landmark", f"We could not find “{landmark.strip()}”. Try a nearby hospital or "
                                           "area name, tap the map, or type coordinates.")
        return found.latitude, found.longitude, "landmark", found.label, None
    if position and position.get("lat") is not None:
        return position["lat"], position["lon"], "gps", "", position.get("accuracy")
    return None, None, "gps", "", None


def _sent_message(sos, created: bool):
    link = dcc.Link("Follow your SOS live →", href=f"/citizen/sos/{sos.id}", className="btn btn-danger btn-lg mt-2",
                    id="track-link")
    if created:
        return dbc.Alert([html.H2(f"{sos_number(sos.id)} sent", className="h3", id="sos-sent-number"),
                          html.P("Nearby hospitals are being alerted now. Stay where you are if it is safe.",
                                 className="fs-5 mb-1"),
                          link], color="success")
    return dbc.Alert([html.H2(f"You already have an open SOS: {sos_number(sos.id)}", className="h4",
                              id="sos-sent-number"),
                      html.P("We did not send a second one. Help is being arranged for this one.",
                             className="fs-5 mb-1"),
                      link], color="info")


@callback(
    Output(ids.SOS_RESULT, "children"),
    Output(ids.SOS_COORDS, "invalid"),
    Output("sos-coordinates-feedback", "children"),
    Output(ids.SOS_LANDMARK, "invalid"),
    Input(ids.SOS_BUTTON, "n_clicks"),
    State(ids.SOS_GEO, "position"),
    State(ids.SOS_PICKED, "data"),
    State(ids.SOS_COORDS, "value"),
    State(ids.SOS_LANDMARK, "value"),
    State(ids.SOS_TYPE, "value"),
    State(ids.SOS_NOTE, "value"),
    prevent_initial_call=True,
)
@allowed_roles(Role.CITIZEN)
def send_sos(n_clicks, position, picked, coords, landmark, emergency_type, note):
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    now = utcnow()
    config = state()["config"]
    try:
        with db_session() as session:
            actor = actor_in(session)
            lat, lon, source, text, accuracy = _choose_location(session, position, picked, coords, landmark)
            sos, created = sos_ops.create_sos(
                session, actor=actor, latitude=lat, longitude=lon, now=now, location_source=source,
                location_text=text, accuracy_m=accuracy, emergency_type=emergency_type, note=note or "",
            )
            sos_id = sos.id
            # What to do until help arrives, for the type chosen (general advice if none).
            first_aid = guidance.guidance_for(session, emergency_type or sos.emergency_type)
    except InvalidInput as bad:
        message = dbc.Alert(bad.message, color="danger", className="fs-5", id="sos-error")
        return message, bad.field == "coordinates", bad.message if bad.field == "coordinates" else "", bad.field == "landmark"
    except DomainError as error:
        return dbc.Alert(error.message, color="danger", className="fs-5", id="sos-error"), False, "", False
    if created:
        # Offer it at once; the job process would within a second anyway, and retries if this fails.
        try:
            with db_session() as session:
                matching.match_due(session, now=utcnow(), sos_id=sos_id, rings=tuple(config.sos_rings_km),
                                   escalate_after=timedelta(seconds=config.sos_escalate_seconds))
        except Exception:  # noqa: BLE001 - the SOS is stored; matching will be retried
            log.exception("immediate matching of SOS %s failed; the job process will retry", sos_id)
    return [_sent_message(sos, created), after_sos_guidance(first_aid)], False, "", False


@callback(Output(ids.SOS_OPEN_BANNER, "children"), Input(ids.SOS_REFRESH, "n_intervals"),
          Input(ids.SOS_RESULT, "children"))
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
            className="fs-5", id="sos-open",
        )


@callback(Output(ids.CITIZEN_SUMMARY, "children"), Input(ids.CITIZEN_REFRESH, "n_intervals"))
@allowed_roles(Role.CITIZEN)
def refresh_citizen_dashboard(_n):
    now = utcnow()
    with db_session() as session:
        beds = capacity.region_bed_totals(session)
    cards = [kpi_card(f"{b.name} beds free", b.available, detail=f"of {b.total}",
                      color="success" if b.available else "danger") for b in beds]
    return [kpi_row(cards), last_updated(now)]

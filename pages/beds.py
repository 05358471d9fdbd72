"""Everyone: hospitals with free beds, nearest first, with a map. Figures older than 30 minutes
are greyed and flagged; hospitals on diversion are marked."""

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Input, Output, callback, dcc, html

from auth.context import db_session, state
from auth.roles import allowed_roles
from components.capacity import figure_line
from components.cards import last_updated, page_header
from components.location import location_controls
from db import capacity
from db.clock import utcnow
from db.places import resolve_place
from db.vocabulary import Role

ROLES = (Role.CITIZEN, Role.HOSPITAL_ADMIN, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/beds", title="Find a bed", allowed_roles=ROLES, nav_label="Find a bed",
                   nav_order=5)


def layout(**kwargs):
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    with db_session() as session:
        options = [{"label": "Any free bed", "value": ""}] + [
            {"label": f"{bt.name} bed", "value": bt.code} for bt in capacity.bed_types(session)]
    return html.Div(
        [
            page_header("Find a free bed", "Nearest first. Call the hospital before you go."),
            location_controls("beds"),
            dbc.RadioItems(id="beds-type", options=options, value="", inline=True, className="fs-5 mb-2"),
            dbc.Row([
                dbc.Col(html.Div(id="beds-results"), lg=7),
                dbc.Col(dl.Map(tiles + [dl.LayerGroup(id="beds-markers")], id="beds-map",
                               center=list(config.map_center), zoom=11,
                               style={"height": "460px", "width": "100%", "background": "#e9ecef"}), lg=5),
            ]),
            dcc.Interval(id="beds-refresh", interval=10_000),
        ]
    )


@callback(Output("beds-geo", "update_now"), Input("beds-locate", "n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def locate_beds(_n):
    return True


def _result_card(result, now):
    stale_after = capacity.DEFAULT_STALE_AFTER
    badges = [dbc.Badge("ON DIVERSION: not taking ambulances", color="danger", className="me-2")] \
        if result.on_diversion else []
    rows = [html.Li([html.Span(f"{f.name}: ", className="fw-semibold"), figure_line(f, now, stale_after)])
            for f in result.figures]
    phone = result.phone or ""
    return dbc.Card(dbc.CardBody([
        html.Div([html.Span(result.name, className="fs-5 fw-bold me-2"),
                  html.Span(f"{result.distance_km:.1f} km", className="text-muted")]),
        html.Div(badges + ([html.Span(result.ems_reason, className="text-danger")] if result.on_diversion else [])),
        html.Div(result.address, className="text-muted"),
        html.Ul(rows, className="list-unstyled mb-1 mt-1"),
        html.A(f"Call {phone}", href=f"tel:{phone.replace(' ', '')}", className="btn btn-outline-primary")
        if phone else None,
    ]), className="mb-2 bed-result" + (" border-danger" if result.on_diversion else ""),
        id=f"bed-result-{result.hospital_id}")


@callback(
    Output("beds-results", "children"),
    Output("beds-markers", "children"),
    Output("beds-where", "children"),
    Input("beds-refresh", "n_intervals"),
    Input("beds-type", "value"),
    Input("beds-geo", "position"),
    Input("beds-place", "value"),
)
@allowed_roles(*ROLES)
def search(_n, bed_code, position, place):
    now = utcnow()
    config = state()["config"]
    with db_session() as session:
        lat, lon, where, problem = resolve_place(session, position, place, config.map_center)
        results = capacity.search_beds(session, latitude=lat, longitude=lon, now=now, bed_code=bed_code or None)
    where_line = html.Div([f"Distances {where}.", html.Span(f" {problem}", className="text-danger") if problem else None],
                          id="beds-where-text")
    cards = [_result_card(r, now) for r in results] or [
        dbc.Alert("No hospital within 50 km has that kind of bed free right now.", color="warning",
                  className="fs-5", id="beds-none")]
    markers = [dl.CircleMarker(center=[r.latitude, r.longitude], radius=9,
                               color="#dc3545" if r.on_diversion else "#198754", fill=True,
                               children=dl.Tooltip(f"{r.name} ({r.distance_km:.1f} km)")) for r in results]
    markers.append(dl.CircleMarker(center=[lat, lon], radius=6, color="#0d6efd", fill=True,
                                   children=dl.Tooltip("You")))
    return cards + [last_updated(now)], markers, where_line

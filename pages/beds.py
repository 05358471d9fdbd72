"""Everyone: hospitals with free beds, nearest first, with a map. Figures older than 30 minutes
are greyed and flagged; hospitals on diversion are marked."""

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html, no_update

from auth.callback_types import shaped
from auth.context import db_session, state
from auth.i18n import page_language
from auth.roles import allowed_roles
from components import live, location
from components.capacity import figure_line
from components.cards import last_updated, page_header
from components.i18n import N_, _
from db import capacity
from db.clock import utcnow
from db.places import resolve_place

ROLES = capacity.SEARCHERS
dash.register_page(__name__, path="/beds", title=N_("Find a bed"), allowed_roles=ROLES, nav_label=N_("Find a bed"),
                   nav_order=5, translated=True)


class ID:
    TYPE = "beds-type"
    RESULTS = "beds-results"
    NONE = "beds-none"
    MAP = "beds-map"
    MARKERS = "beds-markers"
    WHERE_TEXT = "beds-where-text"
    REFRESH = "beds-search-refresh"  # not "beds-refresh": that is the hospital's capacity page
    SHOWN = "beds-shown"  # what the results shown were drawn from (data version, place, bed type)
    UPDATED = "beds-updated"
    LIVE = "beds-live"  # the version of the figures the last poll saw (assets/live.js)
    LIVE_SOURCE = "beds-live-source"
    LOCATION = location.ID.of("beds")  # the location controls: .geo, .where, .place, .locate

    @staticmethod
    def result(hospital_id: int) -> str:
        return f"bed-result-{hospital_id}"


def layout(**kwargs):
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    with db_session() as session:
        options = [{"label": _("Any free bed"), "value": ""}] + [
            {"label": _("%(type)s bed", type=bed_name(bt.name)), "value": bt.code} for bt in capacity.bed_types(session)]
    return html.Div(
        [
            page_header(_("Find a free bed"), _("Nearest first. Call the hospital before you go.")),
            location.location_controls("beds"),
            html.Div(dbc.RadioItems(id=ID.TYPE, options=options, value="", inline=True, className="fs-5 mb-2"),
                     role="radiogroup", **{"aria-label": _("Kind of bed")}),
            dbc.Row([
                dbc.Col(html.Div(id=ID.RESULTS), lg=7),
                dbc.Col(dl.Map(tiles + [dl.LayerGroup(id=ID.MARKERS)], id=ID.MAP,
                               center=list(config.map_center), zoom=11,
                               style={"height": "460px", "width": "100%", "background": "#e9ecef"}), lg=5),
            ]),
            html.Div(id=ID.UPDATED),
            dcc.Store(id=ID.SHOWN),
            # The timer asks the figures' version (web/live.py); only a new one runs `search`.
            dcc.Store(id=ID.LIVE),
            dcc.Store(id=ID.LIVE_SOURCE, data=live.source(live.BEDS)),
            dcc.Interval(id=ID.REFRESH, interval=10_000),
        ]
    )


@callback(Output(ID.LOCATION.geo, "update_now"), Input(ID.LOCATION.locate, "n_clicks"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def locate_beds(_n):
    return True


# The bed types of the demo and the usual directory (their names come from the database, marked in
# db/capacity.DEFAULT_BED_TYPES): in the reader's language where the catalog has them, else as they are.
def bed_name(name: str) -> str:
    return _(name)


def _result_card(result, now):
    stale_after = capacity.DEFAULT_STALE_AFTER
    # Hospitals on diversion come after the others (db/capacity.search_beds), marked in words.
    badges = [dbc.Badge(_("ON DIVERSION: not taking ambulances"), color="danger", className="me-2")] \
        if result.on_diversion else []
    if result.ems_status == "advisory":  # busy: said in words (db/capacity.EMS_LABELS), not by colour alone
        badges.append(dbc.Badge(_("Ambulance status: %(status)s", status=_(capacity.EMS_LABELS["advisory"])),
                                color="warning", text_color="dark", className="me-2"))
    # The reason is the hospital's own text, as typed: said to be theirs, in the reader's words.
    reason = _("The hospital says: %(reason)s", reason=result.ems_reason) \
        if result.on_diversion and result.ems_reason else ""
    rows = [html.Li([html.Span(f"{bed_name(f.name)}: ", className="fw-semibold"), figure_line(f, now, stale_after)])
            for f in result.figures]
    phone = result.phone or ""
    return dbc.Card(dbc.CardBody([
        html.Div([html.Span(result.name, className="fs-5 fw-bold me-2"),
                  html.Span(f"{result.distance_km:.1f} km", className="text-muted")]),
        html.Div(badges + ([html.Span(reason, className="text-danger")] if reason else [])),
        html.Div(result.address, className="text-muted"),
        html.Ul(rows, className="list-unstyled mb-1 mt-1"),
        html.A(_("Call %(phone)s", phone=phone), href=f"tel:{phone.replace(' ', '')}", className="btn btn-outline-primary")
        if phone else None,
    ]), className="mb-2 bed-result" + (" border-danger" if result.on_diversion else ""),
        id=ID.result(result.hospital_id))


@callback(
    Output(ID.RESULTS, "children"),
    Output(ID.MARKERS, "children"),
    Output(ID.LOCATION.where, "children"),
    Output(ID.SHOWN, "data"),
    Output(ID.UPDATED, "children"),
    Input(ID.LIVE, "data"),
    Input(ID.TYPE, "value"),
    Input(ID.LOCATION.geo, "position"),
    Input(ID.LOCATION.place, "value"),
    State(ID.SHOWN, "data"),
)
@allowed_roles(*ROLES)
def search(_n, bed_code, position, place, shown):
    """The search, drawn again only when what it was drawn from changed: the figures' version
    (`capacity.recent_beds_version`, at most a second old), the place, the bed type, or the minute
    (figures turn stale by the clock). Otherwise the answer is the "last updated" line alone."""
    now = utcnow()
    config = state()["config"]
    bed_code = shaped(bed_code, str, "")
    with db_session() as session:
        lat, lon, where, problem = resolve_place(session, position, place, config.map_center)
        drawn_from = "|".join((capacity.recent_beds_version(session), f"{lat:.5f},{lon:.5f}", bed_code or "",
                               now.strftime("%Y%m%d%H%M"), where, problem or "", page_language()))
        if drawn_from == shown:
            return no_update, no_update, no_update, no_update, last_updated(now)
        results = capacity.search_beds(session, latitude=lat, longitude=lon, now=now, bed_code=bed_code or None)
    where_line = location.where_line(where, problem, element_id=ID.WHERE_TEXT)
    cards = [_result_card(r, now) for r in results] or [
        dbc.Alert(_("No hospital within 50 km has that kind of bed free right now."), color="warning",
                  className="fs-5", id=ID.NONE)]
    markers = [dl.CircleMarker(center=[r.latitude, r.longitude], radius=9,
                               color="#dc3545" if r.on_diversion else "#198754", fill=True,
                               children=dl.Tooltip(f"{r.name} ({r.distance_km:.1f} km)")) for r in results]
    markers.append(dl.CircleMarker(center=[lat, lon], radius=6, color="#0d6efd", fill=True,
                                   children=dl.Tooltip(_("You"))))
    return cards, markers, where_line, drawn_from, last_updated(now)


# The timed poll (assets/live.js): new figures (or a new minute: figures turn stale by the clock)
# run `search`; unchanged ones only move "last updated".
live.register_poll(interval_id=ID.REFRESH, source_id=ID.LIVE_SOURCE, live_id=ID.LIVE, updated_id=ID.UPDATED)

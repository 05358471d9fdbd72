"""Control-room wall display: large, dark, no navigation, refreshing by itself for days.

Access: the read-only display account, or a kiosk link an officer issues (/kiosk/<token>).
Data: fetched every 5 s from web/display_feed.py, only the parts that changed.
Outage: the server sends nothing when it cannot read the database; a watchdog in the browser
(no server needed) notices the data getting old, greys the tiles and shows how long the outage
has lasted, and everything recovers by itself with the next good refresh.
"""

import dash
import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from auth.context import state
from components.i18n import N_, _
from components.wall import FEED_URL, PART_IDS, wall_words
from components.wall import ID as PART
from config import DISPLAY_TIMEZONE
from db import display

REFRESH_MS = 1_500  # a new SOS on the wall within 2 s (web/display_feed.LIVE_CHECK_S); an idle poll ~200 bytes
dash.register_page(__name__, path="/display", title=N_("Control room"), allowed_roles=display.VIEWER_ROLES,
                   nav_label=N_("Wall display"), nav_order=90)


class ID:
    WALL = "wall"
    OUTAGE = "wall-outage"
    CLOCK = "wall-clock"
    MAP = "wall-map"
    SOURCE = "wall-source"
    RECEIVED = "wall-received"
    REFRESH = "wall-refresh"
    WATCHDOG = "wall-watchdog"


def layout(**kwargs):
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    return html.Div(
        [
            html.Header([
                html.Div("HealthFirst · " + _("Control room"), className="wall-brand"),
                html.Div(id=ID.OUTAGE, className="wall-outage-hidden"),
                html.Div(id=ID.CLOCK, className="wall-clock"),
            ], className="wall-header"),
            html.Div(
                [
                    html.Div(id=PART.TILES_LEFT, className="wall-column"),
                    html.Section([
                        html.H2(_("Map"), className="wall-title"),
                        dl.Map(tiles + [dl.LayerGroup(id=PART.MAP_HOSPITALS), dl.LayerGroup(id=PART.MAP_UNITS),
                                       dl.LayerGroup(id=PART.MAP_SOS)],
                               id=ID.MAP,
                               center=list(config.map_center), zoom=11, zoomControl=False,
                               style={"height": "100%", "width": "100%", "background": "#111820"}),
                        html.Div(className="wall-time"),
                    ], className="wall-tile wall-map-tile"),
                    html.Div(id=PART.TILES_RIGHT, className="wall-column"),
                ],
                className="wall-grid",
            ),
            # Where the screen fetches its data and which part goes where (web/display_feed.py); how
            # often data should arrive, in which time zone the wall tells the time (assets/wall.js).
            dcc.Store(id=ID.SOURCE, data={"url": FEED_URL, "parts": list(PART_IDS), "bucketed": PART.MAP_SOS,
                                          "refresh_ms": REFRESH_MS,
                                          "time_zone": DISPLAY_TIMEZONE, "wall": ID.WALL,
                                          "words": wall_words()}),
            dcc.Store(id=ID.RECEIVED, data=None),
            dcc.Interval(id=ID.REFRESH, interval=REFRESH_MS),
            dcc.Interval(id=ID.WATCHDOG, interval=1_000),
        ],
        id=ID.WALL,
        className="wall",
    )


# Every refresh fetches only what changed, straight from the feed: no Dash callback round trip.
clientside_callback(
    ClientsideFunction("wall", "fetchView"),  # assets/wall.js
    *[Output(part, "children") for part in PART_IDS],
    Output(ID.RECEIVED, "data"),
    Input(ID.REFRESH, "n_intervals"),
    State(ID.SOURCE, "data"),
    State(ID.RECEIVED, "data"),
)

# The watchdog runs in the browser: it needs neither the server nor the database.
clientside_callback(
    ClientsideFunction("wall", "watchdog"),  # assets/wall.js
    Output(ID.CLOCK, "children"),
    Output(ID.OUTAGE, "children"),
    Output(ID.OUTAGE, "className"),
    Input(ID.WATCHDOG, "n_intervals"),
    Input(ID.RECEIVED, "data"),
    State(ID.SOURCE, "data"),
)

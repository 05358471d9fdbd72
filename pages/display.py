"""Control-room wall display: large, dark, no navigation, refreshing by itself for days.

Access: the read-only display account, or a kiosk link an officer issues (/kiosk/<token>).
Outage: the server sends nothing when it cannot read the database; a watchdog in the browser
(no server needed) notices the data getting old, greys the tiles and shows how long the outage
has lasted, and everything recovers by itself with the next good refresh.
"""

import hashlib
import json
import logging
import threading
import time
from zoneinfo import ZoneInfo

import dash
import dash_leaflet as dl
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash._utils import to_json
from sqlalchemy.exc import SQLAlchemyError

from auth.context import db_session, state
from auth.roles import allowed_roles
from components import wall
from config import DISPLAY_TIMEZONE
from db import display, metrics
from db.clock import utcnow

log = logging.getLogger("healthfirst.display")
ROLES = ("display", "health_officer", "super_admin")
REFRESH_MS = 5_000
dash.register_page(__name__, path="/display", title="Control room", allowed_roles=ROLES,
                   nav_label="Wall display", nav_order=90)


def layout(**kwargs):
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    return html.Div(
        [
            html.Header([
                html.Div("HealthFirst · Control room", className="wall-brand"),
                html.Div(id="wall-outage", className="wall-outage-hidden"),
                html.Div(id="wall-clock", className="wall-clock"),
            ], className="wall-header"),
            html.Div(
                [
                    html.Div(id="wall-tiles-left", className="wall-column"),
                    html.Section([
                        html.H2("Map", className="wall-title"),
                        dl.Map(tiles + [dl.LayerGroup(id="wall-map-hospitals"), dl.LayerGroup(id="wall-map-layer")],
                               id="wall-map",
                               center=list(config.map_center), zoom=11, zoomControl=False,
                               style={"height": "100%", "width": "100%", "background": "#111820"}),
                        html.Div(className="wall-time"),
                    ], className="wall-tile wall-map-tile"),
                    html.Div(id="wall-tiles-right", className="wall-column"),
                ],
                className="wall-grid",
            ),
            dcc.Store(id="wall-received", data=None),
            dcc.Interval(id="wall-refresh", interval=REFRESH_MS),
            dcc.Interval(id="wall-watchdog", interval=1_000),
        ],
        id="wall",
        className="wall",
    )


class _SharedView:
    """The rendered display, shared by every screen this worker serves and rebuilt at most every
    `display_cache_seconds`: a thousand screens polling cost one set of queries per period."""

    def __init__(self):
        self._lock = threading.Lock()
        self._built_at = float("-inf")
        self._value = None  # (version, hospitals_version, generated_at, left, right, live layers, hospitals)

    def get(self):
        ttl = state()["config"].display_cache_seconds
        fresh = time.monotonic() - self._built_at < ttl
        if fresh and self._value is not None:
            return self._value
        # One thread rebuilds; the others keep serving the last view meanwhile.
        if not self._lock.acquire(blocking=self._value is None):
            return self._value
        try:
            if time.monotonic() - self._built_at >= ttl or self._value is None:
                self._value = _build()
                self._built_at = time.monotonic()
            return self._value
        finally:
            self._lock.release()


def _build():
    now = utcnow()
    day_start, day_end = metrics.day_bounds(now, ZoneInfo(DISPLAY_TIMEZONE))
    with db_session() as session:
        snap = display.snapshot(session, now=now, day_start=day_start, day_end=day_end)
    data = snap.as_dict()
    when = wall.data_time_label(now)
    left = [
        wall.unanswered_tile(data["unanswered"], data["sos"], when, now),
        wall.sos_tile(data["sos"], data["sos_by_status"], when, now),
        wall.units_tile(data["units"], data["units_by_status"], when, now),
    ]
    right = [
        wall.response_tile(data["response_times"], when),
        wall.beds_tile(data["beds"], when),
        wall.blood_tile(data["shortages"], when),
        wall.alerts_tile(data["alerts"], when),
    ]
    hospitals_version, markers = _hospital_markers(data["hospitals"])
    # The live layer (SOS, ambulances) and the hospitals' layer travel separately: hundreds of
    # hospital markers are sent again only when the hospitals themselves change.
    return (snap.version(), hospitals_version, data["generated_at"], _plain(left), _plain(right),
            _plain(wall.map_layers(data, hospitals=[])), markers)


def _plain(components):
    """Components as the plain JSON structure the browser receives, made once per build: every
    screen that needs this view then costs a fast encode of plain data, not a walk of objects."""
    return json.loads(to_json(components))


_markers_cache: dict = {"key": None, "markers": []}


def _hospital_markers(hospitals: list[dict]) -> tuple[str, list]:
    """Hundreds of hospital markers, rebuilt only when the hospitals' list changes; the key is
    the same in every worker, so a screen's copy stays valid whichever worker answers."""
    key = hashlib.sha256(json.dumps(hospitals, sort_keys=True).encode()).hexdigest()[:16]
    if _markers_cache["key"] != key:
        _markers_cache["markers"] = _plain(wall.hospital_markers(hospitals))
        _markers_cache["key"] = key
    return key, _markers_cache["markers"]


_view = _SharedView()


@callback(
    Output("wall-tiles-left", "children"),
    Output("wall-tiles-right", "children"),
    Output("wall-map-layer", "children"),
    Output("wall-map-hospitals", "children"),
    Output("wall-received", "data"),
    Input("wall-refresh", "n_intervals"),
    State("wall-received", "data"),
)
@allowed_roles(*ROLES)
def refresh_wall(_n, received):
    try:
        version, hospitals_version, generated_at, left, right, layers, markers = _view.get()
    except SQLAlchemyError:
        # Keep what the screen shows; the browser's watchdog reports the outage.
        log.warning("wall display: database unreachable", exc_info=True)
        raise dash.exceptions.PreventUpdate
    received = received or {}
    stamp = {"version": version, "hospitals": hospitals_version, "generated_at": generated_at}
    hospitals_out = markers if received.get("hospitals") != hospitals_version else dash.no_update
    if received.get("version") == version:
        # Nothing shown has changed: only tell the screen its data is current.
        return dash.no_update, dash.no_update, dash.no_update, hospitals_out, stamp
    return left, right, layers, hospitals_out, stamp


# The watchdog runs in the browser: it needs neither the server nor the database.
clientside_callback(
    """
    function(_tick, received) {
        const now = Date.now();
        const fmt = (ms) => {
            const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
            return (h ? h + ' h ' : '') + (h || m ? m + ' min ' : '') + (s % 60) + ' s';
        };
        const clock = new Date(now).toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', second: '2-digit',
                                                                 hour12: false, timeZone: '__ZONE__'});
        const wall = document.getElementById('wall');
        const last = (window.__wallLast && window.__wallLast.key === (received && received.generated_at))
            ? window.__wallLast : {key: received && received.generated_at, at: now};
        window.__wallLast = last;
        const age = now - last.at;
        // Timers tick here, from the start times the server sent; data times say when the data
        // was last confirmed current.
        document.querySelectorAll('.wall-timer').forEach(function (el) {
            const elapsed = Math.max(0, now - Number(el.dataset.since));
            const s = Math.floor(elapsed / 1000);
            el.textContent = s < 60 ? s + ' s' : (s < 3600 ? Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s'
                                                    : Math.floor(s / 3600) + ' h ' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + ' min');
            if (el.dataset.lateAfter) { el.classList.toggle('wall-bad', s > Number(el.dataset.lateAfter)); }
        });
        if (received && received.generated_at) {
            const stampText = 'data ' + new Date(received.generated_at).toLocaleTimeString('en-GB',
                {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: '__ZONE__'});
            document.querySelectorAll('#wall .wall-time').forEach(function (el) { el.textContent = stampText; });
        }
        const stale = !received || age > 3 * __REFRESH__;
        if (wall) { wall.classList.toggle('wall-stale', stale); }
        if (!stale) { return [clock, '', 'wall-outage-hidden']; }
        const text = received
            ? 'NO NEW DATA for ' + fmt(age) + ': the server or database cannot be reached. Showing the last data; it will recover by itself.'
            : 'Waiting for the first data…';
        return [clock, text, 'wall-outage'];
    }
    """.replace("__REFRESH__", str(REFRESH_MS)).replace("__ZONE__", DISPLAY_TIMEZONE),
    Output("wall-clock", "children"),
    Output("wall-outage", "children"),
    Output("wall-outage", "className"),
    Input("wall-watchdog", "n_intervals"),
    Input("wall-received", "data"),
)

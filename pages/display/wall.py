"""Control-room wall display: large, dark, no navigation, refreshing by itself for days.

Access: the read-only display account, or a kiosk link an officer issues (/kiosk/<token>).
Data: fetched every 5 s from web/display_feed.py, only the parts that changed.
Outage: the server sends nothing when it cannot read the database; a watchdog in the browser
(no server needed) notices the data getting old, greys the tiles and shows how long the outage
has lasted, and everything recovers by itself with the next good refresh.
"""

import dash
import dash_leaflet as dl
from dash import Input, Output, State, clientside_callback, dcc, html

from auth.context import state
from components.wall import FEED_URL, PART_IDS
from config import DISPLAY_TIMEZONE
from db import display

REFRESH_MS = 5_000
dash.register_page(__name__, path="/display", title="Control room", allowed_roles=display.VIEWER_ROLES,
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
            # Where the screen fetches its data, and which part goes where (web/display_feed.py).
            dcc.Store(id="wall-source", data={"url": FEED_URL, "parts": list(PART_IDS)}),
            dcc.Store(id="wall-received", data=None),
            dcc.Interval(id="wall-refresh", interval=REFRESH_MS),
            dcc.Interval(id="wall-watchdog", interval=1_000),
        ],
        id="wall",
        className="wall",
    )


# Every refresh fetches only what changed (web/display_feed.py): no Dash callback round trip
# and nothing encoded per request. A failed fetch keeps what the screen shows (the watchdog below
# reports the outage); a session that ended (a revoked kiosk, a disabled account) goes to login.
clientside_callback(
    """
    async function(_n, source, received) {
        const keep = source.parts.map(() => window.dash_clientside.no_update);
        const have = (received && received.have) || '';
        let response;
        try {
            response = await fetch(source.url + '?have=' + encodeURIComponent(have),
                                   {credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'application/json'}});
        } catch (error) {
            return keep.concat([window.dash_clientside.no_update]);
        }
        if (response.status === 401 || response.status === 403) {
            window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
            return keep.concat([window.dash_clientside.no_update]);
        }
        if (!response.ok) { return keep.concat([window.dash_clientside.no_update]); }
        const body = await response.json();
        return source.parts.map((part) => part in body.parts ? body.parts[part] : window.dash_clientside.no_update)
            .concat([body.stamp]);
    }
    """,
    *[Output(part, "children") for part in PART_IDS],
    Output("wall-received", "data"),
    Input("wall-refresh", "n_intervals"),
    State("wall-source", "data"),
    State("wall-received", "data"),
)


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

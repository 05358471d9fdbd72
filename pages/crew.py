"""An ambulance crew's phone (390×844, one hand, gloves): the unit's current job, one big button
for the allowed next step, a map with the unit and where it goes, navigation in the phone's maps
app. Reached only through a crew link (/kiosk/crew/<token>, issued at /hospital/ambulances).

While a job is open the phone sends its position (assets/crew.js: watchPosition, posted to
web/crew.py every few seconds and at once on each status change). No job: "No job: waiting for
dispatch", refreshing by itself; a new job rings and vibrates where the browser allows.
"""

import dash
import dash_leaflet as dl
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from auth.actions import act
from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components import crew as view
from components.crew import ID as PART
from components.crew import POSITION_URL
from components.i18n import N_, _
from db import dispatch
from db.clock import utcnow
from db.crew_job import crew_job
from db.errors import DomainError
from db.vocabulary import UNIT_STATUS_LABELS, Role

ROLES = (Role.CREW,)
REFRESH_MS = 5_000
POST_EVERY_MS = 5_000
dash.register_page(__name__, path="/crew", title=N_("Crew"), allowed_roles=ROLES, nav_label=N_("Crew"), nav_order=1)


class ID:
    UNIT = "crew-unit"
    STEPS = "crew-steps"
    NAV = "crew-nav"
    MESSAGE = "crew-message"
    LOCATION = "crew-location"
    STATE = "crew-state"
    CHANGED = "crew-changed"
    REFRESH = "crew-refresh"
    SOURCE = "crew-source"
    SEEN = "crew-seen"
    AUDIO = "crew-audio"


def layout(**kwargs):
    config = state()["config"]
    return html.Div([
        html.Div(id=ID.UNIT, className="crew-unit"),
        html.Div(id=ID.MESSAGE, className="crew-message", role="status"),
        html.Div(id=PART.JOB),
        html.Div(id=ID.STEPS, className="crew-steps"),
        dl.Map(view.tiles(config.map_tiles_url) + [dl.LayerGroup(id=PART.MAP_LAYER)], id=PART.MAP,
               center=list(config.map_center), zoom=13, className="crew-map"),
        html.Div(id=ID.NAV),
        html.Div(_("Location: starting…"), id=ID.LOCATION, className="crew-location", role="status"),
        html.Audio(id=ID.AUDIO, src="/assets/new-sos.wav", preload="auto"),
        # What assets/crew.js needs: where to post, how often, the job on screen (sos id, status).
        dcc.Store(id=ID.SOURCE, data={"url": POSITION_URL, "every_ms": POST_EVERY_MS, "location": ID.LOCATION,
                                      "audio": ID.AUDIO, "words": view.location_words()}),
        dcc.Store(id=ID.STATE, data=None),
        dcc.Store(id=ID.SEEN, data=None),
        dcc.Store(id=ID.CHANGED, data=0),
        dcc.Interval(id=ID.REFRESH, interval=REFRESH_MS),
    ], className="crew-page")


@callback(
    Output(ID.UNIT, "children"), Output(PART.JOB, "children"), Output(ID.STEPS, "children"),
    Output(PART.MAP_LAYER, "children"), Output(PART.MAP, "viewport"), Output(ID.NAV, "children"),
    Output(ID.STATE, "data"),
    Input(ID.REFRESH, "n_intervals"), Input(ID.CHANGED, "data"), State(ID.STATE, "data"),
)
@allowed_roles(*ROLES)
def refresh_job(_n, _changed, shown):
    now = utcnow()
    try:
        with db_session() as session:
            job = crew_job(session, actor=actor_in(session), now=now, kmh=state()["config"].ambulance_kmh)
    except DomainError as refused:  # the unit was retired: nothing to act on any more
        return refused.message, None, None, [], dash.no_update, None, {"sos": None, "status": None}
    # Whether the unit has a position yet: its first one redraws the map's view to show it too.
    current = {"sos": job.sos_id, "status": job.unit_status, "located": job.unit_lat is not None}
    unit = [html.Span(job.call_sign, className="crew-callsign"),
            html.Span(_(UNIT_STATUS_LABELS[job.unit_status]), className=f"crew-status crew-status-{job.unit_status}")]
    if current == shown and ctx.triggered_id == ID.REFRESH:
        # Nothing changed but the unit's own position: only the map and the words move.
        return unit, view.job_card(job), dash.no_update, view.job_layers(job), dash.no_update, dash.no_update, \
            dash.no_update
    dest = job.dest if job.sos_id else None
    bounds = view.map_bounds([dest, (job.unit_lat, job.unit_lon)])
    viewport = {"bounds": bounds} if bounds else dash.no_update
    nav = view.navigation_links(dest[0], dest[1], job.hospital if job.heading_to == "hospital" else job.number) \
        if dest else None
    steps = view.step_button(job.next_status) if job.sos_id else None
    return unit, view.job_card(job), steps, view.job_layers(job), viewport, nav, current


@callback(
    Output(ID.MESSAGE, "children"), Output(ID.CHANGED, "data"),
    Input(PART.step(ALL), "n_clicks"), State(ID.STATE, "data"), State(ID.CHANGED, "data"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def step(_clicks, shown, changed):
    if not any(_clicks or []) or not isinstance(ctx.triggered_id, dict):
        raise dash.exceptions.PreventUpdate
    sos_id = (shown or {}).get("sos")
    if not isinstance(sos_id, int):
        return _("No job on this screen."), (changed or 0) + 1
    to_status = ctx.triggered_id.get("status")
    outcome = act(dispatch.crew_step, sos_id=sos_id, to_status=to_status,
                  describe=lambda unit: _("%(call_sign)s: %(status)s.", call_sign=unit.call_sign,
                                                  status=_(UNIT_STATUS_LABELS[unit.status]).lower()))
    return (outcome.result if outcome.ok else outcome.message), (changed or 0) + 1


# In the browser: send positions while a job is open (and at once when its status changes); ring
# and vibrate when a new job appears. Returns the job last seen.
clientside_callback(
    ClientsideFunction("crew", "follow"),  # assets/crew.js
    Output(ID.SEEN, "data"),
    Input(ID.STATE, "data"),
    State(ID.SOURCE, "data"),
    State(ID.SEEN, "data"),
)

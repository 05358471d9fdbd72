"""Health officer: response times over a chosen date range, per-hospital figures, and what needs
acting on now."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components import crew as crew_view
from components import performance
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.format import PICKER_DATE_FORMAT, count, local_time
from components.i18n import N_, _, ngettext
from components.triggers import pressed
from config import DISPLAY_TIMEZONE
from db import metrics, positions
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.parse import iso_date
from db.vocabulary import Role, sos_number


class ID:
    RANGE = "overview-range"
    ATTENTION = "overview-attention"
    TIMES = "overview-times"
    HOSPITALS = "overview-hospitals"
    UPDATED = "overview-updated"
    REFRESH = "overview-refresh"
    TRACK_SOS = "overview-track-sos"
    TRACK_SHOW = "overview-track-show"
    TRACK_TEXT = "overview-track-text"
    TRACK_MAP = "overview-track-map"
    TRACK_LAYER = "overview-track-layer"

    @staticmethod
    def times_card(key: str) -> str:
        return f"overview-{key}"


ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/officer/overview", title=N_("Performance"), allowed_roles=ROLES,
                   nav_label=N_("Performance"), nav_order=2)


def layout(**kwargs):
    today = utcnow().astimezone(ZoneInfo(DISPLAY_TIMEZONE)).date()
    return html.Div([
        page_header(_("Performance"), _("Response times against the standards, and each hospital's figures.")),
        dcc.DatePickerRange(id=ID.RANGE, start_date=today - timedelta(days=6), end_date=today,
                            display_format=PICKER_DATE_FORMAT, className="mb-3"),
        html.Div(id=ID.ATTENTION, className="mb-2"),
        html.Div(id=ID.TIMES),
        html.H2(_("Per hospital"), className="h5 mt-3"),
        dag.AgGrid(id=ID.HOSPITALS, columnDefs=performance.columns(), rowData=[],
                   dashGridOptions={"domLayout": "autoHeight"}, defaultColDef={"sortable": True, "resizable": True},
                   style={"width": "100%"}),
        html.Div(id=ID.UPDATED),
        dcc.Interval(id=ID.REFRESH, interval=30_000),
        html.H2(_("An SOS's ambulance track"), className="h5 mt-4"),
        dbc.InputGroup([dbc.Input(id=ID.TRACK_SOS, placeholder=_("SOS number, e.g. %(example)s", example="SOS-00012")),
                        dbc.Button(_("Show track"), id=ID.TRACK_SHOW, color="secondary")], className="mb-2"),
        html.Div(id=ID.TRACK_TEXT, className="mb-2"),
        dl.Map(crew_view.tiles(state()["config"].map_tiles_url) + [dl.LayerGroup(id=ID.TRACK_LAYER)],
               id=ID.TRACK_MAP, center=list(state()["config"].map_center), zoom=12,
               style={"height": "360px", "width": "100%"}),
    ])


@callback(Output(ID.TRACK_TEXT, "children"), Output(ID.TRACK_LAYER, "children"), Output(ID.TRACK_MAP, "viewport"),
          Input(ID.TRACK_SHOW, "n_clicks"), Input(ID.TRACK_SOS, "n_submit"), State(ID.TRACK_SOS, "value"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def show_track(_clicks, _submit, number):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    sos_id = positions.sos_id_from_number(number)
    if sos_id is None:
        return dbc.Alert(_("Type an SOS number, e.g. %(example)s.", example="SOS-00012"), color="warning"), [], dash.no_update
    try:
        with db_session() as session:
            track = positions.track_for_sos(session, actor=actor_in(session), sos_id=sos_id)
    except DomainError as refused:
        return dbc.Alert(refused.message, color="warning"), [], dash.no_update
    if not track.points:
        words = _("No positions were recorded for %(number)s.", number=sos_number(sos_id))
    else:
        words = ngettext("%(unit)s: %(count)s position, %(first)s to %(last)s.",
                         "%(unit)s: %(count)s positions, %(first)s to %(last)s.", len(track.points),
                         unit=track.call_sign or _("Its unit"), count=count(len(track.points)),
                         first=local_time(track.first_at, with_date=True), last=local_time(track.last_at))
    bounds = crew_view.map_bounds(list(track.points) + [(track.sos_lat, track.sos_lon)])
    return html.P(words, className="fs-5"), crew_view.track_layers(track), {"bounds": bounds}



@callback(
    Output(ID.TIMES, "children"),
    Output(ID.HOSPITALS, "rowData"),
    Output(ID.ATTENTION, "children"),
    Output(ID.UPDATED, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.RANGE, "start_date"),
    Input(ID.RANGE, "end_date"),
)
@allowed_roles(*ROLES)
def refresh_overview(_n, start_date, end_date):
    now = utcnow()
    zone = ZoneInfo(DISPLAY_TIMEZONE)
    try:
        first = iso_date(start_date, "start_date", "the first day") or now.astimezone(zone).date()
        last = iso_date(end_date, "end_date", "the last day") or first
    except InvalidInput as bad:
        return dash.no_update, dash.no_update, dbc.Alert(bad.message, color="warning", className="fs-5"), \
            dash.no_update
    if last < first:
        first, last = last, first
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    config = state()["config"]
    with db_session() as session:
        stats = metrics.response_times(session, start=start, end=end)
        hospitals = metrics.per_hospital(session, start=start, end=end)
        attention = sos_ops.needing_attention(session, actor=actor_in(session), now=now,
                                              late_after=timedelta(seconds=config.sos_escalate_seconds))
    cards = []
    for s in stats:
        ok = s.meets_target
        cards.append(kpi_card(_(s.label), f"{performance.seconds_text(s.median)} / {performance.seconds_text(s.p90)}",
                              detail=_("median / 90th pct of %(count)s · target %(target)s", count=count(s.count),
                                       target=_(s.target_source)),
                              color="light" if ok is None else ("success" if ok else "danger"),
                              card_id=ID.times_card(s.key)))
    alert = dbc.Alert([html.Strong(ngettext("%(count)s SOS needs action now.", "%(count)s SOS need action now.",
                                            len(attention), count=count(len(attention))) + " "),
                       dcc.Link(_("Open the list →"), href="/officer/attention", className="alert-link")],
                      color="danger", className="fs-5") if attention else None
    return kpi_row(cards), performance.hospital_rows(hospitals), alert, last_updated(now)

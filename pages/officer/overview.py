"""Health officer: response times over a chosen date range, per-hospital figures, and what needs
acting on now."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components import performance
from components.cards import kpi_card, kpi_row, last_updated, page_header
from config import DISPLAY_TIMEZONE
from db import metrics
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import InvalidInput
from db.parse import iso_date
from db.vocabulary import Role


class ID:
    RANGE = "overview-range"
    ATTENTION = "overview-attention"
    TIMES = "overview-times"
    HOSPITALS = "overview-hospitals"
    UPDATED = "overview-updated"
    REFRESH = "overview-refresh"

    @staticmethod
    def times_card(key: str) -> str:
        return f"overview-{key}"


ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/officer/overview", title="Performance", allowed_roles=ROLES,
                   nav_label="Performance", nav_order=2)


def layout(**kwargs):
    today = utcnow().astimezone(ZoneInfo(DISPLAY_TIMEZONE)).date()
    return html.Div([
        page_header("Performance", "Response times against the standards, and each hospital's figures."),
        dcc.DatePickerRange(id=ID.RANGE, start_date=today - timedelta(days=6), end_date=today,
                            display_format="DD MMM YYYY", className="mb-3"),
        html.Div(id=ID.ATTENTION, className="mb-2"),
        html.Div(id=ID.TIMES),
        html.H2("Per hospital", className="h5 mt-3"),
        dag.AgGrid(id=ID.HOSPITALS, columnDefs=performance.COLUMNS, rowData=[],
                   dashGridOptions={"domLayout": "autoHeight"}, defaultColDef={"sortable": True, "resizable": True},
                   style={"width": "100%"}),
        html.Div(id=ID.UPDATED),
        dcc.Interval(id=ID.REFRESH, interval=30_000),
    ])


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
        cards.append(kpi_card(s.label, f"{performance.seconds_text(s.median)} / {performance.seconds_text(s.p90)}",
                              detail=f"median / 90th pct of {s.count} · target {s.target_source}",
                              color="light" if ok is None else ("success" if ok else "danger"),
                              card_id=ID.times_card(s.key)))
    alert = dbc.Alert([html.Strong(f"{len(attention)} SOS {'needs' if len(attention) == 1 else 'need'} action now. "),
                       dcc.Link("Open the list →", href="/officer/attention", className="alert-link")],
                      color="danger", className="fs-5") if attention else None
    return kpi_row(cards), performance.hospital_rows(hospitals), alert, last_updated(now)

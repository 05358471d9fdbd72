"""Super admin console: accounts waiting for approval, users by role, job process health."""

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.format import ago, local_time
from components.i18n import N_
from db import jobhealth, reports, users
from db.clock import utcnow
from db.vocabulary import ROLE_LABELS, Role

dash.register_page(__name__, path="/admin", title="Super admin",
                   allowed_roles=(Role.SUPER_ADMIN,), nav_label=N_("Console"), nav_order=0)


class ID:
    SUMMARY = "admin-summary"
    REFRESH = "admin-refresh"
    MANAGEMENT = "admin-management"
    GO_USERS = "go-users"
    GO_HOSPITALS = "go-hospitals"
    GO_APPROVALS = "go-approvals"
    KPI_PENDING = "kpi-pending"
    KPI_JOB_PROCESS = "kpi-job-process"
    KPI_REPORT_MISMATCH = "kpi-report-mismatch"
    JOB_STOPPED = "job-process-stopped"
    JOB_RUNS = "job-runs"


def layout(**kwargs):
    return html.Div(
        [
            page_header("Super admin console"),
            html.Div(id=ID.SUMMARY),
            dcc.Interval(id=ID.REFRESH, interval=10_000),
            html.Div(
                [
                    html.H2("Users and hospitals", className="h5 mt-3"),
                    dbc.Button("Manage users", href="/admin/users", color="primary", size="lg",
                               className="me-2 mb-2", id=ID.GO_USERS),
                    dbc.Button("Manage hospitals", href="/admin/hospitals", color="primary", size="lg",
                               className="mb-2", id=ID.GO_HOSPITALS),
                ],
                id=ID.MANAGEMENT,
            ),
        ]
    )


@callback(Output(ID.SUMMARY, "children"), Input(ID.REFRESH, "n_intervals"))
@allowed_roles(Role.SUPER_ADMIN)
def refresh_admin_dashboard(_n):
    now = utcnow()
    config = state()["config"]
    with db_session() as session:
        actor = actor_in(session)
        pending = users.list_pending(session, actor=actor)
        by_role = users.count_by_role(session)
        mismatches = reports.mismatch_count(session)
        health = jobhealth.job_health(
            session, now=now, stale_after=timedelta(seconds=config.heartbeat_seconds * 3)
        )
    job_card = kpi_card(
        "Job process",
        "Running" if health.alive else "STOPPED",
        detail=f"last heartbeat {ago(health.last_beat_at, now)}",
        color="success" if health.alive else "danger",
        card_id=ID.KPI_JOB_PROCESS,
    )
    runs = [
        html.Li(f"{run.job_name}: {run.outcome} at {local_time(run.finished_at, with_date=True)}"
                + (f" — {run.detail}" if run.detail else ""))
        for run in health.last_runs
    ]
    return [
        kpi_row(
            [kpi_card("Waiting for approval", len(pending), card_id=ID.KPI_PENDING,
                      color="warning" if pending else "light"),
             job_card,
             kpi_card("Reports failing integrity", mismatches, card_id=ID.KPI_REPORT_MISMATCH,
                      color="danger" if mismatches else "light",
                      detail="never served; see the audit log" if mismatches else "")]
            + [kpi_card(ROLE_LABELS[role], count) for role, count in sorted(by_role.items())]
        ),
        # Under the job card: what a stopped job process means for people, in words.
        None if health.alive else dbc.Alert(
            [html.Strong("The job process has stopped: SOS are not being matched or escalated and "
                         "reports are not verified."),
             html.Div("Start it again with python -m jobs (scripts/run.sh starts it).", className="small")],
            color="danger", className="fs-5", id=ID.JOB_STOPPED,
        ),
        dbc.Button("Review approvals", href="/admin/approvals", color="danger", size="lg",
                   className="mb-3", id=ID.GO_APPROVALS),
        html.H2("Last run of each job", className="h5"),
        html.Ul(runs or [html.Li("No job has run yet.")], id=ID.JOB_RUNS),
        last_updated(now),
    ]

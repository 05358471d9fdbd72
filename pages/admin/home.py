"""Super admin console: accounts waiting for approval, users by role, job process health."""

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components.cards import ID as CardsID
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.format import ago, local_time
from components.i18n import N_, _
from db import jobhealth, reports, users
from db.clock import utcnow
from db.vocabulary import ROLE_LABELS, Role

dash.register_page(__name__, path="/admin", title=N_("Super admin"),
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
            page_header(_("Super admin console")),
            html.Div(id=ID.SUMMARY),
            dcc.Interval(id=ID.REFRESH, interval=10_000),
            html.Div(
                [
                    html.H2(_("Users and hospitals"), className="h5 mt-3"),
                    dbc.Button(_("Manage users"), href="/admin/users", color="primary", size="lg",
                               className="me-2 mb-2", id=ID.GO_USERS),
                    dbc.Button(_("Manage hospitals"), href="/admin/hospitals", color="primary", size="lg",
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
        _("Job process"),
        _("Running") if health.alive else _("STOPPED"),
        detail=_("last heartbeat %(ago)s", ago=ago(health.last_beat_at, now)),
        color="success" if health.alive else "danger",
        card_id=ID.KPI_JOB_PROCESS,
    )
    runs = [
        html.Li(_("%(job)s: %(outcome)s at %(time)s", job=run.job_name, outcome=_(run.outcome),
                  time=local_time(run.finished_at, with_date=True))
                + (f" — {run.detail}" if run.detail else ""))
        for run in health.last_runs
    ]
    return [
        kpi_row(
            [kpi_card(_("Waiting for approval"), len(pending), card_id=ID.KPI_PENDING,
                      color="warning" if pending else "light"),
             job_card,
             kpi_card(_("Reports failing integrity"), mismatches, card_id=ID.KPI_REPORT_MISMATCH,
                      color="danger" if mismatches else "light",
                      detail=_("never served; see the audit log") if mismatches else "")]
            + [kpi_card(_(ROLE_LABELS[role]), count, card_id=CardsID.kpi(ROLE_LABELS[role]))
               for role, count in sorted(by_role.items())]
        ),
        # Under the job card: what a stopped job process means for people, in words.
        None if health.alive else dbc.Alert(
            [html.Strong(_("The job process has stopped: SOS are not being matched or escalated and "
                           "reports are not verified.")),
             html.Div(_("Start it again with %(command)s (%(script)s starts it).", command="python -m jobs",
                        script="scripts/run.sh"), className="small")],
            color="danger", className="fs-5", id=ID.JOB_STOPPED,
        ),
        dbc.Button(_("Review approvals"), href="/admin/approvals", color="danger", size="lg",
                   className="mb-3", id=ID.GO_APPROVALS),
        html.H2(_("Last run of each job"), className="h5"),
        html.Ul(runs or [html.Li(_("No job has run yet."))], id=ID.JOB_RUNS),
        last_updated(now),
    ]

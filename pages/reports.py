"""Reports: a citizen's own ("My reports") or a hospital's uploads, with live status badges."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_login import current_user

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import last_updated, page_header
from components.format import local_time
from components.i18n import N_, _
from db import reports
from db.clock import utcnow
from db.vocabulary import Role

ROLES = (Role.CITIZEN, Role.HOSPITAL_ADMIN)
dash.register_page(__name__, path="/reports", title=N_("Reports"), allowed_roles=ROLES, nav_label=N_("Reports"),
                   nav_order=7, translated=True)


class ID:
    LIST = "reports-list"
    REFRESH = "reports-refresh"
    EMPTY = "reports-empty"
    GO_UPLOAD = "reports-go-upload"

    @staticmethod
    def download(report_id: int) -> str:
        return f"reports-download-{report_id}"

    @staticmethod
    def status(report_id: int) -> str:
        return f"reports-status-{report_id}"


BADGES = {
    "pending": (N_("Being checked"), "warning"),
    "verified": (N_("Verified"), "success"),
    "mismatch": (N_("FAILED CHECK: not served"), "danger"),
}


def layout(**kwargs):
    hospital = current_user.is_authenticated and current_user.role == Role.HOSPITAL_ADMIN
    return html.Div(
        [
            page_header(_("Reports your hospital uploaded") if hospital else _("My medical reports"),
                        _("Only you and the hospital that uploaded a report can open it, once it has been verified.")),
            dbc.Button(_("Upload a report"), href="/reports/upload", external_link=True, color="danger", size="lg",
                       className="mb-3", id=ID.GO_UPLOAD),
            html.Div(id=ID.LIST),
            dcc.Interval(id=ID.REFRESH, interval=5_000),
        ]
    )


def _row(report, patient_name, hospital_view):
    label, color = BADGES[report.status]
    action = (html.A(_("Download"), href=f"/reports/{report.id}/download", className="btn btn-outline-primary",
                     id=ID.download(report.id))
              if report.status == "verified" else html.Span("—", className="text-muted"))
    cells = [
        html.Td([html.Div(report.title, className="fw-semibold"),
                 html.Small(report.original_name, className="text-muted")]),
    ]
    if hospital_view:
        cells.append(html.Td(patient_name))
    cells += [
        html.Td(local_time(report.uploaded_at, with_date=True)),
        html.Td([dbc.Badge(_(label), color=color, className="fs-6", id=ID.status(report.id)),
                 html.Div(_(report.mismatch_reason) if report.mismatch_reason else "", className="small text-danger") if report.status == "mismatch" else None]),
        html.Td(html.Code(report.sha256[:16] + "…", title=report.sha256), className="d-none d-md-table-cell"),
        html.Td(action),
    ]
    return html.Tr(cells, className="table-danger" if report.status == "mismatch" else "")


@callback(Output(ID.LIST, "children"), Input(ID.REFRESH, "n_intervals"))
@allowed_roles(*ROLES)
def refresh_reports(_n):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        hospital_view = actor.role == Role.HOSPITAL_ADMIN
        rows = reports.list_for(session, actor=actor)
        names = reports.patient_names(session, rows) if hospital_view else {}
        body = [_row(r, names.get(r.patient_id, ""), hospital_view) for r in rows]
    if not body:
        return [html.P(_("No reports yet."), className="fs-5 text-muted", id=ID.EMPTY), last_updated(now)]
    head = [_("Report")] + ([_("Patient")] if hospital_view else []) + [_("Uploaded"), _("Status"), "SHA-256", ""]
    header = html.Thead(html.Tr([html.Th(h, className="d-none d-md-table-cell" if h == "SHA-256" else "")
                                 for h in head]))
    return [dbc.Table([header, html.Tbody(body)], hover=True, responsive=True, className="fs-6"), last_updated(now)]

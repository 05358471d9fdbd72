"""Health officer: feedback across every hospital: answers, average and trend per hospital (lowest
average first), and the region's weekly average. Figures only: comments stay with each hospital."""

import dash
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.feedback import region_table, stars, weekly_chart
from components.i18n import N_, _
from db import feedback
from db.clock import utcnow
from db.vocabulary import Role


class ID:
    SUMMARY = "officer-feedback-summary"
    CHART = "officer-feedback-chart"
    TABLE = "officer-feedback-table"
    REFRESH = "officer-feedback-refresh"
    KPI_ANSWERS = "kpi-feedback-total"
    KPI_AVERAGE = "kpi-feedback-region"
    KPI_HOSPITALS = "kpi-feedback-hospitals"


ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/officer/feedback", title=N_("Feedback across hospitals"), allowed_roles=ROLES,
                   nav_label=N_("Feedback"), nav_order=4)


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Feedback across hospitals"),
                        _("“%(question)s” Lowest average first.", question=_(feedback.QUESTION))),
            html.Div(id=ID.SUMMARY),
            dcc.Graph(id=ID.CHART, config={"displaylogo": False}),
            html.Div(id=ID.TABLE),
            dcc.Interval(id=ID.REFRESH, interval=60_000),
        ]
    )


@callback(
    Output(ID.SUMMARY, "children"),
    Output(ID.CHART, "figure"),
    Output(ID.TABLE, "children"),
    Input(ID.REFRESH, "n_intervals"),
)
@allowed_roles(*ROLES)
def refresh_officer_feedback(_n):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        summaries = feedback.region_feedback(session, actor=actor, now=now)
        weekly = feedback.region_weekly(session, actor=actor, now=now)
    region = feedback.region_totals(summaries)
    cards = [kpi_card(_("Answers"), region.answers, card_id=ID.KPI_ANSWERS),
             kpi_card(_("Region average"), stars(region.average), card_id=ID.KPI_AVERAGE),
             kpi_card(_("Hospitals rated"), region.hospitals, card_id=ID.KPI_HOSPITALS)]
    return ([kpi_row(cards), last_updated(now)], weekly_chart(weekly, _("Region: average answer per week")),
            region_table(summaries))

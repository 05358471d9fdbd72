"""Health officer: feedback across every hospital: answers, average and trend per hospital (lowest
average first), and the region's weekly average. Figures only: comments stay with each hospital."""

import dash
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.feedback import region_table, stars, weekly_chart
from db import feedback
from db.clock import utcnow
from db.vocabulary import Role

ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/officer/feedback", title="Feedback across hospitals", allowed_roles=ROLES,
                   nav_label="Feedback", nav_order=4)


def layout(**kwargs):
    return html.Div(
        [
            page_header("Feedback across hospitals", f"“{feedback.QUESTION}” Lowest average first."),
            html.Div(id="officer-feedback-summary"),
            dcc.Graph(id="officer-feedback-chart", config={"displaylogo": False}),
            html.Div(id="officer-feedback-table"),
            dcc.Interval(id="officer-feedback-refresh", interval=60_000),
        ]
    )


@callback(
    Output("officer-feedback-summary", "children"),
    Output("officer-feedback-chart", "figure"),
    Output("officer-feedback-table", "children"),
    Input("officer-feedback-refresh", "n_intervals"),
)
@allowed_roles(*ROLES)
def refresh_officer_feedback(_n):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        summaries = feedback.region_feedback(session, actor=actor, now=now)
        weekly = feedback.region_weekly(session, actor=actor, now=now)
    total = sum(s.count for s in summaries)
    average = sum(s.average * s.count for s in summaries) / total if total else None
    cards = [kpi_card("Answers", total, card_id="kpi-feedback-total"),
             kpi_card("Region average", stars(average), card_id="kpi-feedback-region"),
             kpi_card("Hospitals rated", len(summaries), card_id="kpi-feedback-hospitals")]
    return ([kpi_row(cards), last_updated(now)], weekly_chart(weekly, "Region: average answer per week"),
            region_table(summaries))

"""Hospital admin: what citizens said about their SOS handled by this hospital (only this one):
average, trend, the answers per point of the scale, and the comments."""

import dash
from dash import Input, Output, callback, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import kpi_card, kpi_row, last_updated, page_header
from components.feedback import items_list, stars, trend_text, weekly_chart
from components.format import count
from components.i18n import N_, _, ngettext
from db import feedback
from db.clock import utcnow
from db.vocabulary import Role

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital/feedback", title=N_("Feedback"), allowed_roles=ROLES,
                   nav_label=N_("Feedback"), nav_order=4)


class ID:
    SUMMARY = "hospital-feedback-summary"
    CHART = "hospital-feedback-chart"
    ITEMS = "hospital-feedback-items"
    REFRESH = "hospital-feedback-refresh"
    KPI_AVERAGE = "kpi-feedback-average"
    KPI_RECENT = "kpi-feedback-recent"

    @staticmethod
    def kpi_rating(value: int) -> str:
        return f"kpi-feedback-{value}"


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Feedback from citizens"),
                        _("“%(question)s”, asked once each SOS is resolved.", question=_(feedback.QUESTION))),
            html.Div(id=ID.SUMMARY),
            dcc.Graph(id=ID.CHART, config={"displaylogo": False}),
            html.H2(_("Latest answers"), className="h4 mt-3"),
            html.Div(id=ID.ITEMS),
            dcc.Interval(id=ID.REFRESH, interval=60_000),
        ]
    )


@callback(
    Output(ID.SUMMARY, "children"),
    Output(ID.CHART, "figure"),
    Output(ID.ITEMS, "children"),
    Input(ID.REFRESH, "n_intervals"),
)
@allowed_roles(*ROLES)
def refresh_hospital_feedback(_n):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        view = feedback.hospital_feedback(session, actor=actor, hospital_id=actor.hospital_id, now=now)
    cards = [
        kpi_card(_("Average"), stars(view.average),
                 detail=ngettext("%(count)s answer", "%(count)s answers", view.count, count=count(view.count)), card_id=ID.KPI_AVERAGE),
        kpi_card(_("Last 30 days"), stars(view.recent_average), detail=trend_text(view.trend),
                 card_id=ID.KPI_RECENT,
                 color="success" if (view.trend or 0) > 0 else "warning" if (view.trend or 0) < 0 else "light"),
    ] + [kpi_card(_(label), view.by_rating[value], card_id=ID.kpi_rating(value))
         for value, label in feedback.RATINGS.items()]
    return ([kpi_row(cards), last_updated(now)], weekly_chart(view.weekly, _("Average answer per week")),
            items_list(view.items, feedback.RATINGS))

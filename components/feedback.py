"""Builders for feedback: the question after a resolved SOS, the hospital's view, the officers'
table, and the trend chart."""

from __future__ import annotations

from datetime import timedelta

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from components.charts import LAYOUT, time_axis
from components.charts import title as chart_title
from components.format import count, local_time, to_local
from components.i18n import _, ngettext
from db.vocabulary import sos_number


class ID:
    # The question on the citizen's tracking page (/citizen/sos/<id>).
    AREA = "feedback-area"      # outside the page's refreshing body
    SHOWN = "feedback-shown"    # what the area shows now: not_yet / ask / given
    CARD = "feedback-card"
    QUESTION = "feedback-question"
    FORM = "feedback-form"
    RATING = "feedback-rating"
    RATING_MESSAGE = "feedback-rating-message"
    COMMENT = "feedback-comment"
    COMMENT_FEEDBACK = "feedback-comment-feedback"
    SUBMIT = "feedback-submit"
    RESULT = "feedback-result"
    THANKS = "feedback-thanks"
    REFUSED = "feedback-refused"
    # The hospital's list and the officers' table.
    ITEMS_EMPTY = "feedback-items-empty"
    REGION_EMPTY = "feedback-region-empty"
    REGION_TABLE = "feedback-region-table"

    @staticmethod
    def item(sos_id: int) -> str:
        return f"feedback-item-{sos_id}"

    @staticmethod
    def hospital_row(hospital_id: int) -> str:
        return f"feedback-hospital-{hospital_id}"


def stars(average: float | None) -> str:
    return "—" if average is None else f"{average:.1f} / 5"


def trend_text(delta: float | None) -> str:
    if delta is None:
        return _("not enough feedback yet to compare")
    if abs(delta) < 0.05:
        return _("steady against the 30 days before")
    if delta > 0:
        return _("up %(change)s against the 30 days before", change=round(delta, 1))
    return _("down %(change)s against the 30 days before", change=round(-delta, 1))


def feedback_form(question: str, ratings: dict[int, str], comment_max: int) -> dbc.Card:
    """Asked once, after the SOS is resolved."""
    return dbc.Card(dbc.CardBody([
        html.H2(question, className="h4", id=ID.QUESTION),
        html.Div([
            dbc.RadioItems(id=ID.RATING, options=[{"label": label, "value": value} for value, label in ratings.items()],
                           className="fs-5 mb-2", inputClassName="me-2", labelClassName="py-1"),
            html.Div(id=ID.RATING_MESSAGE, className="text-danger fs-5"),
            dbc.Label(_("Anything you want to tell us? (optional)"), html_for=ID.COMMENT, className="fs-5"),
            dbc.Textarea(id=ID.COMMENT, maxLength=comment_max, size="lg", rows=3),
            dbc.FormFeedback(id=ID.COMMENT_FEEDBACK, type="invalid"),
            dbc.Button(_("Send feedback"), id=ID.SUBMIT, color="primary", size="lg", className="mt-2 px-5"),
        ], id=ID.FORM),
        html.Div(id=ID.RESULT, className="mt-2 fs-5"),
    ]), className="mt-3 border-primary", id=ID.CARD)


def thanks(rating_label: str | None = None) -> dbc.Alert:
    text = _("Thank you for your feedback.") + (" " + _("You answered: %(rating)s.", rating=rating_label)
                                                if rating_label else "")
    return dbc.Alert(text, color="success", className="fs-5 mt-3", id=ID.THANKS)


def refused(message: str) -> dbc.Alert:
    """Feedback that cannot be given (not resolved yet, given already, not theirs)."""
    return dbc.Alert(message, color="warning", id=ID.REFUSED)


def weekly_chart(points, title: str) -> go.Figure:
    weeks = [to_local(p.week_start) for p in points]
    figure = go.Figure(go.Scatter(
        x=weeks, y=[round(p.average, 2) for p in points],
        mode="lines+markers", text=[ngettext("%(count)s answer", "%(count)s answers", p.count, count=count(p.count)) for p in points], hovertemplate="%{y} (%{text})",
        line=dict(color="#0d6efd")))
    figure.update_layout(title=chart_title(title), uirevision="feedback", yaxis=dict(range=[0.8, 5.2], dtick=1),
                         xaxis=time_axis(weeks, pad=timedelta(days=7)), **LAYOUT)
    return figure


def items_list(items, ratings: dict[int, str]) -> html.Div:
    if not items:
        return html.P(_("No feedback yet."), className="text-muted", id=ID.ITEMS_EMPTY)
    return html.Div([
        dbc.Card(dbc.CardBody([
            html.Div([dbc.Badge(f"{i.rating} · {_(ratings[i.rating])}",
                                color="success" if i.rating >= 4 else "warning" if i.rating == 3 else "danger",
                                className="me-2 fs-6"),
                      html.Span(f"{sos_number(i.sos_id)} · {local_time(i.created_at, with_date=True)}",
                                className="text-muted")]),
            html.P(i.comment, className="mb-0 mt-1", style={"whiteSpace": "pre-line"}) if i.comment else None,
        ]), className="mb-2 feedback-item", id=ID.item(i.sos_id))
        for i in items
    ])


def region_table(summaries) -> html.Div:
    if not summaries:
        return html.P(_("No feedback yet from any hospital."), className="text-muted", id=ID.REGION_EMPTY)
    rows = [html.Tr([html.Td(s.hospital_name), html.Td(count(s.count)), html.Td(stars(s.average)),
                     html.Td(stars(s.recent_average)), html.Td(trend_text(s.trend))],
                    id=ID.hospital_row(s.hospital_id))
            for s in summaries]
    return dbc.Table([html.Thead(html.Tr([html.Th(_("Hospital")), html.Th(_("Answers")), html.Th(_("Average")),
                                          html.Th(_("Last 30 days")), html.Th(_("Trend"))])),
                      html.Tbody(rows)], responsive=True, hover=True, className="fs-6", id=ID.REGION_TABLE)

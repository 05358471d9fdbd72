"""Builders for public health alerts: the banner on every page, alert cards, the history list,
and the officer's form. Alert text is always passed as text (Dash escapes it), never as HTML."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.format import local_time
from components.shell import dom_id


class ID:
    # The banner in the app shell (one container and one timer for every page).
    BANNER = "alerts-banner"
    BANNER_REFRESH = "alerts-banner-refresh"
    BANNER_SHOWN = "alerts-banner-shown"
    BANNER_MORE = "alert-banner-more"
    PREVIEW_CARD = "alert-preview-card"
    HISTORY = "alerts-history"
    HISTORY_EMPTY = "alerts-history-empty"

    @staticmethod
    def banner_item(alert_id: int) -> str:
        return f"alert-banner-{alert_id}"

    @staticmethod
    def card(alert_id: int) -> str:
        return f"alert-{alert_id}"

    @staticmethod
    def history_row(alert_id: int) -> str:
        return f"history-{alert_id}"

    # The officer's form: its inputs, the messages at them, and its CAP choices.
    @staticmethod
    def field(name: str) -> dict:
        return {"type": "alert-field", "name": name}

    @staticmethod
    def feedback(name: str) -> dict:
        return {"type": "alert-feedback", "name": name}

    @staticmethod
    def choice(name: str) -> str:
        return f"alert-{name}"


BANNER_REFRESH_MS = 10_000
BANNER_MAX = 3  # more than this: "and N more" (a phone screen is small)

SEVERITY_COLORS = {"Extreme": "danger", "Severe": "danger", "Moderate": "warning", "Minor": "info",
                   "Unknown": "secondary"}
SEVERITY_ICONS = {"Extreme": "⚠⚠", "Severe": "⚠", "Moderate": "⚠", "Minor": "ℹ", "Unknown": "ℹ"}
STATE_LABELS = {"active": "In force", "upcoming": "Starts later", "expired": "Expired",
                "replaced": "Replaced by an update", "cancellation": "Cancellation"}
STATE_COLORS = {"active": "success", "upcoming": "info", "expired": "secondary", "replaced": "secondary",
                "cancellation": "dark"}
WHERE_LABELS = {"here": "Covers your location", "region": "Region-wide", "elsewhere": "Not at your location"}
TEXT_STYLE = {"whiteSpace": "pre-line"}  # keep the officer's line breaks, as text


def banner_container() -> html.Div:
    """Placed by pages/shell.serve_shell above every page and filled by its banner callback."""
    return html.Div(
        [html.Div(id=ID.BANNER, role="region", **{"aria-label": "Public health alerts", "aria-live": "polite"}),
         dcc.Interval(id=ID.BANNER_REFRESH, interval=BANNER_REFRESH_MS),
         dcc.Store(id=ID.BANNER_SHOWN)],
    )


def status_prefix(alert) -> str:
    return "" if alert.status == "Actual" else f"{alert.status.upper()}: "


def banner(alerts: list, *, details_href: str = "/alerts") -> list:
    """Active alerts, most severe first (the caller's order), each one line with a link."""
    if not alerts:
        return []
    items = [
        dbc.Alert(
            [
                html.Span(SEVERITY_ICONS.get(a.severity, "⚠") + " ", **{"aria-hidden": "true"}),
                html.Strong(f"{status_prefix(a)}{a.severity.upper()} · ", className="me-1"),
                html.Strong(a.headline, className="banner-headline"),
                html.Span(f" · {a.area_desc} · until {local_time(a.expires, with_date=True)[:-3]} ",
                          className="d-none d-md-inline"),
                dcc.Link("Details", href=details_href, className="alert-link ms-1"),
            ],
            color=SEVERITY_COLORS.get(a.severity, "warning"),
            className="py-2 px-3 mb-1 alert-banner-item",
            id=ID.banner_item(a.id),
        )
        for a in alerts[:BANNER_MAX]
    ]
    if len(alerts) > BANNER_MAX:
        items.append(dcc.Link(f"…and {len(alerts) - BANNER_MAX} more alerts", href=details_href,
                              className="d-block mb-2 fs-6", id=ID.BANNER_MORE))
    return items


def _time_line(alert, now: datetime | None) -> str:
    starts = f"from {local_time(alert.effective, with_date=True)[:-3]} " if now and alert.effective > now else ""
    return f"{starts}until {local_time(alert.expires, with_date=True)[:-3]}"


def alert_card(alert, *, now: datetime | None = None, where: str | None = None,
               element_id: str | None = None, xml_link: bool = True) -> dbc.Card:
    color = SEVERITY_COLORS.get(alert.severity, "secondary")
    badges = [
        dbc.Badge(alert.severity, color=color, className="me-1 fs-6"),
        dbc.Badge(f"Urgency: {alert.urgency}", color="light", text_color="dark", className="me-1"),
        dbc.Badge(f"Certainty: {alert.certainty}", color="light", text_color="dark", className="me-1"),
    ]
    if alert.status != "Actual":
        badges.append(dbc.Badge(alert.status.upper(), color="dark", className="me-1"))
    if alert.msg_type != "Alert":
        badges.append(dbc.Badge(alert.msg_type, color="primary", className="me-1"))
    if where in WHERE_LABELS:
        badges.append(dbc.Badge(WHERE_LABELS[where], color="danger" if where == "here" else "light",
                                text_color=None if where == "here" else "dark", className="me-1"))
    circle = (f" (circle of {alert.circle_radius_km:g} km around {alert.circle_lat:.4f}, {alert.circle_lon:.4f})"
              if alert.circle_radius_km is not None and not alert.area_desc.startswith("Within ") else "")
    body = [
        html.Div(badges, className="mb-1"),
        html.H3(alert.headline, className="h4 mb-1 alert-headline"),
        html.Div(f"{alert.event} · {alert.area_desc}{circle}", className="text-muted"),
        html.Div(_time_line(alert, now), className="fw-semibold"),
    ]
    if alert.description:
        body.append(html.P(alert.description, className="mt-2 mb-1 alert-description", style=TEXT_STYLE))
    if alert.instruction:
        body.append(html.Div([html.Strong("What to do: "),
                              html.Span(alert.instruction, style=TEXT_STYLE, className="alert-instruction")],
                             className="fs-5 mt-1"))
    if xml_link and alert.identifier:
        body.append(html.A("CAP 1.2 XML", href=f"/cap/alerts/{alert.identifier}.xml", target="_blank",
                           className="small d-inline-block mt-2"))
    return dbc.Card(dbc.CardBody(body), color=color, outline=True, className="mb-2 alert-card border-2",
                    id=element_id or (ID.card(alert.id) if alert.id else ID.PREVIEW_CARD))


def history_list(alerts: list, now: datetime, state_of) -> html.Div:
    if not alerts:
        return html.P("No alerts have been published yet.", className="text-muted", id=ID.HISTORY_EMPTY)
    rows = [
        html.Tr([
            html.Td(local_time(a.sent, with_date=True)[:-3], className="text-nowrap"),
            html.Td([dbc.Badge(STATE_LABELS[state_of(a, now)], color=STATE_COLORS[state_of(a, now)]),
                     " ", dbc.Badge(a.msg_type, color="light", text_color="dark") if a.msg_type != "Alert" else None]),
            html.Td(dbc.Badge(a.severity, color=SEVERITY_COLORS.get(a.severity, "secondary"))),
            html.Td([html.Div(a.headline, className="fw-semibold"),
                     html.Small(f"{a.event} · {a.area_desc}", className="text-muted")]),
            html.Td(html.A("XML", href=f"/cap/alerts/{a.identifier}.xml", target="_blank")
                    if a.status != "Draft" else "—"),
        ], id=ID.history_row(a.id))
        for a in alerts
    ]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th("Sent"), html.Th("State"), html.Th("Severity"), html.Th("Alert"),
                             html.Th("CAP")])),
         html.Tbody(rows)],
        responsive=True, hover=True, size="sm", className="alerts-history", id=ID.HISTORY,
    )


# ---- the officer's form -----------------------------------------------------------------------

FIELD_NAMES = ("event", "headline", "description", "instruction", "effective", "expires", "area_desc",
               "centre", "radius")
CHOICE_NAMES = ("severity", "urgency", "certainty", "category", "status")
LABELS = {
    "event": "Event (what is happening)",
    "headline": "Headline (the one line people read first)",
    "description": "Description",
    "instruction": "What people should do",
    "effective": "Starts (local time; empty: now)",
    "expires": "Expires (local time)",
    "area_desc": "Area name",
    "centre": "Circle centre (latitude, longitude)",
    "radius": "Radius (km)",
}


def form_field(name: str, control) -> html.Div:
    """A labelled field of the officer's form with its message below (assets/shell.js ties the
    message to the field with aria-describedby and reads it out when it appears)."""
    return html.Div([dbc.Label(LABELS[name], html_for=dom_id(ID.field(name)), className="fw-semibold"), control,
                     dbc.FormFeedback(id=ID.feedback(name), type="invalid")], className="mb-2")


def choice(name: str, label: str, values: tuple[str, ...], value: str) -> html.Div:
    """One of the alert's CAP choices (severity, urgency, ...) as a select."""
    return html.Div([dbc.Label(label, html_for=ID.choice(name)),
                     dbc.Select(id=ID.choice(name), options=[{"label": v, "value": v} for v in values],
                                value=value, size="lg")], className="mb-2")

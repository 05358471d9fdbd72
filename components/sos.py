"""Builders for the citizen's SOS screens: the button, status badges, the timeline, cancelling.
The hospital's cards are in components/dispatch.py."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.format import moment


class ID:
    BUTTON = "sos-button"  # the big SOS button on /citizen
    TIMELINE = "track-timeline"
    CANCEL_BUTTON = "cancel-sos-button"

    @staticmethod
    def cancel(sos_id) -> dict:
        """The confirm-then-cancel control of one SOS. A pattern id: the control exists only while
        cancelling is possible, and a callback may listen to ALL of them, none included (a plain
        id must always exist)."""
        return {"type": "track-cancel", "sos": sos_id}


PRIORITY_COLORS = {"critical": "danger", "emergent": "warning", "lower_acuity": "info", "non_acute": "secondary"}
STATUS_COLORS = {
    "pending": "warning", "unanswered": "danger", "accepted": "primary", "dispatched": "primary",
    "en_route": "primary", "on_scene": "success", "transporting": "success",
    "at_hospital": "success", "resolved": "secondary", "cancelled": "secondary",
}


def big_sos_button() -> html.Button:
    return html.Button(
        [html.Span("SOS", className="sos-button-label"),
         html.Span("Press for emergency help", className="sos-button-hint")],
        id=ID.BUTTON,
        className="sos-button",
        n_clicks=0,
        type="button",
    )


def status_badge(status: str, label: str, *, element_id: str | None = None) -> dbc.Badge:
    """A status in words and colour. Only a page showing one SOS names it (`element_id`): on a list
    of cards several badges share a status, and an id must be unique."""
    extra = {"id": element_id} if element_id else {}
    return dbc.Badge(label, color=STATUS_COLORS.get(status, "secondary"), className="fs-5 sos-status", **extra)


def timeline(entries, now: datetime) -> html.Ol:
    """What has happened, oldest first: each entry's time, with its date when not today."""
    return html.Ol(
        [html.Li([html.Span(moment(e.at, now), className="text-muted me-2 font-monospace"), e.text],
                 className="fs-5 mb-1") for e in entries],
        className="list-unstyled sos-timeline",
        id=ID.TIMELINE,
    )


def cancel_control(sos_id: int) -> dcc.ConfirmDialogProvider:
    return dcc.ConfirmDialogProvider(
        dbc.Button("Cancel my SOS", color="outline-danger", size="lg", id=ID.CANCEL_BUTTON),
        id=ID.cancel(sos_id),
        message="Cancel this SOS? The hospital and ambulance will stop coming.",
    )

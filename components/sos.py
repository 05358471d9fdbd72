"""Builders for the citizen's SOS screens: the button, status badges, the timeline, cancelling.
The hospital's cards are in components/dispatch.py."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.format import local_time

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
        id=ids.SOS_BUTTON,
        className="sos-button",
        n_clicks=0,
        type="button",
    )


def status_badge(status: str, label: str, *, element_id: str | None = None) -> dbc.Badge:
    return dbc.Badge(label, color=STATUS_COLORS.get(status, "secondary"), className="fs-5 sos-status",
                     id=element_id or f"status-badge-{status}")


def timeline(entries) -> html.Ol:
    return html.Ol(
        [html.Li([html.Span(local_time(e.at), className="text-muted me-2 font-monospace"), e.text],
                 className="fs-5 mb-1") for e in entries],
        className="list-unstyled sos-timeline",
        id=ids.TRACK_TIMELINE,
    )


def cancel_control(sos_id: int) -> dcc.ConfirmDialogProvider:
    return dcc.ConfirmDialogProvider(
        dbc.Button("Cancel my SOS", color="outline-danger", size="lg", id="cancel-sos-button"),
        # A pattern id: the control exists only while cancelling is possible, and a callback may
        # listen to ALL of them, none included (a plain id must always exist).
        id={"type": ids.TRACK_CANCEL, "sos": sos_id},
        message="Cancel this SOS? The hospital and ambulance will stop coming.",
    )

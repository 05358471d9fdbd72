"""Control-room wall display (read-only display account)."""

import dash
from dash import html

from components.cards import not_available_yet, page_header

dash.register_page(__name__, path="/display", title="Wall display",
                   allowed_roles=("display", "health_officer", "super_admin"),
                   nav_label="Wall display", nav_order=90)


def layout(**kwargs):
    return html.Div(
        [
            page_header("Control-room wall display"),
            not_available_yet("Wall display", "Open SOS, ambulances, beds, blood, alerts and "
                              "response times on one large screen, refreshing by itself."),
        ]
    )

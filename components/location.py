"""Where am I? The browser's location with typed coordinates or a landmark as a fallback."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html


def location_controls(prefix: str) -> html.Div:
    return html.Div(
        [
            dcc.Geolocation(id=f"{prefix}-geo"),
            html.Div(id=f"{prefix}-where", className="mb-1"),
            dbc.InputGroup(
                [
                    dbc.Input(id=f"{prefix}-place", placeholder="Or type coordinates (12.97, 77.59) or a place",
                              debounce=True),
                    dbc.Button("Use my location", id=f"{prefix}-locate", color="secondary", outline=True),
                ],
                size="lg",
            ),
        ],
        className="mb-3",
    )

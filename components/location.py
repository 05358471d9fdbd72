"""Where am I? The browser's location with typed coordinates or a landmark as a fallback.

Each page that shows these controls names them after itself (`location_controls("beds")`); its
callbacks address them through `ID.of("beds")`. The typed place is the one exception: one input
(`ID.PLACE`) on every page, kept for the browser tab (Dash persistence), so the place typed on
"Find a bed" is already there on "Find blood" and back."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html


@dataclass(frozen=True)
class LocationIds:
    geo: str     # the browser's position (dcc.Geolocation)
    where: str   # the line saying where distances are measured from
    place: str   # typed coordinates or a place name: the same input on every page
    locate: str  # the "Use my location" button


class ID:
    PLACE = "location-place"  # shared by the pages, so what is typed there follows the person

    @staticmethod
    def of(page: str) -> LocationIds:
        """The ids of one page's location controls."""
        return LocationIds(geo=f"{page}-geo", where=f"{page}-where", place=ID.PLACE,
                           locate=f"{page}-locate")


def location_controls(page: str) -> html.Div:
    ids = ID.of(page)
    return html.Div(
        [
            dcc.Geolocation(id=ids.geo),
            html.Div(id=ids.where, className="mb-1"),
            dbc.InputGroup(
                [
                    dbc.Input(id=ids.place, placeholder="Or type coordinates (12.97, 77.59) or a place",
                              debounce=True, persistence=True, persistence_type="session"),
                    dbc.Button("Use my location", id=ids.locate, color="secondary", outline=True),
                ],
                size="lg",
            ),
        ],
        className="mb-3",
    )

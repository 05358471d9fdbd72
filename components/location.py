"""Where am I? The browser's location with typed coordinates or a landmark as a fallback.

Each page that shows these controls names them after itself (`location_controls("beds")`); its
callbacks address them through `ID.of("beds")`. The typed place is the one exception: one input
(`ID.PLACE`) on every page, kept for the browser tab (Dash persistence), so the place typed on
"Find a bed" is already there on "Find blood" and back."""

from __future__ import annotations

import re
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import N_, _


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
            dbc.Label(_("Where you are: coordinates or a place"), html_for=ids.place, className="visually-hidden"),
            dbc.InputGroup(
                [
                    dbc.Input(id=ids.place, placeholder=_("Or type coordinates (12.97, 77.59) or a place"),
                              debounce=True, persistence=True, persistence_type="session"),
                    dbc.Button(_("Use my location"), id=ids.locate, color="secondary", outline=True),
                ],
                size="lg",
            ),
        ],
        className="mb-3",
    )


# What db/places.resolve_place says (English) in the reader's language: its fixed words, and
# the two it writes with a value in them.
PLACE_WORDS = (N_("from the city centre"), N_("from your location"),
               N_("from the city centre (allow location for yours)"),
               # db/geo.parse_coordinates
               N_("Type two numbers: latitude, longitude (e.g. 12.9716, 77.5946)."),
               N_("Coordinates must be numbers, e.g. 12.9716, 77.5946."),
               N_("Latitude is -90 to 90 and longitude -180 to 180."))
_NEAR = re.compile(r"^near (.+)$", re.S)
_FROM_POINT = re.compile(r"^from (-?[\d.]+), (-?[\d.]+)$")
_NOT_FOUND = re.compile(r"^We could not find “(.*)”\. Showing distances from the city centre\.$", re.S)


def place_words(text: str | None) -> str:
    if not text:
        return ""
    if text in PLACE_WORDS:
        return _(text)
    if point := _FROM_POINT.match(text):
        return _("from %(lat)s, %(lon)s", lat=point.group(1), lon=point.group(2))
    if near := _NEAR.match(text):
        return _("near %(place)s", place=near.group(1))
    if missing := _NOT_FOUND.match(text):
        return _("We could not find “%(place)s”. Showing distances from the city centre.", place=missing.group(1))
    return _(text)  # a landmark's name, or a message of db/ marked there


def where_line(where: str, problem: str | None, *, element_id: str | None = None) -> html.Div:
    """"Distances from your location." and, when the typed place was not understood, why."""
    return html.Div([_("Distances %(where)s.", where=place_words(where)),
                     html.Span(" " + place_words(problem), className="text-danger") if problem else None],
                    **({"id": element_id} if element_id else {}))

"""Citizen: the SOS page is plain HTML (web/citizen.py, templates/citizen/sos.html), light enough
for a slow phone network and usable without JavaScript (issue 18).

This entry stays so that the citizen's menu on the Dash pages lists "Home" (`/citizen`). A full
page load of `/citizen` reaches the Flask route, never Dash; following the menu link inside a
Dash page asks Dash for this layout instead, which loads the plain page for real."""

import dash
from dash import dcc, html

from components.i18n import N_, _
from db.vocabulary import Role

dash.register_page(__name__, path="/citizen", title=N_("SOS"), allowed_roles=(Role.CITIZEN,),
                   nav_label=N_("Home"), nav_order=0, translated=True)


class ID:
    RELOAD = "sos-page-reload"
    OPEN = "sos-page-open"


def layout(**kwargs):
    return html.Div([
        # A different address than the one shown (the query), so dcc.Location loads it for real.
        dcc.Location(id=ID.RELOAD, href="/citizen?from=menu", refresh=True),
        html.A(_("Open the SOS page"), href="/citizen", id=ID.OPEN, className="btn btn-danger btn-lg"),
    ])

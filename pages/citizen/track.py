"""Citizen: following one SOS is a plain HTML page (web/citizen.py, templates/citizen/track.html),
usable without JavaScript (issue 18). A full load of `/citizen/sos/<id>` reaches the Flask route;
a link followed inside a Dash page lands here and loads the plain page for real."""

import dash
from dash import dcc, html

from components.i18n import N_, _
from db.vocabulary import Role

dash.register_page(__name__, path_template="/citizen/sos/<sos_id>", title=N_("Your SOS"),
                   allowed_roles=(Role.CITIZEN,), translated=True)


class ID:
    RELOAD = "track-page-reload"
    OPEN = "track-page-open"


def layout(sos_id=None, **kwargs):
    target = f"/citizen/sos/{sos_id}" if str(sos_id).isdigit() else "/citizen"
    return html.Div([
        dcc.Location(id=ID.RELOAD, href=f"{target}?from=menu", refresh=True),
        html.A(_("Open your SOS"), href=target, id=ID.OPEN, className="btn btn-danger btn-lg"),
    ])

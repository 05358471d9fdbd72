"""The banner of active public health alerts above every page (app.serve_shell places it).

Not a page (the leading underscore keeps Dash from registering it); app.py imports it so this
callback exists. One query per refresh, and nothing is sent when the set of alerts is unchanged.
"""

import dash
from dash import Input, Output, State, callback
from flask_login import current_user

from auth.context import db_session
from auth.roles import ALL_SIGNED_IN, allowed_roles
from components.alerts import BANNER, BANNER_REFRESH, BANNER_SHOWN, banner
from db import alerts
from db.clock import utcnow


@callback(Output(BANNER, "children"), Output(BANNER_SHOWN, "data"),
          Input(BANNER_REFRESH, "n_intervals"), State(BANNER_SHOWN, "data"))
@allowed_roles(*ALL_SIGNED_IN)
def refresh_alerts_banner(_n, shown):
    with db_session() as session:
        active = alerts.active_alerts(session, now=utcnow())
        signature = [[a.id, a.expires.isoformat()] for a in active]
        if shown is not None and signature == shown:
            raise dash.exceptions.PreventUpdate  # unchanged: send nothing
        # Officers read alerts on their own page (the form and the history).
        details = "/officer/alerts" if current_user.role == "health_officer" else "/alerts"
        return banner(active, details_href=details), signature

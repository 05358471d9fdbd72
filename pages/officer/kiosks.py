"""Officers and super admins: issue and revoke kiosk links that open the wall display."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.actions import act
from auth.context import actor_in, db_session, public_url
from auth.roles import allowed_roles
from components.cards import page_header
from components.format import ago, local_time
from components.i18n import N_, _
from components.triggers import pressed
from db import kiosk
from db.clock import utcnow
from db.parse import count_or_zero


class ID:
    LABEL = "kiosk-label"
    ISSUE = "kiosk-issue"
    MESSAGE = "kiosk-message"
    URL = "kiosk-url"
    LIST = "kiosk-list"
    CHANGED = "kiosk-changed"

    @staticmethod
    def revoke(kiosk_id) -> dict:
        return {"type": "kiosk-revoke", "kiosk": kiosk_id}


ROLES = kiosk.ISSUERS
dash.register_page(__name__, path="/officer/kiosks", title=N_("Display links"), allowed_roles=ROLES,
                   nav_label=N_("Display links"), nav_order=91)


def layout(**kwargs):
    return html.Div([
        page_header(_("Wall display links"), _("A link opens the read-only control-room display on a screen, "
                                               "without an account. Revoke it and that screen stops at once.")),
        dbc.InputGroup([dbc.Input(id=ID.LABEL, placeholder=_("Name of the screen, e.g. Control room wall 1")),
                        dbc.Button(_("Issue link"), id=ID.ISSUE, color="danger")], size="lg", className="mb-2"),
        html.Div(id=ID.MESSAGE),
        html.Div(id=ID.LIST, className="mt-3"),
        dcc.Store(id=ID.CHANGED, data=0),
    ])


def _refused(outcome):
    return dbc.Alert(outcome.message, color="danger"), dash.no_update


@callback(Output(ID.MESSAGE, "children", allow_duplicate=True), Output(ID.CHANGED, "data", allow_duplicate=True),
          Input(ID.ISSUE, "n_clicks"), State(ID.LABEL, "value"), State(ID.CHANGED, "data"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def issue_link(_clicks, label, changed):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(kiosk.issue, label=label)
    if not outcome.ok:
        return _refused(outcome)
    token, row = outcome.result
    url = public_url(f"/kiosk/{token}")
    return (dbc.Alert([html.Strong(_("Link for “%(label)s” (shown once: copy it now):", label=row.label) + " "),
                       html.Code(url, id=ID.URL, className="text-break")], color="success"), count_or_zero(changed) + 1)


@callback(Output(ID.MESSAGE, "children", allow_duplicate=True), Output(ID.CHANGED, "data", allow_duplicate=True),
          Input(ID.revoke(ALL), "n_clicks"), State(ID.CHANGED, "data"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def revoke_link(_clicks, changed):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    outcome = act(kiosk.revoke, kiosk_id=ctx.triggered_id["kiosk"])
    if not outcome.ok:
        return _refused(outcome)
    return dbc.Alert(_("“%(label)s” revoked: that screen stops now.", label=outcome.result.label),
                     color="secondary"), count_or_zero(changed) + 1


@callback(Output(ID.LIST, "children"), Input(ID.CHANGED, "data"))
@allowed_roles(*ROLES)
def refresh_links(_changed):
    now = utcnow()
    with db_session() as session:
        rows = kiosk.active(session, actor=actor_in(session))
        items = [dbc.ListGroupItem(dbc.Row([
            dbc.Col([html.Div(r.label, className="fw-semibold"),
                     html.Small(_("issued %(time)s · last seen %(ago)s", time=local_time(r.issued_at, with_date=True),
                                  ago=ago(r.last_seen_at, now)),
                                className="text-muted")], md=9),
            dbc.Col(dbc.Button(_("Revoke"), id=ID.revoke(r.id), color="outline-danger"),
                    md=3, className="text-md-end"),
        ], align="center")) for r in rows]
    return dbc.ListGroup(items) if items else html.P(_("No display links in force."), className="text-muted")

"""Officers and super admins: issue and revoke kiosk links that open the wall display."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html
from flask import request

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import page_header
from components.format import ago, local_time
from db import kiosk
from db.clock import utcnow
from db.errors import DomainError

ROLES = kiosk.ISSUERS
dash.register_page(__name__, path="/officer/kiosks", title="Display links", allowed_roles=ROLES,
                   nav_label="Display links", nav_order=91)


def layout(**kwargs):
    return html.Div([
        page_header("Wall display links", "A link opens the read-only control-room display on a screen, without "
                                          "an account. Revoke it and that screen stops at once."),
        dbc.InputGroup([dbc.Input(id="kiosk-label", placeholder="Name of the screen, e.g. Control room wall 1"),
                        dbc.Button("Issue link", id="kiosk-issue", color="danger")], size="lg", className="mb-2"),
        html.Div(id="kiosk-message"),
        html.Div(id="kiosk-list", className="mt-3"),
    ])


@callback(
    Output("kiosk-message", "children"),
    Output("kiosk-list", "children"),
    Input("kiosk-issue", "n_clicks"),
    Input({"type": "kiosk-revoke", "kiosk": ALL}, "n_clicks"),
    State("kiosk-label", "value"),
)
@allowed_roles(*ROLES)
def kiosks(issue_clicks, _revoke_clicks, label):
    now = utcnow()
    message = dash.no_update
    trigger = ctx.triggered_id
    with db_session() as session:
        actor = actor_in(session)
        try:
            with session.begin_nested():
                if trigger == "kiosk-issue" and issue_clicks:
                    token, row = kiosk.issue(session, actor=actor, label=label, now=now)
                    url = f"{request.host_url.rstrip('/')}/kiosk/{token}"
                    message = dbc.Alert([html.Strong(f"Link for “{row.label}” (shown once: copy it now): "),
                                         html.Code(url, id="kiosk-url", className="text-break")], color="success")
                elif isinstance(trigger, dict) and any(t["value"] for t in ctx.triggered):
                    row = kiosk.revoke(session, actor=actor, kiosk_id=trigger["kiosk"], now=now)
                    message = dbc.Alert(f"“{row.label}” revoked: that screen stops now.", color="secondary")
        except DomainError as error:
            message = dbc.Alert(error.message, color="danger")
        rows = kiosk.active(session, actor=actor)
        items = [dbc.ListGroupItem(dbc.Row([
            dbc.Col([html.Div(r.label, className="fw-semibold"),
                     html.Small(f"issued {local_time(r.issued_at, with_date=True)} · last seen {ago(r.last_seen_at, now)}",
                                className="text-muted")], md=9),
            dbc.Col(dbc.Button("Revoke", id={"type": "kiosk-revoke", "kiosk": r.id}, color="outline-danger"),
                    md=3, className="text-md-end"),
        ], align="center")) for r in rows]
    return message, dbc.ListGroup(items) if items else html.P("No display links in force.", className="text-muted")

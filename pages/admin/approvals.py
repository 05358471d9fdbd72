"""Super admin: approve or reject hospital admins and health officers who registered."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import ids
from components.approvals import pending_list
from components.cards import last_updated, page_header
from db import users
from db.clock import utcnow
from db.errors import DomainError
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/approvals", title="Approvals",
                   allowed_roles=(Role.SUPER_ADMIN,), nav_label="Approvals", nav_order=2)


def layout(**kwargs):
    return html.Div(
        [
            page_header("Accounts waiting for approval",
                        "Hospital admins and health officers can do nothing until approved."),
            dbc.Alert(id=ids.APPROVALS_MESSAGE, is_open=False, className="fs-5"),
            html.Div(id=ids.APPROVALS_TABLE),
            dcc.Interval(id=ids.APPROVALS_REFRESH, interval=15_000),
        ]
    )


@callback(
    Output(ids.APPROVALS_TABLE, "children"),
    Output(ids.APPROVALS_MESSAGE, "children"),
    Output(ids.APPROVALS_MESSAGE, "color"),
    Output(ids.APPROVALS_MESSAGE, "is_open"),
    Input(ids.APPROVALS_REFRESH, "n_intervals"),
    Input(ids.approve_button(ALL), "n_clicks"),
    Input(ids.reject_button(ALL), "n_clicks"),
)
@allowed_roles(Role.SUPER_ADMIN)
def approvals(_n, _approve_clicks, _reject_clicks):
    now = utcnow()
    message, color = dash.no_update, dash.no_update
    trigger = ctx.triggered_id
    clicked = isinstance(trigger, dict) and any(t["value"] for t in ctx.triggered)
    with db_session() as session:
        actor = actor_in(session)
        if clicked:
            try:
                with session.begin_nested():
                    if trigger["type"] == "approve-user":
                        user = users.approve_user(session, actor=actor, user_id=trigger["user"], now=now)
                        message, color = f"{user.email} approved: they can log in now.", "success"
                    else:
                        user = users.reject_user(session, actor=actor, user_id=trigger["user"], now=now)
                        message, color = f"{user.email} rejected.", "secondary"
            except DomainError as error:
                message, color = error.message, "danger"
        pending = users.list_pending(session, actor=actor)
        table = pending_list(pending)
    # The message stays until the next decision; a refresh does not hide it.
    return [table, last_updated(now)], message, color, True if clicked else dash.no_update

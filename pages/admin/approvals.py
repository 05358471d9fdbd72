"""Super admin: approve or reject hospital admins and health officers who registered."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from auth.actions import act
from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components import answers
from components.approvals import ID as LIST
from components.approvals import pending_list
from components.cards import last_updated, page_header
from components.i18n import N_, _
from components.triggers import pressed
from db import users
from db.clock import utcnow
from db.vocabulary import Role

dash.register_page(__name__, path="/admin/approvals", title=N_("Approvals"),
                   allowed_roles=(Role.SUPER_ADMIN,), nav_label=N_("Approvals"), nav_order=2)


class ID:
    MESSAGE = "approvals-message"
    TABLE = "approvals-table"
    REFRESH = "approvals-refresh"
    CHANGED = "approvals-changed"  # bumped by every decision: the list is drawn again


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Accounts waiting for approval"),
                        _("Hospital admins and health officers can do nothing until approved.")),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5"),
            html.Div(id=ID.TABLE),
            dcc.Store(id=ID.CHANGED),
            dcc.Interval(id=ID.REFRESH, interval=15_000),
        ]
    )


@callback(
    Output(ID.TABLE, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.CHANGED, "data"),
)
@allowed_roles(Role.SUPER_ADMIN)
def refresh_approvals(_n, _changed):
    with db_session() as session:
        table = pending_list(users.list_pending(session, actor=actor_in(session)))
    return [table, last_updated(utcnow())]


# A decision's message stays until the next decision: a refresh does not hide it.
DECISION = answers.answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True)


def _decide(operation, said, color: str) -> tuple:
    """`said(email)` says how the decision went."""
    if not pressed():
        raise PreventUpdate
    # Only the id comes from the browser; the domain operation checks everything else.
    outcome = act(operation, user_id=ctx.triggered_id["user"], describe=lambda user: said(user.email))
    return answers.answer(outcome, color=color)


@callback(*DECISION, Input(LIST.approve(ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def approve(_clicks):
    return _decide(users.approve_user, lambda email: _("%(email)s approved: they can log in now.", email=email),
                   "success")


@callback(*DECISION, Input(LIST.reject(ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(Role.SUPER_ADMIN)
def reject(_clicks):
    return _decide(users.reject_user, lambda email: _("%(email)s rejected.", email=email), "secondary")

"""The list of accounts waiting for approval, each with big Approve and Reject buttons."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.format import local_time
from components.i18n import _
from db.vocabulary import ROLE_LABELS


class ID:
    EMPTY = "approvals-empty"

    @staticmethod
    def pending(user_id: int) -> str:
        return f"pending-{user_id}"

    @staticmethod
    def approve(user_id) -> dict:
        return {"type": "approve-user", "user": user_id}

    @staticmethod
    def reject(user_id) -> dict:
        return {"type": "reject-user", "user": user_id}


def pending_list(pending) -> html.Div:
    if not pending:
        return html.P(_("Nobody is waiting for approval."), className="fs-5", id=ID.EMPTY)
    items = []
    for user in pending:
        hospital = user.hospital
        where = ""
        if hospital is not None:
            point = f"{hospital.latitude:.4f}, {hospital.longitude:.4f}"
            where = (_("New hospital proposed: %(name)s, %(address)s (%(point)s)", name=hospital.name,
                       address=hospital.address, point=point)
                     if hospital.status == "proposed" else _("Hospital: %(name)s", name=hospital.name))
        items.append(
            dbc.ListGroupItem(
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Div(f"{user.full_name} · {_(ROLE_LABELS.get(user.role, user.role))}",
                                         className="fs-5 fw-semibold"),
                                html.Div(user.email),
                                html.Div(where, className="text-muted") if where else None,
                                html.Small(_("Registered %(time)s", time=local_time(user.created_at, with_date=True)),
                                           className="text-muted"),
                            ],
                            md=8,
                        ),
                        dbc.Col(
                            [
                                dbc.Button(_("Approve"), id=ID.approve(user.id), color="success",
                                           size="lg", className="me-2"),
                                dbc.Button(_("Reject"), id=ID.reject(user.id),
                                           color="outline-danger", size="lg"),
                            ],
                            md=4,
                            className="text-md-end mt-2 mt-md-0",
                        ),
                    ],
                    align="center",
                ),
                id=ID.pending(user.id),
                className="pending-user",
            )
        )
    return dbc.ListGroup(items)

"""The top bar: the product's name, the role's pages, who is signed in, and logout.

On a phone the links fold behind the menu button; `register_navbar_toggle(app)` opens them in the
browser (a clientside callback: no server round trip, nothing to authorise)."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from components.shell import ID


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str


def navbar(items: list[NavItem], *, user_name: str, role_label: str, csrf_token: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(item.label, href=item.href, active="exact",
                                className="px-2 text-nowrap nav-big"))
        for item in items
    ]
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token, id=ID.LOGOUT_CSRF),
            html.Button("Log out", type="submit", id=ID.LOGOUT_BUTTON,
                        className="btn btn-outline-light btn-lg ms-2 text-nowrap"),
        ],
        action="/logout",
        method="POST",
        className="d-flex align-items-center",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("✚ HealthFirst", href="/", className="fw-bold fs-3"),
                dbc.NavbarToggler(id=ID.NAVBAR_TOGGLER),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto flex-wrap"),
                        html.Span(
                            [html.Span(user_name, id=ID.NAVBAR_USER, className="fw-semibold"),
                             html.Span(f" · {role_label}", id=ID.NAVBAR_ROLE)],
                            className="navbar-text text-white me-2 small lh-sm navbar-person",
                        ),
                        logout,
                    ],
                    id=ID.NAVBAR_COLLAPSE,
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        id=ID.NAVBAR,
        color="danger",
        dark=True,
        # Roles with many pages (hospital admins, officers) would overflow below this width.
        expand="xxl",
        className="mb-3",
    )


def register_navbar_toggle(app) -> None:
    app.clientside_callback(
        ClientsideFunction("shell", "toggleNavbar"),  # assets/shell.js
        Output(ID.NAVBAR_COLLAPSE, "is_open"),
        Input(ID.NAVBAR_TOGGLER, "n_clicks"),
        State(ID.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )

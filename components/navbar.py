"""The top bar: the product's name, the role's pages, who is signed in, and logout.

Pages that belong together (the two searches, the wall display and its links, the region's pages
for the super admin) share one dropdown, so every role's pages fit on one line at 1366 px wide.
Below 992 px the links fold behind the menu button; `register_navbar_toggle(app)` opens them in
the browser (a clientside callback: no server round trip, nothing to authorise) and marks the
group holding the open page."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from components.i18n import _
from components.shell import ID


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


def _link(item: NavItem, badge=None):
    label = [item.label, badge] if badge is not None else item.label
    return dbc.NavItem(dbc.NavLink(label, href=item.href, active="exact", className="nav-big"))


def _group(group: NavGroup):
    return dbc.DropdownMenu(
        [dbc.DropdownMenuItem(item.label, href=item.href, className="nav-big-item") for item in group.items],
        label=group.label,
        nav=True,
        in_navbar=True,
        id=ID.nav_group(" ".join(item.href for item in group.items)),
        toggle_class_name="nav-big",
    )


def language_switch(languages: dict[str, str], current: str, *, csrf_token: str) -> html.Form:
    """The language switch: one button per other language, each named in its own language
    ("हिन्दी" on an English page, "English" on a Hindi one). A plain POST to /language with the
    session's CSRF token (auth/i18n.py), which sets the cookie and the account's choice and comes
    back to the page (`ID.LANGUAGE_NEXT`, kept current by assets/shell.js)."""
    buttons = [
        html.Button(name, type="submit", name="language", value=code, lang=code, id=ID.language(code),
                    title=f"{_('Language')}: {name}",
                    className="btn btn-sm btn-outline-light ms-2 text-nowrap navbar-language")
        for code, name in languages.items() if code != current
    ]
    return html.Form(
        [dcc.Input(type="hidden", name="csrf_token", value=csrf_token, id=ID.LANGUAGE_CSRF),
         dcc.Input(type="hidden", name="next", value="/", id=ID.LANGUAGE_NEXT),
         *buttons],
        action="/language", method="POST", id=ID.LANGUAGE_FORM,
        className="d-flex align-items-center language-switch", **{"aria-label": _("Language")},
    )


def navbar(items: list[NavItem | NavGroup], *, user_name: str, role_label: str, csrf_token: str,
           badges: dict | None = None, switch: html.Form | None = None) -> dbc.Navbar:
    """`badges`: a component to show beside a page's link, by its path (the SOS waiting count);
    `switch`: the language switch (`language_switch`)."""
    badges = badges or {}
    links = [_group(item) if isinstance(item, NavGroup) else _link(item, badges.get(item.href)) for item in items]
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token, id=ID.LOGOUT_CSRF),
            html.Button(_("Log out"), type="submit", id=ID.LOGOUT_BUTTON,
                        className="btn btn-outline-light ms-2 text-nowrap navbar-logout"),
        ],
        action="/logout",
        method="POST",
        className="d-flex align-items-center",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("✚ HealthFirst", href="/", className="fw-bold navbar-product"),
                dbc.NavbarToggler(id=ID.NAVBAR_TOGGLER),
                dbc.Collapse(
                    [
                        html.Nav(dbc.Nav(links, navbar=True), id=ID.NAVBAR_LINKS, className="me-auto navbar-links",
                                 **{"aria-label": _("Pages")}),
                        html.Span(
                            [html.Span(user_name, id=ID.NAVBAR_USER, className="fw-semibold d-block"),
                             html.Span(f" · {role_label}", id=ID.NAVBAR_ROLE, className="d-block")],
                            className="navbar-text text-white me-2 small lh-sm navbar-person",
                            title=f"{user_name} · {role_label}",
                        ),
                        switch,
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
        # Every role's pages fit on one line from 992 px (grouped: see pages/shell.navigation_for).
        expand="lg",
        className="mb-3 navbar-healthfirst",
    )


def register_navbar_toggle(app) -> None:
    app.clientside_callback(
        ClientsideFunction("shell", "toggleNavbar"),  # assets/shell.js
        Output(ID.NAVBAR_COLLAPSE, "is_open"),
        Input(ID.NAVBAR_TOGGLER, "n_clicks"),
        State(ID.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("shell", "pageLanguage"),  # assets/shell.js: <html lang>, the switch's way back
        Output(ID.LANGUAGE_NEXT, "value"),
        Input(ID.URL, "pathname"),
        Input(ID.URL, "search"),
        State(ID.PAGE_LANGUAGE, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("shell", "markNavGroups"),  # assets/shell.js
        Output(ID.nav_group(ALL), "toggle_class_name"),
        Input(ID.URL, "pathname"),
        State(ID.nav_group(ALL), "id"),
    )

"""The frame around every page: the navbar for the person's role, the error banner, the banner
of active public health alerts, and the role check in front of every page's layout.

Not a page itself: app.py builds the app's layout from `serve_shell` and calls `protect_pages`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from auth import i18n
from auth.context import actor_in, db_session
from auth.outage import is_unreachable
from auth.roles import allowed_roles
from components import noticing
from components.alerts import ID as ALERT_IDS
from components.alerts import banner, banner_container
from components.cards import forbidden
from components.i18n import N_, _
from components.navbar import NavGroup, NavItem, language_switch, navbar
from components.noticing import ID as NoticeID
from components.shell import ID
from db import alerts, hospital_news
from db.clock import utcnow
from db.errors import DomainError
from db.vocabulary import ALL_SIGNED_IN, ROLE_LABELS, Role

log = logging.getLogger("healthfirst")
PRODUCT = "HealthFirst"


def on_callback_error(error: Exception):
    """Last line of defence for callbacks: refusals stay refusals, anything else becomes a
    banner instead of a broken page."""
    if isinstance(error, HTTPException) or is_unreachable(error):
        raise error  # a refusal stays a refusal; an outage becomes the 503 of auth/outage.py
    if isinstance(error, DomainError):
        # A refusal the person is told about (a rule, bad input): not a fault of the server.
        log.info("callback refused: %s", error.message)
        message = _(error.message)
    else:
        log.exception("callback failed: %s", error)
        message = _("Something went wrong while updating this view. The last data is still shown; "
                    "it will retry by itself.")
    dash.set_props(ID.ERROR_BANNER, {"children": message, "is_open": True})
    return dash.no_update


# Pages that share one dropdown in the navbar (label, their paths, the roles it applies to; None:
# every role), so that every role's navigation fits on one line at 1366 px. A group placed where
# its first page would be; a role that has only one of its pages sees that page as a plain link.
NAV_GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    (N_("Find"), ("/beds", "/blood"), None),
    (N_("Displays"), ("/display", "/officer/kiosks"), (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)),
    (N_("Region"), ("/officer/attention", "/officer/overview", "/officer/feedback"), (Role.SUPER_ADMIN,)),
)

# The frame's words from elsewhere, marked here for the catalog: the roles' names (db/vocabulary.py
# ROLE_LABELS) and the menu label of a page that does not mark its own yet.
FRAME_WORDS = (N_("Citizen"), N_("Hospital admin"), N_("Health officer"), N_("Super admin"),
               N_("Wall display"), N_("Ambulance crew"), N_("SOS queue"))


def navigation_for(role: str) -> list[NavItem | NavGroup]:
    pages = [p for p in dash.page_registry.values()
             if role in p.get("allowed_roles", ()) and p.get("nav_label")]
    pages.sort(key=lambda p: p.get("nav_order", 100))
    items = [NavItem(_(p["nav_label"]), p["relative_path"]) for p in pages]
    for label, paths, roles in NAV_GROUPS:
        members = tuple(item for item in items if isinstance(item, NavItem) and item.href in paths)
        if len(members) < 2 or (roles is not None and role not in roles):
            continue
        at = items.index(members[0])
        items = [item for item in items if item not in members]
        items.insert(at, NavGroup(_(label), members))
    return items


def serve_shell():
    """The frame around every page: navbar for the user's role, error banner, page content; for a
    hospital admin, what makes a new SOS noticed on every page (components/noticing.py)."""
    is_hospital_admin = current_user.is_authenticated and current_user.role == Role.HOSPITAL_ADMIN
    # The frame's language: the person's on a translated page, English on a staff screen (the
    # page this layout is for: auth/i18n.py). It says so, since the pages opened from it may not.
    language = i18n.page_language()
    if current_user.is_authenticated:
        token = generate_csrf()
        header = navbar(
            navigation_for(current_user.role),
            user_name=current_user.full_name,
            role_label=_(ROLE_LABELS.get(current_user.role, current_user.role)),
            csrf_token=token,
            badges={QUEUE_PATH: noticing.badge()} if is_hospital_admin else None,
            # Not on the wall display: it covers the page and is read from across a room.
            switch=language_switch(i18n.available_languages(), language, csrf_token=token)
            if current_user.role != Role.DISPLAY else None,
        )
    else:
        header = html.Div(id=ID.NAVBAR)
    # The wall display shows alerts in a tile of its own and covers the page anyway.
    show_alerts = current_user.is_authenticated and current_user.role != Role.DISPLAY
    return html.Div(
        [
            # The first stop of the Tab key: straight past the navigation to the page itself.
            html.A(_("Skip to the page's content"), href=f"#{ID.MAIN}", id=ID.SKIP_LINK,
                   className="visually-hidden-focusable skip-link", lang=language),
            dcc.Location(id=ID.URL, refresh="callback-nav"),
            # For <html lang> when the person moves to another page (assets/shell.js).
            dcc.Store(id=ID.PAGE_LANGUAGE, data={"language": i18n.chosen_language(),
                                                 "translated": i18n.translated_paths(),
                                                 "english": i18n.english_paths_for_person()}),
            html.Header(header, lang=language),
            # What changed, read out politely without moving focus: components.shell.announce()
            # from a callback, window.healthfirst.announce() from a script.
            html.Div(id=ID.LIVE, role="status", className="visually-hidden",
                     **{"aria-live": "polite", "aria-atomic": "true"}),
            # What assets/connection.js says when HealthFirst cannot be reached, in the frame's language.
            html.Div(hidden=True, lang=language, **{"data-connection-words": json.dumps(connection_words())}),
            dbc.Container(
                [
                    dbc.Alert(id=ID.ERROR_BANNER, color="danger", is_open=False,
                              dismissable=True, className="fs-5"),
                    html.Div(banner_container(), lang=language) if show_alerts else None,
                    *(noticing.frame_parts() if is_hospital_admin else ()),
                    html.Main(dash.page_container, id=ID.MAIN, tabIndex="-1"),
                ],
                fluid=True,
                className="pb-5",
            ),
        ]
    )


def connection_words() -> dict:
    """assets/connection.js's words; `%(time)s` is filled in by the script."""
    return {"offline": _("No connection since %(time)s. Showing the last data; it updates by itself when "
                         "the connection returns.", time="%(time)s"),
            "not_saved": _("Not saved: HealthFirst could not be reached. Nothing was changed.")}


def protect_pages() -> None:
    """Every page declares `allowed_roles`; its layout is served only to those roles. A page
    registered with `translated=True` speaks the person's language; the others stay English
    (auth/i18n.py, `<html lang>` and the words of the page, its callbacks and its frame)."""
    _register_not_found()
    i18n.register_dash_pages(
        translated={p["path"] for p in dash.page_registry.values() if p.get("translated")},
        english={p["path"] for p in dash.page_registry.values() if not p.get("translated")},
        roles={p["path"]: tuple(p.get("allowed_roles") or ()) for p in dash.page_registry.values()
               if not p.get("translated")})
    for page in dash.page_registry.values():
        roles = page.get("allowed_roles")
        if roles is None:
            raise RuntimeError(f"page {page['module']} does not declare allowed_roles")
        layout = page["layout"]
        if getattr(layout, "role_checked", False):
            continue

        def checked(_layout=layout, _roles=tuple(roles), **kwargs):
            if not current_user.is_authenticated or current_user.role not in _roles:
                return forbidden()
            return _layout(**kwargs) if callable(_layout) else _layout

        checked.role_checked = True
        page["layout"] = checked
        page["title"] = _titled(page["title"], tuple(roles))


def not_found():
    """Dash's own page for an address inside the app that is no page ("404 - Page not found" in
    English otherwise), in the reader's language, with the way back."""
    return dbc.Alert(
        [html.H1(_("Page not found"), className="h4"),
         html.P(_("There is no page at this address. Check the address, or go back."), className="fs-5"),
         html.A(_("Go to your home page"), href="/", className="btn btn-outline-dark")],
        color="warning",
    )


def _register_not_found() -> None:
    # Dash shows the layout of a page whose module ends in "not_found_404" for an unknown
    # address. Every signed-in person may see it; it speaks their language.
    dash.register_page("pages.not_found_404", path="/404", layout=not_found, title=N_("Page not found"),
                       allowed_roles=ALL_SIGNED_IN, translated=True)


def _titled(title, roles: tuple) -> Callable[..., str]:
    """The browser tab's title, "<page> · HealthFirst": unique per page, and the refusal's own
    for someone whose role cannot open it."""

    def tab_title(**path_variables) -> str:
        if not current_user.is_authenticated or current_user.role not in roles:
            return _("No access") + f" · {PRODUCT}"
        shown = title(**path_variables) if callable(title) else _(title)
        return f"{shown} · {PRODUCT}"

    return tab_title


@callback(Output(ALERT_IDS.BANNER, "children"), Output(ALERT_IDS.BANNER_SHOWN, "data"),
          Input(ALERT_IDS.BANNER_REFRESH, "n_intervals"), State(ALERT_IDS.BANNER_SHOWN, "data"))
@allowed_roles(*ALL_SIGNED_IN)
def refresh_alerts_banner(_n, shown):
    """The active alerts above every page: one query per refresh, nothing sent when unchanged."""
    language = i18n.page_language()
    with db_session() as session:
        active = alerts.active_alerts(session, now=utcnow())
        signature = [[a.id, a.expires.isoformat(), language] for a in active]
        if shown is not None and signature == shown:
            raise dash.exceptions.PreventUpdate  # unchanged: send nothing
        # Officers read alerts on their own page (the form and the history).
        details = "/officer/alerts" if current_user.role == Role.HEALTH_OFFICER else "/alerts"
        return banner(active, details_href=details,
                      words_of=lambda alert: alerts.words_in(alert, language)), signature


# ---- noticing a new SOS on every hospital-admin page ------------------------------------------

QUEUE_PATH = "/hospital/queue"


@callback(Output(NoticeID.COUNT, "data"), Input(NoticeID.POLL, "n_intervals"))
@allowed_roles(Role.HOSPITAL_ADMIN)
def count_waiting(_n):
    """How many SOS wait for the admin's hospital: one count query, a few bytes."""
    with db_session() as session:
        return hospital_news.waiting_count(session, actor=actor_in(session))


# The badge, the tab title's count, the sound and the desktop notification (assets/noticing.js).
clientside_callback(
    ClientsideFunction("noticing", "notice"),
    Output(NoticeID.BADGE, "children"), Output(NoticeID.BADGE, "hidden"),
    Input(NoticeID.COUNT, "data"), State(NoticeID.AUDIO, "id"),
)
clientside_callback(
    ClientsideFunction("noticing", "rememberSound"),
    Output(NoticeID.SOUND_SAVED, "data"), Input(NoticeID.SOUND, "value"),
)
clientside_callback(
    ClientsideFunction("noticing", "askNotifications"),
    Output(NoticeID.DESKTOP, "children"), Input(NoticeID.DESKTOP, "n_clicks"),
)

"""Health officer: the desk for SOS no hospital took in time (`/officer/attention`).

Each card: who is calling and where, what was offered to whom, what officers did, and the
actions (offer to a hospital, widen the search, note, "I am calling", close with a reason), each a
db/officer_desk.py operation as the officer. The list refreshes by itself but is drawn again only
when something on it changed, so a half-typed note or a focused button survives the refresh."""

from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from auth.actions import act
from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components.answers import answer_outputs, said, warn
from components.cards import last_updated, page_header
from components.desk import ID as CARD
from components.desk import desk_card, desk_markers, place_lines
from components.i18n import N_, _, ngettext
from components.sos import status_badge
from components.triggers import pressed
from db import landmarks
from db import officer_desk as desk
from db.clock import utcnow
from db.parse import record_id
from db.sos import EMERGENCY_TYPES
from db.vocabulary import PRIORITY_LABELS, SOS_STATUS_LABELS, Role, sos_number


class ID:
    LIST = "attention-list"
    EMPTY = "attention-empty"
    REFRESH = "attention-refresh"
    VERSION = "attention-version"
    UPDATED = "attention-updated"
    MAP = "attention-map"
    MAP_LAYER = "attention-map-layer"
    MESSAGE = "attention-message"
    CHANGED = "attention-changed"


ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/officer/attention", title=N_("SOS needing attention"),
                   allowed_roles=ROLES, nav_label=N_("Unanswered SOS"), nav_order=1)


def layout(**kwargs):
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    return html.Div([
        page_header(_("SOS needing attention"),
                    _("Not accepted within the target time, or unanswered after every ring of hospitals: "
                      "call the caller, offer the SOS to a hospital, or close it.")),
        html.Div(id=ID.UPDATED),
        # Announced by screen readers when an action answers, without moving focus.
        html.Div(dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5"), role="status",
                 **{"aria-live": "polite"}),
        dl.Map(tiles + [dl.LayerGroup(id=ID.MAP_LAYER)], id=ID.MAP, center=list(config.map_center), zoom=10,
               style={"height": "260px", "width": "100%", "background": "#e9ecef"}, className="mb-3"),
        html.Div(id=ID.LIST),
        dcc.Store(id=ID.VERSION),
        dcc.Store(id=ID.CHANGED),
        dcc.Interval(id=ID.REFRESH, interval=3_000),
    ])


def _late_after() -> timedelta:
    return timedelta(seconds=state()["config"].sos_escalate_seconds)


def _cards(session, actor, items, now) -> list:
    contacts = desk.caller_contacts(session, actor=actor, sos_ids=[i.sos.id for i in items], now=now)
    cards = []
    for item in items:
        sos = item.sos
        geo_link, web_link = landmarks.map_links(sos.latitude, sos.longitude)
        place = place_lines(words=landmarks.describe_place(session, sos.latitude, sos.longitude).text,
                            latitude=sos.latitude, longitude=sos.longitude, typed=sos.location_text,
                            geo_link=geo_link, web_link=web_link)
        cards.append(desk_card(
            item, now=now, number=sos_number(sos.id), status_badge=status_badge(sos.status, _(SOS_STATUS_LABELS[sos.status])),
            type_label=_(EMERGENCY_TYPES[sos.emergency_type].label) if sos.emergency_type else _("type not given"),
            priority_label=_(PRIORITY_LABELS[sos.priority]), contact=contacts.get(sos.id), place=place,
            choices=desk.hospitals_to_offer(session, actor=actor, sos_id=sos.id)))
    return cards


@callback(Output(ID.LIST, "children"), Output(ID.MAP_LAYER, "children"), Output(ID.VERSION, "data"),
          Output(ID.UPDATED, "children"),
          Input(ID.REFRESH, "n_intervals"), Input(ID.CHANGED, "data"), State(ID.VERSION, "data"))
@allowed_roles(*ROLES)
def refresh_desk(_n, _changed, shown_version):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        items = desk.desk(session, actor=actor, now=now, late_after=_late_after())
        version = "/".join(item.version for item in items)
        if version == shown_version:
            # Nothing changed: keep every card (and whatever has focus in it) as it is.
            return no_update, no_update, no_update, last_updated(now)
        cards = _cards(session, actor, items, now)
        markers = desk_markers([(sos_number(i.sos.id), i.sos.latitude, i.sos.longitude) for i in items])
    if not cards:
        cards = [dbc.Alert(_("Every SOS has been answered in time."), color="success", className="fs-5", id=ID.EMPTY)]
    return cards, markers, version, last_updated(now)


# ---- actions: one callback each, answering in the page's message area ------------------------
#
# The buttons are pattern ids over every card (ALL, a few cards at most): the answer goes to one
# message area above the list, which the list's redraw never replaces.


def _answer(outcome, done: str):
    """`done` (translated) when the action went through, else the refusal in red; the desk redraws
    either way."""
    return said(done, "success") if outcome.ok else said(outcome.message, "danger")


def _pressed_sos() -> int:
    """The SOS whose button was really pressed (0 when a redraw fired the callback)."""
    if not pressed():
        return 0
    return record_id((dash.ctx.triggered_id or {}).get("sos"))


def _value_for(sos_id: int, index: int = 0):
    """The value of the card's own field (a State over ALL cards) for `sos_id`."""
    for field in dash.ctx.states_list[index]:
        if field["id"].get("sos") == sos_id:
            return field.get("value", field.get("data"))
    return None


NOTHING = (no_update,) * 4


@callback(*answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True), Input(CARD.offer(ALL), "n_clicks"),
          State(CARD.hospital(ALL), "value"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def offer_to_hospital(_clicks, _hospitals):
    sos_id = _pressed_sos()
    if not sos_id:
        return NOTHING
    hospital_id = record_id(_value_for(sos_id))
    if not hospital_id:
        return warn(_("%(number)s: choose a hospital first.", number=sos_number(sos_id)))
    outcome = act(desk.offer_to_hospital, sos_id=sos_id, hospital_id=hospital_id)
    return _answer(outcome, _("%(number)s offered: it is in that hospital's queue now, marked as requested by the "
                              "health officer.", number=sos_number(sos_id)))


@callback(*answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True), Input(CARD.widen(ALL), "n_clicks"),
          State(CARD.ring(ALL), "data"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def widen_search(_clicks, _rings):
    sos_id = _pressed_sos()
    if not sos_id:
        return NOTHING
    config = state()["config"]
    outcome = act(desk.widen_search, sos_id=sos_id, seen_ring=record_id(_value_for(sos_id)),
                  rings=tuple(config.sos_rings_km), escalate_after=_late_after())
    asked = outcome.result or 0
    return _answer(outcome, ngettext("%(number)s: asked %(num)s more hospital.", "%(number)s: asked %(num)s more hospitals.",
                                     asked, number=sos_number(sos_id)))


@callback(*answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True), Input(CARD.add_note(ALL), "n_clicks"),
          State(CARD.note(ALL), "value"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def add_note(_clicks, _notes):
    sos_id = _pressed_sos()
    if not sos_id:
        return NOTHING
    outcome = act(desk.add_note, sos_id=sos_id, text=_value_for(sos_id) or "")
    return _answer(outcome, _("Note added to %(number)s's timeline.", number=sos_number(sos_id)))


@callback(*answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True), Input(CARD.calling(ALL), "n_clicks"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def mark_calling(_clicks):
    sos_id = _pressed_sos()
    if not sos_id:
        return NOTHING
    outcome = act(desk.mark_calling, sos_id=sos_id)
    return _answer(outcome, _("%(number)s: the caller's screen now says a health officer is calling them.",
                              number=sos_number(sos_id)))


@callback(*answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True), Input(CARD.close(ALL), "n_clicks"),
          State(CARD.reason(ALL), "value"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def close_sos(_clicks, _reasons):
    sos_id = _pressed_sos()
    if not sos_id:
        return NOTHING
    outcome = act(desk.close_sos, sos_id=sos_id, reason=_value_for(sos_id) or "")
    return _answer(outcome, _("%(number)s closed.", number=sos_number(sos_id)))

"""Hospital admin: the live SOS queue (accept / decline) and the emergencies this hospital holds
(send an ambulance, step it through its statuses, resolve at handover).

Accept/Decline on a waiting card go through one press store to web/queue_answer.py; the held
emergencies' buttons have one callback per kind. Each says how it went. Every 0.5 s the page asks
the queue's version (web/live.py, assets/live.js: ~50 bytes, drawn by nobody); only a new one
runs `refresh_queue`, which asks the database for the versions again (`sos.queue_versions`, one
small query): when the cards' version is the one already drawn (`ID.VERSION`) the answer is only
the "last updated" time and the server's clock (`ID.NOW`), from which the browser keeps the
waiting times ticking
(assets/queue.js). Otherwise, and at once after an action (the actions bump `ID.CHANGED`), it sends
only what changed against what the screen holds (`ID.SHOWN`): the waiting cards as data rows the
browser draws (`rows_update`, assets/queue.js `drawCards`, which leaves unchanged cards alone), the
held emergencies as a Dash `Patch` (`list_update`). A long queue shows its PAGE most urgent SOS,
oldest first, a count of the rest, and the ones just offered apart, so neither the answer nor a
button's request grows with the queue.

Maps: a waiting card carries a sketch map (hospital, SOS, scale, north) drawn by the browser from
its row; a held card a real map of the patient, the hospital and its unit; below them, the
hospital's units on one map with each position's age. Where the units are has its own version
(`sos.queue_versions`, the same query): a unit on the move sends only the units' data (`ID.UNITS`),
which assets/queue.js (`drawUnits`) draws into the maps' unit layers, leaving every card alone."""

from datetime import datetime

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from auth.actions import act
from auth.callback_types import shaped
from auth.context import actor_in, db_session, state
from auth.roles import allowed_roles
from components import crew as crew_view
from components import live, noticing
from components.answers import answer, answer_outputs, warn
from components.cards import last_updated, page_header
from components.dispatch import ID as CardID
from components.dispatch import (
    NEW_FOR,
    active_card,
    epoch_ms,
    fingerprint,
    held_map,
    list_update,
    queue_row,
    queue_words,
    rows_update,
    units_data,
)
from components.format import count as count_text
from components.i18n import N_, _, ngettext
from components.triggers import pressed
from db import dispatch, hospital_news, hospitals, landmarks, officer_desk, positions
from db import sos as sos_ops
from db.clock import utcnow
from db.parse import record_id
from db.vocabulary import DISPATCHER_STATUS_LABELS, PRIORITY_LABELS, UNIT_STATUS_LABELS, Role, sos_number

ROLES = (Role.HOSPITAL_ADMIN,)
dash.register_page(__name__, path="/hospital/queue", title=N_("SOS queue"),
                   allowed_roles=ROLES, nav_label=N_("SOS queue"), nav_order=1)


class ID:
    MESSAGE = "queue-message"
    LIST = "queue-list"
    LIST_EMPTY = "queue-empty"
    ACTIVE = "queue-active"
    ACTIVE_EMPTY = "active-empty"
    UPDATED = "queue-updated"
    NEW_IDS = "queue-new-ids"
    CHANGED = "queue-changed"
    REFRESH = "queue-refresh"
    VERSION = "queue-version"
    NOW = "queue-now"
    TICKED = "queue-ticked"
    COUNT = "queue-count"
    SHOWN = "queue-shown"
    ARRIVED = "queue-arrived"
    ARRIVED_BOX = "queue-arrived-box"
    ROWS = "queue-rows"
    PRESS = "queue-press"
    DRAWN = "queue-drawn"
    DEPARTED = "queue-departed"
    UNITS = "queue-units"
    MOVED = "queue-moved"
    UNITS_MAP = "queue-units-map"
    UNITS_LAYER = "queue-units-layer"
    UNITS_LIST = "queue-units-list"
    LIVE = "queue-live"  # the version of the queue the last poll saw (assets/live.js)
    LIVE_SOURCE = "queue-live-source"

    @staticmethod
    def departed(sos_id: int) -> str:
        return f"queue-departed-{sos_id}"


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("SOS queue"), _("Emergencies offered to your hospital. The first hospital to accept takes it.")),
            # Sound and desktop notifications for a new SOS work on every hospital page (the frame's
            # components/noticing.py); they are set here.
            noticing.settings(),
            dbc.Alert(id=ID.MESSAGE, is_open=False, className="fs-5", dismissable=True),
            dbc.Row(
                [
                    dbc.Col([html.H2(_("Waiting for an answer"), className="h4"),
                             # An SOS that left this screen says why, for a while (never a silent vanish).
                             html.Div(id=ID.DEPARTED, role="status", **{"aria-live": "polite"}),
                             html.P(id=ID.COUNT, className="fs-5 fw-semibold"),
                             html.Div([html.H3(_("Just arrived"), className="h5"), html.Div(id=ID.ARRIVED),
                                       html.H3(_("Most urgent, oldest first"), className="h5")],
                                      id=ID.ARRIVED_BOX, hidden=True),
                             # Drawn by assets/queue.js (drawCards), which names its empty text so.
                             html.Div(id=ID.LIST, **{"data-empty-id": ID.LIST_EMPTY,
                                                          "data-queue-words": queue_words()})],
                            lg=6),
                    dbc.Col([html.H2(_("Accepted by your hospital"), className="h4"),
                             html.Div(id=ID.ACTIVE), _units_card()], lg=6),
                ]
            ),
            html.Div(id=ID.UPDATED),
            dcc.Store(id=ID.NEW_IDS, data=[]),
            dcc.Store(id=ID.CHANGED),
            dcc.Store(id=ID.VERSION),
            dcc.Store(id=ID.SHOWN),
            dcc.Store(id=ID.ROWS),
            dcc.Store(id=ID.PRESS),
            dcc.Store(id=ID.DRAWN),
            dcc.Store(id=ID.NOW),
            dcc.Store(id=ID.TICKED),
            dcc.Store(id=ID.UNITS),
            dcc.Store(id=ID.MOVED),
            # Every 0.5 s the page asks the queue's version (web/live.py, ~100 bytes, mostly answered
            # before Flask); only a new version runs `refresh_queue`. A new SOS is on every screen
            # within a second (README "Benchmarks": sos_to_queue_p95_s, queue_1000_rps).
            dcc.Store(id=ID.LIVE),
            dcc.Store(id=ID.LIVE_SOURCE, data=live.source(live.QUEUE)),
            dcc.Interval(id=ID.REFRESH, interval=500),
        ]
    )


def _units_card():
    """The hospital's units on one map and in words (assets/queue.js `drawUnits` fills both)."""
    config = state()["config"]
    return dbc.Card(dbc.CardBody([
        html.H2(_("Your ambulances"), className="h5"),
        html.P(_("Each unit's last position as its crew's phone sent it; older than 2 min is greyed as stale."),
               className="text-muted small mb-1"),
        crew_view.legend(),
        dl.Map(crew_view.tiles(config.map_tiles_url) + [dl.LayerGroup(id=ID.UNITS_LAYER)], id=ID.UNITS_MAP,
               center=list(config.map_center), zoom=12, style={"height": "240px", "width": "100%"}, className="my-2"),
        html.Ul(id=ID.UNITS_LIST, className="list-unstyled mb-0"),
    ]), className="mt-3 queue-units")


# ---- the view -----------------------------------------------------------------------------------

# The waiting list shows this many cards, the most urgent and oldest first, and says how many more
# wait behind them: a person answers the top of the queue, and the answer does not grow with it.
PAGE = 25
# Behind a full page, the SOS offered in the last NEW_FOR that are not on it show apart, the newest
# first (at most ARRIVED): a new SOS is seen at once wherever it ranks.
ARRIVED = 5


def _chosen_units() -> dict[int, str | None]:
    """The ambulance chosen in each active card's select, by SOS (the callback's `chosen` state)."""
    return {select.id["sos"]: select.value for select in ctx.args_grouping["chosen"]}


def _type_label(sos) -> str:
    return _(sos_ops.EMERGENCY_TYPES[sos.emergency_type].label) if sos.emergency_type else _("Type not given")


def _count_line(waiting: int) -> str:
    if waiting <= PAGE:
        return ngettext("%(count)s waiting", "%(count)s waiting", waiting, count=count_text(waiting)) if waiting else ""
    behind = waiting - PAGE
    return ngettext("%(waiting)s waiting · the %(page)s most urgent shown, oldest first; "
                    "%(count)s more behind them moves up as these are answered",
                    "%(waiting)s waiting · the %(page)s most urgent shown, oldest first; "
                    "%(count)s more behind them move up as these are answered",
                    behind, waiting=count_text(waiting), page=PAGE, count=count_text(behind))


def _kept(shown, part: str):
    """What the screen says it holds of one list ([[id, fingerprint], …]), or None (draw it all)."""
    pairs = shown.get(part) if isinstance(shown, dict) else None
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        return None
    return pairs


def _place(session, latitude: float, longitude: float) -> tuple[str, tuple[str, str]]:
    return (landmarks.describe_place_cached(session, latitude, longitude).text,
            landmarks.map_links(latitude, longitude))


def _active(sos, *, now, units, choices, selected, contact, where, hospital) -> tuple:
    unit = units.get(sos.ambulance_id)
    place, links = where
    card = dict(status_label=_(DISPATCHER_STATUS_LABELS[sos.status]), type_label=_type_label(sos), unit=unit,
                unit_choices=choices, next_steps=dispatch.next_steps(unit, sos_id=sos.id),
                can_resolve=dispatch.can_resolve(sos), contact=contact, place=place, links=links)
    shown_unit = unit and (unit.id, unit.call_sign, unit.level, unit.crew_contact)
    # The unit's position is not in the fingerprint: it moves on the map alone (ID.UNITS).
    return (sos.id,
            fingerprint(sos.status, card["type_label"], shown_unit, [(c.unit_id, c.label) for c in choices],
                        card["next_steps"], card["can_resolve"], sos.accepted_at, sos.latitude, sos.longitude,
                        sos.location_text, sos.note, contact, place, hospital),
            lambda: active_card(sos, now=now, chosen_unit=selected.get(sos.id), **card,
                                where_map=held_map(sos, hospital=hospital, unit=unit,
                                                   tiles_url=state()["config"].map_tiles_url)))


def _home(session, actor) -> tuple[float, float, str] | None:
    """The hospital's own place and name: the middle of the sketch maps, a marker on the others."""
    found = hospitals.get(session, actor.hospital_id)
    return (found.latitude, found.longitude, found.name) if found is not None else None


def _units(session, actor, now: datetime, home) -> dict:
    """Where the hospital's units are, and how far each held SOS's unit is (`units_data`)."""
    units = positions.hospital_units(session, actor=actor, now=now)
    by_id = {u.unit_id: u for u in units}
    kmh = state()["config"].ambulance_kmh
    held = []
    for sos in sos_ops.hospital_active(session, actor=actor):
        unit = by_id.get(sos.ambulance_id)
        if unit is not None:
            driving = sos.status in positions.TO_PATIENT
            held.append((sos, unit, positions.estimate(unit.latitude, unit.longitude, sos.latitude, sos.longitude,
                                                       kmh=kmh) if driving else None))
    return units_data(units, held, hospital=home, now=now)


def _cards(session, actor, now: datetime, shown, home) -> dict:
    """What changed in the three lists since the screen's last answer (`shown`)."""
    selected = _chosen_units()
    centre = home[:2] if home else None
    count = sos_ops.queue_count(session, actor=actor)
    queue = sos_ops.hospital_queue(session, actor=actor, limit=PAGE)
    on_page = {item.sos_id for item in queue}
    arrived = [item for item in sos_ops.just_offered(session, actor=actor, since=now - NEW_FOR, limit=ARRIVED)
               if item.sos_id not in on_page] if count > PAGE else []
    active = sos_ops.hospital_active(session, actor=actor)
    choices = dispatch.available_units(session, actor=actor)
    units = {u.id: u for u in dispatch.list_units(session, actor=actor, include_retired=True)}
    # One read of the callers' contacts for every card drawn, audited as one entry.
    contacts = officer_desk.caller_contacts(
        session, actor=actor, sos_ids=[i.sos_id for i in queue + arrived] + [s.id for s in active], now=now)

    def row(item):
        place, links = _place(session, item.latitude, item.longitude)
        return queue_row(item, now, _(PRIORITY_LABELS[item.priority]), contact=contacts.get(item.sos_id),
                         place=place, links=links, hospital=centre)

    waiting, waiting_shown = rows_update(_kept(shown, "waiting"), [row(item) for item in queue])
    new, new_shown = rows_update(_kept(shown, "arrived"), [row(item) for item in arrived])
    held, held_shown = list_update(
        _kept(shown, "active"),
        [_active(sos, now=now, units=units, choices=choices, selected=selected, contact=contacts.get(sos.id),
                 where=_place(session, sos.latitude, sos.longitude), hospital=home) for sos in active],
        html.P(_("None right now."), className="fs-5 text-muted", id=ID.ACTIVE_EMPTY))
    departed = hospital_news.departures(session, actor=actor, now=now)
    return {"departed": [html.Div(d.text, className="alert alert-secondary py-1 mb-1 fs-5 queue-departed",
                                  id=ID.departed(d.sos_id)) for d in departed],
            "departed_numbers": [sos_number(d.sos_id) for d in departed],
            "rows": {"waiting": waiting, "arrived": new} if waiting or new else no_update,
            "arrived_hidden": not arrived, "active": held,
            "count": _count_line(count), "new_ids": [item.sos_id for item in arrived + queue],
            "shown": {"waiting": waiting_shown, "arrived": new_shown, "active": held_shown}}


@callback(
    output={"rows": Output(ID.ROWS, "data"), "active": Output(ID.ACTIVE, "children"),
            "count": Output(ID.COUNT, "children"),
            "arrived_hidden": Output(ID.ARRIVED_BOX, "hidden"),
            "updated": Output(ID.UPDATED, "children"), "new_ids": Output(ID.NEW_IDS, "data"),
            "shown": Output(ID.SHOWN, "data"), "departed": Output(ID.DEPARTED, "children"),
            "message_open": Output(ID.MESSAGE, "is_open", allow_duplicate=True),
            "version": Output(ID.VERSION, "data"), "now": Output(ID.NOW, "data"),
            "units": Output(ID.UNITS, "data"), "moved": Output(ID.MOVED, "data"),
            "viewport": Output(ID.UNITS_MAP, "viewport")},
    inputs={"_n": Input(ID.LIVE, "data"), "_changed": Input(ID.CHANGED, "data")},
    state={"chosen": State(CardID.unit(ALL), "value"), "drawn": State(ID.VERSION, "data"),
           "shown": State(ID.SHOWN, "data"), "message": State(ID.MESSAGE, "children"),
           "moved": State(ID.MOVED, "data")},
    prevent_initial_call="initial_duplicate",
)
@allowed_roles(*ROLES)
def refresh_queue(_n, _changed, chosen, drawn, shown, message, moved):
    """Answer only the time when the queue's version is the one drawn and no action just ran;
    otherwise only what changed: the cards gone, changed or new (`list_update`), never the whole
    queue, whose first PAGE cards are all a screen holds.

    The version is read before the lists, so a change landing in between is drawn now or, at
    the latest, on the next poll (its version differs from the one kept). Where the units are
    has its own version: when only it moved, only the units' data is sent (`ID.UNITS`)."""
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        version, units_version = sos_ops.queue_versions(session, actor=actor, new_since=now - NEW_FOR,
                                                        stale_before=now - positions.STALE_AFTER)
        unchanged = version == drawn and f"{ID.CHANGED}.data" not in ctx.triggered_prop_ids
        still = unchanged and units_version == moved
        home = None if still else _home(session, actor)
        drawn_now = (dict.fromkeys(("rows", "arrived_hidden", "active", "count", "new_ids", "shown", "version",
                                    "departed"), no_update)
                     if unchanged else
                     {**_cards(session, actor, now, shown, home), "version": version})
        units = no_update if still else _units(session, actor, now, home)
    # The units' map fits the hospital and its units once, when the page is first drawn.
    first = drawn is None and units is not no_update
    bounds = crew_view.map_bounds([home[:2] if home else None] + [(u["lat"], u["lon"]) for u in units["units"]]) \
        if first else None
    # A message about an SOS that has since left ("SOS-00012 is yours. Send an ambulance now.")
    # never stays once the caller cancelled it or another hospital took it.
    gone = drawn_now.pop("departed_numbers", [])
    stale = isinstance(message, str) and any(message.startswith(number) for number in gone)
    return {**drawn_now, "message_open": False if stale else no_update,
            "updated": last_updated(now), "now": epoch_ms(now),
            "units": units, "moved": no_update if still else units_version,
            "viewport": {"bounds": bounds, "transition": "fitBounds"} if bounds else no_update}


# ---- actions: one per button kind -------------------------------------------------------------

# Every action writes the message area and bumps ID.CHANGED, so `refresh_queue` redraws at once.
ACTION_OUTPUTS = answer_outputs(ID.MESSAGE, ID.CHANGED, shared=True)


def _pressed() -> dict:
    """The id of the button pressed; stops here when nothing was really pressed (a refresh
    re-drew the cards)."""
    if not pressed():
        raise dash.exceptions.PreventUpdate
    return ctx.triggered_id


def _carry_out(operation, success, *, color: str = "success", **inputs) -> tuple:
    """`operation` on the SOS whose button was pressed; `success(number)` (the SOS's number) says
    it went."""
    sos_id = _pressed()["sos"]
    number = sos_number(sos_id)
    return answer(act(operation, sos_id=sos_id, describe=lambda _result: success(number), **inputs), color=color)


# Accept or Decline pressed on a waiting SOS's card: assets/queue.js puts {"kind", "sos"} in the
# press store, and its `answer` posts that to web/queue_answer.py (a plain JSON route, not a
# callback: the busiest press of a race) and writes the answer where every action's goes.
clientside_callback(
    ClientsideFunction("queue", "answer"),
    *ACTION_OUTPUTS,
    Input(ID.PRESS, "data"),
    prevent_initial_call=True,
)


@callback(output=ACTION_OUTPUTS, inputs={"_clicks": Input(CardID.assign(ALL), "n_clicks")},
          state={"chosen": State(CardID.unit(ALL), "value")}, prevent_initial_call=True)
@allowed_roles(*ROLES)
def assign(_clicks, chosen):
    unit_id = _chosen_units().get(_pressed()["sos"])
    if not unit_id:
        return warn(_("Choose an ambulance first."))
    return _carry_out(dispatch.assign_unit, lambda number: _("Ambulance sent to %(number)s.", number=number), unit_id=record_id(unit_id))


@callback(*ACTION_OUTPUTS, Input(CardID.step(ALL, ALL), "n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def step(_clicks):
    to_status = shaped(_pressed().get("to"), str)
    said = _(UNIT_STATUS_LABELS.get(to_status, to_status)).lower()
    return _carry_out(dispatch.move_unit_of_sos,
                      lambda number: _("%(number)s: %(status)s.", number=number, status=said), to_status=to_status)


@callback(*ACTION_OUTPUTS, Input(CardID.resolve(ALL), "submit_n_clicks"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def resolve(_clicks):
    return _carry_out(dispatch.resolve_sos,
                      lambda number: _("%(number)s resolved. The ambulance is available again.", number=number))


# The timed poll (assets/live.js): a new version of the queue runs `refresh_queue`; an unchanged
# one only moves "last updated" and the server's clock.
live.register_poll(interval_id=ID.REFRESH, source_id=ID.LIVE_SOURCE, live_id=ID.LIVE, updated_id=ID.UPDATED,
                   clock_id=ID.NOW)

# Draw the waiting cards from the rows sent (assets/queue.js): a card left alone keeps its DOM node.
clientside_callback(
    ClientsideFunction("queue", "drawCards"),
    Output(ID.DRAWN, "data"),
    Input(ID.ROWS, "data"),
    State(ID.LIST, "id"),
    State(ID.ARRIVED, "id"),
    State(ID.PRESS, "id"),
)

# Draw where the units are into the units' map and list and each held card's map, from the units'
# data alone (assets/queue.js): a unit on the move redraws no card.
clientside_callback(
    ClientsideFunction("queue", "drawUnits"),
    Output(ID.UNITS_LAYER, "children"),
    Output(ID.UNITS_LIST, "children"),
    Output(CardID.held_unit(ALL, ALL), "children"),
    Output(CardID.held_eta(ALL), "children"),
    Input(ID.UNITS, "data"),
    State(CardID.held_unit(ALL, ALL), "id"),
    State(CardID.held_eta(ALL), "id"),
)

# Keep the waiting times ticking from the server's clock of each answer, also when nothing was
# redrawn (assets/queue.js).
clientside_callback(
    ClientsideFunction("queue", "tickWaiting"),
    Output(ID.TICKED, "data"),
    Input(ID.NOW, "data"),
)

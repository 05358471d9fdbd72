"""Builders for the hospital's SOS screens: a waiting SOS's row in the queue (its card is drawn in
the browser, assets/queue.js), and the card of an emergency the hospital holds (send an ambulance,
step it, resolve); and how either list is redrawn by what changed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Patch, dcc, html, no_update

from components import crew, minimap
from components.format import duration, local_time
from components.i18n import N_, _
from components.shell import dom_id
from components.sos import PRIORITY_COLORS, status_badge
from db.sos import JUST_OFFERED_FOR
from db.vocabulary import UNIT_STATUS_LABELS, sos_number


class ID:
    """Ids of the elements these cards hold; the queue page's callbacks listen to them."""

    @staticmethod
    def queue_card(sos_id: int) -> str:
        return f"queue-{sos_id}"

    @staticmethod
    def active_card(sos_id: int) -> str:
        return f"active-{sos_id}"

    @staticmethod
    def unit(sos_id) -> dict:
        """The ambulance chosen for an SOS, before "Send ambulance"."""
        return {"type": "unit-select", "sos": sos_id}

    @staticmethod
    def assign(sos_id) -> dict:
        return {"type": "assign-unit", "sos": sos_id}

    @staticmethod
    def step(sos_id, to_status) -> dict:
        return {"type": "step-unit", "sos": sos_id, "to": to_status}

    @staticmethod
    def resolve(sos_id) -> dict:
        return {"type": "resolve-sos", "sos": sos_id}

    @staticmethod
    def held_unit(sos_id, unit_id) -> dict:
        """The layer of a held card's map where its unit is drawn (assets/queue.js `drawUnits`)."""
        return {"type": "held-unit", "sos": sos_id, "unit": unit_id}

    @staticmethod
    def held_eta(sos_id) -> dict:
        """Where a held card says how far its unit is (assets/queue.js `drawUnits`)."""
        return {"type": "held-eta", "sos": sos_id}


# What the button that moves a unit to each status says.
STEP_LABELS = {
    "en_route": N_("Mark en route"),
    "on_scene": N_("Mark on scene"),
    "transporting": N_("Mark transporting"),
    "at_hospital": N_("Mark at hospital"),
}

# NFPA 1225: 90% of calls dispatched within 60 s. Past that a waiting SOS turns red.
WAIT_TARGET = timedelta(seconds=60)
NEW_FOR = JUST_OFFERED_FOR


def epoch_ms(at: datetime) -> int:
    """A moment as the browser's clock counts it (milliseconds since 1970, UTC)."""
    return int(at.timestamp() * 1000)


# What the buttons of a waiting SOS's card say they do (assets/queue.js draws the card and puts
# {"kind": …, "sos": …} into the page's press store when one is pressed, then posts it here).
OFFER_ANSWERS = ("accept", "decline")
ANSWER_URL = "/_queue/answer"  # web/queue_answer.py; assets/queue.js posts there (QUEUE_ANSWER_URL)


def queue_words() -> str:
    """The words assets/queue.js writes into the cards and unit lists it draws, in the page's
    language, as JSON (the waiting list's `data-queue-words`); `{}` is where a value goes."""
    return json.dumps({
        "accept": _("Accept"), "decline": _("Decline"), "new": _("NEW"), "unanswered": _("UNANSWERED"),
        "by_officer": _("Requested by the health officer"), "caller": _("Caller:"),
        "no_phone": _("no phone number given"), "no_place": _("No known place nearby"),
        "open_maps": _("open in maps app"), "map_browser": _("map in browser"),
        "note": _("Note: %(note)s", note="{}"), "waiting": _("waiting %(time)s", time="{}"),
        "empty": _("No SOS waiting. New ones appear here by themselves."),
        "position": _("position %(time)s ago", time="{}"), "stale_mark": _("(stale)"), "stale": _("stale"),
        "no_units": _("No unit has sent a position yet (crews send it from the crew screen)."),
    }, ensure_ascii=False)


def _km(distance: float) -> str:
    return f"{distance:.1f}"


def _point(latitude: float, longitude: float) -> str:
    return f"{latitude:.5f}, {longitude:.5f}"


def _tel(phone: str | None) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+") if phone else ""


def waiting_sketch(hospital: tuple[float, float] | None, latitude: float, longitude: float) -> dict | None:
    """A waiting card's sketch map (assets/queue.js `miniMap`): the hospital (H) in the middle, the
    SOS at its true bearing and distance, north up, a scale ring; and the same in words."""
    if hospital is None:
        return None
    drawn = minimap.sketch(hospital, [(latitude, longitude)])
    where = minimap.where_words(*hospital, latitude, longitude)
    said = _("at your hospital") if where == "here" else _("%(where)s of your hospital", where=where)
    return {"p": drawn["points"][0], "ring": drawn["ring"], "scale": drawn["scale"],
            "say": _("Sketch map: the SOS is %(where)s. North is up; the ring is %(scale)s from the hospital.",
                     where=said, scale=drawn["scale"])}


def queue_row(item, now: datetime, priority_label: str, *, contact=None, place: str = "",
              links: tuple[str, str] = ("", ""), hospital: tuple[float, float] | None = None) -> dict:
    """What a waiting SOS's card shows, as data: assets/queue.js (`drawCards`) builds the card
    (id `ID.queue_card`, Accept and Decline buttons, a sketch map of the SOS from `hospital`) in
    the browser and keeps it, and the focus on its buttons, until its row changes.
    `waited`/`late` are as of `now`; the browser ticks them."""
    waited = now - item.created_at
    return {
        "id": item.sos_id, "number": sos_number(item.sos_id), "priority": priority_label,
        "color": PRIORITY_COLORS.get(item.priority, "secondary"), "new": now - item.offered_at < NEW_FOR,
        "unanswered": item.status == "unanswered", "type": _(item.type_label),
        "where": _("%(km)s km away · sent %(time)s", km=_km(item.distance_km),
                   time=local_time(item.created_at)) + " · ",
        "since": epoch_ms(item.created_at), "target": int(WAIT_TARGET.total_seconds()),
        "waited": _("waiting %(time)s", time=duration(waited)), "late": waited > WAIT_TARGET, "note": item.note or "",
        # Who and where: the caller's first name and call-back number (db/officer_desk.caller_contacts),
        # the place in words a driver knows, the raw point with links to open it in a maps app.
        "caller": contact.name if contact else "", "phone": contact.phone or "" if contact else "",
        "tel": _tel(contact.phone) if contact else "", "place": place,
        "point": f"{item.latitude:.5f}, {item.longitude:.5f}"
                 + (" · " + _("told: %(place)s", place=item.location_text) if item.location_text else ""),
        "geo": links[0], "map": links[1], "by_officer": item.requested_by_officer,
        "sketch": waiting_sketch(hospital, item.latitude, item.longitude),
    }


def row_fingerprint(row: dict) -> str:
    """The row without what the browser ticks by itself (the waiting time)."""
    return fingerprint(*(value for key, value in sorted(row.items()) if key not in ("waited", "late")))


def rows_update(shown, rows: list[dict]) -> tuple:
    """How the browser's cards become `rows`: ({"order": ids, "rows": {id: row}}, shown now), with
    only the rows new or changed since `shown` ([[id, fingerprint], …]; None: all of them, and
    "full"), or None when nothing changed."""
    now_shown = [[row["id"], row_fingerprint(row)] for row in rows]
    if not isinstance(shown, list):
        return {"order": [r["id"] for r in rows], "rows": {r["id"]: r for r in rows}, "full": True}, now_shown
    before = {pair[0]: pair[1] for pair in shown if isinstance(pair, list) and len(pair) == 2}
    changed = {row["id"]: row for row, (_key, print_) in zip(rows, now_shown, strict=True)
               if before.get(row["id"]) != print_}
    if not changed and [key for key, _print in now_shown] == [pair[0] for pair in shown]:
        return None, now_shown
    return {"order": [r["id"] for r in rows], "rows": changed}, now_shown


def who_and_where(contact, place: str, links: tuple[str, str]) -> list:
    """The caller (full name and a tel: link, for the hospital that took the SOS) and the place."""
    lines = []
    if contact is not None:
        phone = html.A(contact.phone, href=_tel(contact.phone), className="fw-bold") if contact.phone \
            else html.Span(_("no phone number given"), className="text-muted")
        lines.append(html.Div([_("Caller:"), " ", html.Strong(contact.name), " · ", phone], className="fs-5 sos-caller"))
        if getattr(contact, "address", None):  # the accepting hospital only (db/officer_desk.caller_contacts)
            lines.append(html.Div([_("Registered address:"), " ", html.Span(contact.address, className="fw-semibold")],
                                  className="sos-address"))
    lines.append(html.Div([html.Span(place or _("No known place nearby"), className="fw-semibold sos-place"),
                           " · ", html.A(_("open in maps app"), href=links[0]), " · ",
                           html.A(_("map in browser"), href=links[1], target="_blank", rel="noopener")]))
    return lines


def held_map(sos, *, hospital, unit, tiles_url: str = "") -> html.Div:
    """A held card's map: the patient, the hospital and, once assigned, the unit (drawn into
    `ID.held_unit` by assets/queue.js `drawUnits` from the page's units data, so the unit moves
    without the card, its map or its controls being redrawn), and how far the unit is, in words."""
    number = sos_number(sos.id)
    points = [(sos.latitude, sos.longitude)]
    layers = crew.tiles(tiles_url)
    if hospital is not None:
        layers.append(crew.place_marker(hospital[0], hospital[1], hospital[2], colour=crew.HOSPITAL_COLOUR))
        points.append(hospital[:2])
    layers.append(crew.place_marker(sos.latitude, sos.longitude, _("%(number)s: the patient", number=number)))
    words = [html.Span(_("Red: the patient · green: your hospital"), className="me-1")]
    if unit is not None:
        layers.append(dl.LayerGroup(id=ID.held_unit(sos.id, unit.id)))
        words = [html.Span(_("Ambulance %(call_sign)s", call_sign=unit.call_sign), className="fw-semibold"), ": ",
                 html.Span(id=ID.held_eta(sos.id)),
                 html.Span(_("no position yet"), className="unit-age", **{"data-unit-age": str(unit.id)})]
    return html.Div([
        dl.Map(layers, bounds=crew.map_bounds(points), className="held-map",
               style={"height": "190px", "width": "100%"}),
        html.Div(words, className="small mt-1 held-map-words"),
    ], className="mt-2")


def active_card(sos, *, now: datetime, status_label: str, type_label: str, unit, unit_choices,
                next_steps: tuple[str, ...], can_resolve: bool, chosen_unit=None, contact=None,
                place: str = "", links: tuple[str, str] = ("", ""), where_map=None) -> dbc.Card:
    """An SOS this hospital accepted: who and where (and `where_map`, its map), assign a unit,
    step it, resolve at handover (asked to confirm, and set apart from the next-step button)."""
    controls = []
    if unit is None and sos.status == "accepted":
        controls = [
            dbc.Label(_("Ambulance to send"), html_for=dom_id(ID.unit(sos.id)), className="fw-semibold mb-1"),
            dbc.Select(
                id=ID.unit(sos.id),
                options=[{"label": c.label, "value": str(c.unit_id)} for c in unit_choices],
                # Keep the dispatcher's choice across the automatic refresh while it is still free.
                value=chosen_unit if chosen_unit in {str(c.unit_id) for c in unit_choices} else None,
                placeholder=_("Choose an available ambulance") if unit_choices else _("No ambulance available"),
                disabled=not unit_choices,
                size="lg",
                className="mb-2",
            ),
            dbc.Button(_("Send ambulance"), id=ID.assign(sos.id), color="danger", size="lg",
                       disabled=not unit_choices),
        ]
    else:
        controls = [
            dbc.Button(_(STEP_LABELS[to_status]), id=ID.step(sos.id, to_status), color="primary", size="lg",
                       className="me-2 mb-1")
            for to_status in next_steps
        ]
        if can_resolve:
            controls.append(html.Div(dcc.ConfirmDialogProvider(
                dbc.Button(_("Resolve: handover done"), color="success", outline=True, size="lg", className="mb-1"),
                id=ID.resolve(sos.id),
                message=_("Handover done for %(number)s? The SOS closes and the ambulance becomes available.",
                          number=sos_number(sos.id)),
            ), className="mt-3 pt-2 border-top"))
    unit_line = (
        _("Ambulance %(call_sign)s (%(level)s) · %(contact)s", call_sign=unit.call_sign, level=unit.level,
          contact=unit.crew_contact or _("no crew contact"))
        if unit is not None else _("No ambulance assigned yet")
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div([html.Span(sos_number(sos.id), className="fs-4 fw-bold me-2"),
                          status_badge(sos.status, status_label)]),
                html.Div(type_label, className="fs-5 mt-1"),
                *who_and_where(contact, place, links),
                html.Div(_("Accepted %(time)s · at %(point)s", time=local_time(sos.accepted_at),
                           point=_point(sos.latitude, sos.longitude))
                         + (f" ({sos.location_text})" if sos.location_text else ""), className="text-muted"),
                html.Div(_("Note: %(note)s", note=sos.note), className="text-muted") if sos.note else None,
                html.Div(unit_line, className="fw-semibold mt-1"),
                where_map,
                html.Div(controls, className="mt-2"),
            ]
        ),
        className="mb-2 active-card",
        id=ID.active_card(sos.id),
    )


# ---- drawing a list of cards by what changed -----------------------------------------------------


def fingerprint(*parts) -> str:
    """A short digest of what a card shows (what it is built from): equal means "draw nothing"."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=5).hexdigest()


def list_update(shown: list | None, wanted: list[tuple], placeholder) -> tuple:
    """How to turn the cards a screen shows into the cards wanted, sending as little as possible.

    `shown`: [[key, fingerprint], …] as last drawn (None: nothing drawn yet); `wanted`: (key,
    fingerprint, build) in order, `build()` making the card. Returns (children, shown now), where
    children is a `dash.Patch` that removes the cards gone, replaces those whose fingerprint
    changed and inserts the new ones at their place, `no_update` when nothing changed, or the whole
    list (first draw, from or to the placeholder, or an order that moved). Cards carry their id,
    which Dash uses as the React key; but Dash 4 re-mounts every child of a list whose children
    changed, so the waiting cards, whose buttons must keep the focus, are drawn by the browser
    (`rows_update`, assets/queue.js)."""
    now_shown = [[key, print_] for key, print_, _build in wanted]
    if not wanted:
        return (no_update if shown == [] else placeholder), []
    if not shown:
        return [build() for _key, _print, build in wanted], now_shown
    wanted_keys = {key for key, _print, _build in wanted}
    survivors = [key for key, _print in shown if key in wanted_keys]
    if survivors != [key for key, _print, _build in wanted if key in set(survivors)]:
        return [build() for _key, _print, build in wanted], now_shown  # the order moved: draw all
    before = dict((key, print_) for key, print_ in shown)
    patch, edits = Patch(), 0
    for index in reversed(range(len(shown))):
        if shown[index][0] not in wanted_keys:
            del patch[index]
            edits += 1
    for index, (key, print_, build) in enumerate(wanted):
        if key not in before:
            patch.insert(index, build())
            edits += 1
        elif before[key] != print_:
            patch[index] = build()
            edits += 1
    return (patch if edits else no_update), now_shown


# ---- where the units are (the queue's maps, drawn by assets/queue.js `drawUnits`) ---------------


AT_THE_PATIENT_KM = 0.05  # closer than this a unit is "at the patient's place", not "0.0 km, about 1 min"


def units_data(units, held, *, hospital, now: datetime) -> dict:
    """What the queue's maps show of the hospital's units, as data for assets/queue.js: each unit
    that has sent a position (`db.positions.UnitOnMap`) with its colour and when it was there (the
    browser ticks its age), and for each held SOS how far its unit is: `held` is (sos, unit on the
    map, `db.positions.Estimate` while it drives to the patient, else None). Sent only when a unit
    moved, turned stale, or the cards changed."""
    far = {}
    for sos, unit, guess in held:
        if guess is None:
            text = _(UNIT_STATUS_LABELS.get(unit.status, unit.status))
        elif guess.distance_km < AT_THE_PATIENT_KM:
            text = _("at the patient's place")
        else:
            text = _("%(km)s km from the patient, about %(minutes)s min (estimate)",
                     km=_km(guess.distance_km), minutes=guess.minutes)
        far[str(sos.id)] = {"text": text, "to": [sos.latitude, sos.longitude]}
    return {
        "at": epoch_ms(now),
        "hospital": list(hospital) if hospital else None,
        "units": [{"id": u.unit_id, "call": u.call_sign, "status": _(UNIT_STATUS_LABELS.get(u.status, u.status)),
                   "colour": crew.STALE_COLOUR if u.stale else crew.STATUS_COLOURS.get(u.status, "#4dabf7"),
                   "lat": u.latitude, "lon": u.longitude, "since": epoch_ms(now) - u.age_s * 1000, "stale": u.stale}
                  for u in units],
        "held": far,
    }

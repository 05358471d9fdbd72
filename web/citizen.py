"""The citizen's SOS and tracking pages: plain HTML forms that work without JavaScript (issue 18).

    GET/POST /citizen                       the SOS button (a form); POST creates the SOS
    GET      /citizen/token                 a fresh CSRF token (an SOS kept offline, sent later)
    GET      /citizen/place?lat=..&lon=..   a typed or found place in words ("near Indiranagar Metro"),
             /citizen/place?q=landmark      for the SOS page to confirm before sending (JSON)
    GET      /citizen/sos/<id>              one SOS: status, timeline, first aid; refreshes itself
    GET      /citizen/sos/<id>/live         what the page polls: 304 while nothing changed
    POST     /citizen/sos/<id>/cancel       cancel (asks to confirm first without JavaScript)
    POST     /citizen/sos/<id>/feedback     the question after a resolved SOS

Scripts (assets/forms/sos.js, track.js) only add to the forms: the browser's location, sending
without leaving the page, keeping an SOS pressed offline, live updates. Citizens only; a citizen
sees only their own SOS (anyone else's is a 404, as if it did not exist).

Every word is in the reader's language (Flask-Babel): what db/ says is marked there and
translated here (web/citizen_words.py); the scripts' words come in a JSON block the page renders.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from flask import Blueprint, Response, flash, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from auth.actions import act
from auth.context import actor_in, db_session, state
from auth.i18n import page_language
from auth.roles import has_role
from components.minimap import caller_and_unit
from db import alerts, capacity, feedback, guidance, landmarks, matching, places, positions, sos_watch
from db import sos as sos_ops
from db.clock import utcnow
from db.errors import N_, Conflict, DomainError, InvalidInput, NotFound
from db.geo import valid_point
from db.models import SosEvent
from db.vocabulary import SOS_STATUS_LABELS, UNIT_STATUS_LABELS, Role, sos_number
from web.citizen_words import SEVERITY, arrival_text, error_text, place_text, say, sketch_where, when
from web.plain_pages import frame_context

bp = Blueprint("citizen", __name__)
log = logging.getLogger("healthfirst.sos")

# How often the tracking page polls with JavaScript, and reloads itself without (seconds).
POLL_SECONDS = 1
RELOAD_SECONDS = 10
CLOSED = ("resolved", "cancelled")
# Where a refusal's field is shown on the SOS form (the domain's field name → the form's).
SOS_FIELDS = {"location": "coordinates", "coordinates": "coordinates", "landmark": "landmark",
              "callback_phone": "callback_phone",
              "emergency_type": "emergency_type", "note": "note", "client_key": "", "csrf_token": ""}


# The bed types of the city's summary (db/capacity.DEFAULT_BED_TYPES), by code.
BED_WORDS = {"ICU": N_("ICU"), "OXYGEN": N_("Oxygen"), "GENERAL": N_("General")}


class CsrfForm(FlaskForm):
    """Every form here is written in its template; this checks its CSRF token."""


def _wants_json() -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _not_a_citizen() -> Response:
    return make_response(render_template("message.html", title=gettext("For citizens only"),
                                         message=gettext("This page is for citizens' SOS.")), 403)


def _alerts(session, now: datetime) -> list:
    """The banner: each alert's `<info>` in the reader's language (else English)."""
    language = page_language()
    shown = []
    for a in alerts.active_alerts(session, now=now)[:3]:
        words = alerts.words_in(a, language)
        shown.append({"severity": a.severity, "severity_label": gettext(SEVERITY.get(a.severity, a.severity)),
                      "headline": words.headline, "lang": words.language, "area": a.area_desc, "id": a.id})
    return shown


def _sos_words() -> dict:
    """What assets/forms/sos.js says, in the reader's language (a JSON block on the page)."""
    return {
        "finding": gettext("Finding your location…"),
        "found": gettext("Location found: %(place)s"),
        "within": gettext("within about %(metres)s m"),
        "missing": gettext("We could not get your location from this phone. Type where you are just "
                           "below, then press SOS."),
        "sending": gettext("Sending…"),
        "hint": gettext("Press for emergency help"),
        "checking": gettext("Looking up that place…"),
        "using": gettext("Using: %(place)s"),
        "kept": gettext("Your SOS from earlier is kept on this phone and is being sent now. Keep this page open."),
        "not_saved": gettext("Not saved yet."),
        "no_connection": gettext("No connection."),
        "server_down": gettext("HealthFirst cannot save your SOS this moment. It is kept on this phone and sent "
                               "again by itself every few seconds. Keep this page open, or call the number below."),
    }


# ---- the SOS page ------------------------------------------------------------------------


def _sos_page(status: int = 200, *, message: str = "", field: str = "", values=None) -> Response:
    now = utcnow()
    with db_session() as session:
        open_sos = sos_ops.open_sos_of(session, current_user.id)
        beds = capacity.region_bed_totals(session)
        context = dict(
            # No registered phone: the form asks for a number hospitals can call back.
            ask_phone=not actor_in(session).phone,
            alerts=_alerts(session, now),
            open_sos={"id": open_sos.id, "number": sos_number(open_sos.id), "status": open_sos.status,
                      "label": gettext(SOS_STATUS_LABELS[open_sos.status])} if open_sos else None,
            beds=[{"name": gettext(BED_WORDS[b.code]) if b.code in BED_WORDS else b.name,
                   "available": b.available, "total": b.total} for b in beds],
        )
    page = render_template(
        "citizen/sos.html", **frame_context("SOS"), **context, message=message, field=field,
        values=values or {}, key=secrets.token_urlsafe(16), csrf=generate_csrf(), words=_sos_words(),
        types=[(key, gettext(kind.label)) for key, kind in sos_ops.EMERGENCY_TYPES.items()],
        note_max=sos_ops.NOTE_MAX, emergency_number=state()["config"].emergency_number)
    return make_response(page, status)


def _position(form) -> dict | None:
    """The browser's position, as sos.js put it in the hidden fields (absent or unreadable: None)."""
    try:
        lat, lon = float(form.get("latitude", "")), float(form.get("longitude", ""))
    except ValueError:
        return None
    try:
        accuracy = float(form.get("accuracy", "")) or None
    except ValueError:
        accuracy = None
    return {"lat": lat, "lon": lon, "accuracy": accuracy}


def _match_at_once(sos_id: int) -> None:
    """Offer a new SOS at once; the job process would within a second anyway, and retries if this fails."""
    try:
        with db_session() as session:
            matching.match_due_as_configured(session, now=utcnow(), config=state()["config"], sos_id=sos_id)
    except Exception:  # noqa: BLE001 - the SOS is stored; matching will be retried
        log.exception("immediate matching of SOS %s failed; the job process will retry", sos_id)


def _refused(status: int, message: str, field: str, values, *, csrf: str = "") -> Response:
    if _wants_json():  # `csrf`: a fresh token when the form's had expired (sos.js sends again with it)
        return make_response(jsonify(ok=False, message=message, field=field, csrf=csrf), status)
    return _sos_page(status, message=message, field=field, values=values)


def _send(form) -> tuple[int, bool, str]:
    with db_session() as session:
        sos, created = sos_ops.send_sos(
            session, actor=actor_in(session), now=utcnow(), coordinates=form.get("coordinates", ""),
            landmark=form.get("landmark", ""), position=_position(form),
            emergency_type=form.get("emergency_type") or None, note=form.get("note", ""),
            client_key=form.get("key", ""), callback_phone=form.get("callback_phone", ""))
        return sos.id, created, sos.status


@bp.route("/citizen", methods=["GET", "POST"])
def sos_page():
    if not has_role(Role.CITIZEN):
        return _not_a_citizen()
    if request.method == "GET":
        return _sos_page()
    form = request.form
    values = {name: form.get(name, "") for name in ("coordinates", "landmark", "emergency_type", "note",
                                                    "callback_phone")}
    if not CsrfForm().validate_on_submit():
        return _refused(400, gettext("The form had expired or was sent from elsewhere: nothing was sent. "
                                     "Press SOS again."), "", values, csrf=generate_csrf())
    try:
        sos_id, created, status = _send(form)
    except InvalidInput as bad:
        return _refused(400, error_text(bad), SOS_FIELDS.get(bad.field, ""), values)
    except Conflict as clash:
        return _refused(409, error_text(clash), "", values)
    except DomainError as error:
        return _refused(403, error_text(error), "", values)
    if created:
        _match_at_once(sos_id)
    number = sos_number(sos_id)
    flash(gettext("%(number)s sent", number=number) if created
          else gettext("You already have an open SOS: %(number)s", number=number),
          "sos-sent" if created else "sos-open")
    url = f"/citizen/sos/{sos_id}"
    if _wants_json():
        return jsonify(ok=True, id=sos_id, number=number, created=created, status=status, url=url), \
            201 if created else 200
    return redirect(url, code=303)


@bp.route("/citizen/token")
def token():
    """A fresh CSRF token, for an SOS kept on the phone while offline and sent later."""
    if not has_role(Role.CITIZEN):
        return jsonify(ok=False, message=gettext("Log in as a citizen.")), 403
    return jsonify(csrf=generate_csrf())


def _number(name: str) -> float | None:
    try:
        value = float(request.args.get(name, ""))
    except ValueError:
        return None
    return value if value == value else None  # NaN is no number


@bp.route("/citizen/place")
def place():
    """A place the citizen gave, in words, for the SOS page to say back before sending:
    `?q=landmark`, `?coordinates=12.97, 77.59` (as typed) or `?lat=..&lon=..` →
    {"ok": true, "lat", "lon", "words": "near Indiranagar Metro", "using": "Using: near …"}.
    The same rules as sending (db/places.sos_location); bad input is a 400 with the reason."""
    if not has_role(Role.CITIZEN):
        return jsonify(ok=False, message=gettext("Log in as a citizen.")), 403
    args = request.args
    text, typed = (args.get("q") or "").strip(), (args.get("coordinates") or "").strip()
    if "lat" in args or "lon" in args:
        lat, lon = _number("lat"), _number("lon")
        if lat is None or lon is None or not valid_point(lat, lon):
            return jsonify(ok=False, field="coordinates",
                           message=gettext("Latitude is -90 to 90 and longitude -180 to 180.")), 400
        typed = f"{lat}, {lon}"
    if not text and not typed:
        return jsonify(ok=False, field="landmark", message=gettext("Type a place or coordinates.")), 400
    if len(text) > 200 or len(typed) > 200:
        return jsonify(ok=False, field="landmark", message=gettext("Keep the place under 200 characters.")), 400
    try:
        with db_session() as session:
            found = places.sos_location(session, coordinates=typed or None, landmark=text or None)
            words = place_text(landmarks.describe_place_cached(session, found.latitude, found.longitude))
    except InvalidInput as bad:
        return jsonify(ok=False, field=SOS_FIELDS.get(bad.field, "landmark"), message=error_text(bad)), 400
    # A landmark found by name (db/hospitals.locate_landmark writes "near <name>, <address>").
    named = found.text[len("near "):] if found.text.startswith("near ") else found.text
    shown = gettext("near %(place)s", place=named) if named else words
    if not shown:
        shown = f"{found.latitude:.5f}, {found.longitude:.5f}"
    response = jsonify(ok=True, lat=found.latitude, lon=found.longitude, words=shown,
                       using=gettext("Using: %(place)s", place=shown))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- tracking ----------------------------------------------------------------------------


def _guidance(session, view) -> dict | None:
    """First aid while the SOS is open: for its type, or general advice."""
    if view.sos.status in CLOSED:
        return None
    found = guidance.guidance_for(session, view.sos.emergency_type, page_language())
    return {"title": found.title, "html": guidance_html(found.body_markdown), "lang": found.language,
            "fallback": found.fallback}


def _sketch(caller: tuple[float, float], unit: tuple[float, float]) -> dict:
    drawn = caller_and_unit(caller, unit)
    return drawn | {"where": sketch_where(drawn["where"])}


def _arrival(session, actor, sos, now: datetime) -> dict | None:
    """"Arriving in about 7 min (estimate) · position 20 s ago" and a link showing both points on a
    map, while the unit drives to the caller (db/positions.arrival_for_sos)."""
    found = positions.arrival_for_sos(session, actor=actor, sos_id=sos.id, now=now,
                                      kmh=state()["config"].ambulance_kmh)
    if found is None:
        return None
    return {"text": arrival_text(found), "stale": found.stale,
            "sketch": _sketch((sos.latitude, sos.longitude), (found.unit_lat, found.unit_lon)),
            "map": (f"https://www.openstreetmap.org/directions?route={found.unit_lat:.5f}%2C{found.unit_lon:.5f}"
                    f"%3B{sos.latitude:.5f}%2C{sos.longitude:.5f}")}


def _has_event(session, sos_id: int, kind: str) -> bool:
    return session.execute(
        select(SosEvent.id).where(SosEvent.sos_id == sos_id, SosEvent.kind == kind).limit(1)).first() is not None


def tracking_data(session, sos_id: int, now: datetime) -> dict:
    """Everything the tracking page shows of one SOS, as plain data (the template's and the poll's).
    A later line (an ambulance's position and ETA) adds its key here and its line in
    templates/citizen/_track_body.html."""
    actor = actor_in(session)
    view = sos_ops.tracking(session, actor=actor, sos_id=sos_id)
    sos = view.sos
    unit = view.ambulance
    return {
        "id": sos.id,
        "number": sos_number(sos.id),
        "version": sos_watch.tracking_version(session, actor=actor, sos_id=sos_id),
        "status": sos.status,
        "status_label": gettext(SOS_STATUS_LABELS[sos.status]),
        "hospital": {"name": view.hospital.name, "phone": view.hospital.phone or "",
                     "distance_km": view.distance_km} if view.hospital else None,
        "offered_count": view.offered_count,
        "ambulance": {"name": f"{unit.call_sign} · {unit.registration_plate or ''}".strip(" ·"),
                      "status": unit.status,
                      "status_label": gettext(UNIT_STATUS_LABELS.get(unit.status, unit.status)),
                      "arrival": _arrival(session, actor, sos, now)} if unit else None,
        # What is really happening while no hospital has it (db/officer_desk.py writes the events).
        "officer_calling": sos.status in ("pending", "unanswered") and _has_event(session, sos.id, "officer_calling"),
        "still_looking": sos.status == "pending" and sos.ring > 1,
        "place": place_text(landmarks.describe_place_cached(session, sos.latitude, sos.longitude)),
        "timeline": [{"at": when(e.at, now), "text": say(e.message, e.params) if e.message else e.text}
                     for e in view.timeline],
        "can_cancel": view.can_cancel,
        "closed": sos.status in CLOSED,
        "feedback": feedback.feedback_state(session, actor=actor, sos_id=sos_id),
        "guidance": _guidance(session, view),
        "updated": when(now, now, seconds=True),
    }


def _track_page(sos_id: int, status: int = 200, **extra) -> Response:
    if not has_role(Role.CITIZEN):
        return _not_a_citizen()
    now = utcnow()
    try:
        with db_session() as session:
            data = tracking_data(session, sos_id, now)
            shown_alerts = _alerts(session, now)
    except NotFound as missing:
        return make_response(render_template("message.html", title=gettext("SOS not found"),
                                             message=error_text(missing), back_url="/citizen",
                                             back_label=gettext("Back to SOS")), 404)
    page = render_template("citizen/track.html", **frame_context(data["number"]), sos=data,
                           alerts=shown_alerts, csrf=generate_csrf(), poll_seconds=POLL_SECONDS,
                           reload_seconds=RELOAD_SECONDS, feedback_question=gettext(feedback.QUESTION),
                           ratings={value: gettext(label) for value, label in feedback.RATINGS.items()}, comment_max=feedback.COMMENT_MAX,
                           emergency_number=state()["config"].emergency_number, **extra)
    response = make_response(page, status)
    response.headers["ETag"] = f'"{data["version"]}"'
    return response


@bp.route("/citizen/sos/<int:sos_id>")
def track(sos_id: int):
    return _track_page(sos_id)


@bp.route("/citizen/sos/<int:sos_id>/live")
def live(sos_id: int):
    """The tracking page's poll. It sends the version it shows (If-None-Match): unchanged, the
    answer is a bodiless 304 after one small query; changed, the page's body as HTML."""
    if not has_role(Role.CITIZEN):
        return jsonify(ok=False), 403
    try:
        with db_session() as session:
            version = sos_watch.tracking_version(session, actor=actor_in(session), sos_id=sos_id)
            if request.if_none_match.contains(version):
                response = Response(status=304)
            else:
                data = tracking_data(session, sos_id, utcnow())
                response = jsonify(version=version, status=data["status"], closed=data["closed"],
                                   html=render_template("citizen/_track_body.html", sos=data,
                                                        csrf=generate_csrf()))
    except NotFound:
        return jsonify(ok=False, message=gettext("No SOS with that number is yours to see.")), 404
    response.headers["ETag"] = f'"{version}"'
    response.headers["Cache-Control"] = "no-cache, private"
    # Data, never a document: the strictest policy, and short (this answer is sent every second).
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.route("/citizen/sos/<int:sos_id>/cancel", methods=["POST"])
def cancel(sos_id: int):
    if not has_role(Role.CITIZEN):
        return _not_a_citizen()
    if not CsrfForm().validate_on_submit():
        flash(gettext("The form had expired: nothing was changed. Try again."), "danger")
        return redirect(f"/citizen/sos/{sos_id}", code=303)
    if request.form.get("confirmed") != "yes":
        # Without JavaScript there is no confirm dialog: this page asks instead.
        return render_template("citizen/cancel_confirm.html", **frame_context(gettext("Cancel your SOS?")),
                               sos_id=sos_id, number=sos_number(sos_id), csrf=generate_csrf(), alerts=[])
    outcome = act(sos_ops.cancel_sos, sos_id=sos_id)
    if outcome.ok:
        flash(gettext("Your SOS is cancelled. Press SOS again if you need help."), "secondary")
    else:
        flash(error_text(outcome.error), "danger")
    return redirect(f"/citizen/sos/{sos_id}", code=303)


@bp.route("/citizen/sos/<int:sos_id>/feedback", methods=["POST"])
def give_feedback(sos_id: int):
    if not has_role(Role.CITIZEN):
        return _not_a_citizen()
    if not CsrfForm().validate_on_submit():
        flash(gettext("The form had expired: nothing was sent. Send your feedback again."), "danger")
        return redirect(f"/citizen/sos/{sos_id}", code=303)
    rating, comment = request.form.get("rating"), request.form.get("comment", "")
    outcome = act(feedback.submit_feedback, sos_id=sos_id, rating=rating, comment=comment)
    if outcome.field is not None:  # bad input: said at its field, the form stays as typed
        return _track_page(sos_id, 400, feedback_error={"field": outcome.field, "message": error_text(outcome.error)},
                           feedback_values={"rating": rating or "", "comment": comment})
    if outcome.ok:
        label = gettext(feedback.RATINGS.get(int(rating)))
        flash(gettext("Thank you for your feedback. You answered: %(answer)s.", answer=label), "success")
    else:
        flash(error_text(outcome.error), "warning")
    return redirect(f"/citizen/sos/{sos_id}", code=303)


def guidance_html(markdown: str) -> str:
    """First-aid steps as HTML: raw HTML in the text stays text, no images, no script links."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).disable("image")
    return parser.render(markdown or "")

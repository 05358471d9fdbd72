"""Where a crew's phone sends the unit's position (assets/crew.js, every few seconds and on each
status change, while a job is open):

    POST /crew/position   {"lat", "lon", "accuracy", "speed", "at_ms"}   X-CSRFToken: <Dash's token>

Only a crew session may post, and only for its own unit (the unit comes from the crew link, never
from the body). Answers: 202 stored, 200 ignored (older than the latest), 422 refused (bad input,
with the reason), 403 not a crew or wrong CSRF token, 401 signed out (a revoked link).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request, session
from flask_login import current_user

from auth.context import db_session
from auth.csrf import DASH_CSRF_HEADER
from auth.roles import has_role
from components.crew import POSITION_URL
from db import crew, positions
from db.clock import utcnow
from db.errors import DomainError
from db.vocabulary import Role

bp = Blueprint("crew", __name__)


def _time(at_ms, now: datetime) -> datetime | None:
    if at_ms is None:
        return now
    if isinstance(at_ms, bool) or not isinstance(at_ms, (int, float)) or not 0 < at_ms < 1e14:
        return None
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC)


@bp.route(POSITION_URL, methods=["POST"])
def post_position():
    if not has_role(Role.CREW):
        return jsonify(error="only an ambulance crew posts positions"), 403
    expected = session.get("dash_csrf")
    if not expected or not secrets.compare_digest(expected, request.headers.get(DASH_CSRF_HEADER, "")):
        return jsonify(error="missing or wrong CSRF token: reload the page"), 403
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="send a JSON object: lat, lon, accuracy, speed, at_ms"), 400
    now = utcnow()
    at = _time(body.get("at_ms"), now)
    if at is None:
        return jsonify(stored=False, error="at_ms must be a time in milliseconds"), 422
    try:
        with db_session() as db:
            # The crew account as this request's login check just loaded it (one query fewer on the
            # busiest write path): its id, role and status are what the operation checks.
            result = positions.record_position(
                db, actor=current_user._get_current_object(), latitude=body.get("lat"), longitude=body.get("lon"),
                accuracy_m=body.get("accuracy"), speed_mps=body.get("speed"), at=at, now=now)
            crew.touch(db, getattr(current_user, "crew_link_id", None), now=now,
                       last_seen_at=getattr(current_user, "link_last_seen_at", None))
    except DomainError as refused:
        return jsonify(stored=False, error=refused.message), 403
    if result.refused:
        return jsonify(stored=False, error=result.reason), 422
    return jsonify(stored=result.stored, reason=result.reason), 202 if result.stored else 200

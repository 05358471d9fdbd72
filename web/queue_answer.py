"""Accept / Decline on a waiting SOS's card of the hospital's queue (pages/hospital/queue.py):

    POST /_queue/answer   {"kind": "accept" | "decline", "sos": <id>}   X-CSRFToken: <Dash's token>

assets/queue.js (`answer`) posts the press here rather than through a Dash callback: in a race
sixteen hospitals press at once, and a plain JSON request skips Dash's callback dispatch (bench
`accept_http_rps`, bench/README.md). The checks are a callback's: the Dash CSRF header
(`auth.csrf.dash_token_sent`), the hospital admin role, then the rules of db/sos.py run as the
signed-in person in one transaction (`auth.actions.act`).

Answers: 200 {"message", "color"} for everything a person reads, a refusal included ("Already
accepted by …", red); 400 a body the page never sends; 403 a missing or wrong CSRF token, or
someone who is not a hospital's admin; 401 signed out (the request guard); 503 the database
cannot be reached (auth/outage.py). The page shows the message and redraws the queue.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from auth.actions import act
from auth.csrf import WRONG_TOKEN, dash_token_sent
from auth.roles import has_role
from components.dispatch import ANSWER_URL, OFFER_ANSWERS
from components.i18n import _
from db import sos as sos_ops
from db.parse import record_id
from db.vocabulary import Role, sos_number

bp = Blueprint("queue_answer", __name__)


@bp.post(ANSWER_URL)
def answer():
    if not dash_token_sent():
        return jsonify(message=WRONG_TOKEN, color="danger"), 403
    if not has_role(Role.HOSPITAL_ADMIN):
        return jsonify(message="Only a hospital's admins answer its SOS queue.", color="danger"), 403
    body = request.get_json(silent=True)
    kind = body.get("kind") if isinstance(body, dict) else None
    sos_id = record_id(body.get("sos")) if isinstance(body, dict) else 0
    if kind not in OFFER_ANSWERS or not sos_id:
        return jsonify(message=_("That button is not one this page knows. Reload the page."), color="warning"), 400
    number = sos_number(sos_id)
    if kind == "accept":
        done = act(sos_ops.accept_sos, sos_id=sos_id,
                   describe=lambda _result: _("%(number)s is yours. Send an ambulance now.", number=number))
        color = "success"
    else:
        done = act(sos_ops.decline_sos, sos_id=sos_id,
                   describe=lambda _result: _("%(number)s declined: it has left your queue.", number=number))
        color = "secondary"
    # A refusal shows in red (components/answers.answer): the SOS changed under the person.
    return jsonify(message=done.result, color=color) if done.ok else jsonify(message=done.message, color="danger")

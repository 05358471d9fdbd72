"""Public CAP 1.2 alerts (plain Flask routes beside the Dash pages, registered by web/__init__.py).

    /cap/alerts.xml               Atom 1.0 feed of the alerts in force now, most severe first,
                                  and of each Update and Cancel for as long as the alert it
                                  replaces would have stayed; each entry links to its CAP
                                  document and carries it inline
    /cap/alerts/<identifier>.xml  one CAP 1.2 message (any published one, also expired or replaced)

Public alerts are public: no login ("/cap/" is in auth.PUBLIC_PREFIXES). Nothing here writes.
Absolute links come from the configured public address, never from the request: a shared cache
keeps these answers, and a forged Host header must not poison them.
"""

from flask import Blueprint, Response, abort

from auth.context import db_session, public_url
from components.cap import ATOM_MIME, CAP_MIME, alert_xml, feed_xml
from db import alerts
from db.clock import utcnow

bp = Blueprint("cap_feed", __name__)
# Short: consumers poll, and an expiry or a cancellation must reach them quickly.
CACHE = "public, max-age=30"


@bp.route("/cap/alerts.xml")
def feed():
    now = utcnow()
    with db_session() as session:
        body = feed_xml(alerts.feed_alerts(session, now=now), base_url=public_url(), now=now)
    return Response(body, mimetype=ATOM_MIME, headers={"Cache-Control": CACHE})


@bp.route("/cap/alerts/<identifier>.xml")
def one(identifier: str):
    with db_session() as session:
        alert = alerts.by_identifier(session, identifier)
        if alert is None or alert.status == "Draft":
            abort(404)
        body = alert_xml(alert, web_url=public_url("/alerts"))
    return Response(body, mimetype=CAP_MIME, headers={"Cache-Control": CACHE})

"""Files to download (plain Flask routes beside the Dash pages, registered by web/__init__.py).

    /export/have.xml      current availability as OASIS EDXL-HAVE 1.0 (valid against the OASIS
                          schema; 404 while there is no active hospital: HAVE needs one)
    /export/capacity.csv  the same figures as CSV, one row per hospital and bed type

For health officers and super admins; every download is written to the audit log.
"""

from flask import Blueprint, Response, abort

from auth.context import actor_in, db_session
from auth.roles import has_role
from components.exports import availability_csv, have_xml
from db import audit, capacity
from db.clock import utcnow
from db.vocabulary import Role

bp = Blueprint("downloads", __name__)
ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)


def _export(kind: str):
    if not has_role(*ROLES):
        abort(403)
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        rows = capacity.availability_export(session, actor=actor)
        have_types = {bt.code: bt.have_type for bt in capacity.bed_types(session)}
        audit.record(session, actor=actor, action=f"export.{kind}", now=now, target_type="export",
                     detail={"hospitals": len(rows)})
        return rows, have_types, now


@bp.route("/export/have.xml")
def have():
    rows, have_types, now = _export("have")
    if not rows:
        return Response("There is no active hospital to report yet: an EDXL-HAVE document needs one.\n",
                        status=404, mimetype="text/plain")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return Response(have_xml(rows, have_types), mimetype="application/xml",
                    headers={"Content-Disposition": f'inline; filename="healthfirst-have-{stamp}.xml"'})


@bp.route("/export/capacity.csv")
def capacity_csv():
    rows, have_types, now = _export("csv")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return Response(availability_csv(rows, have_types), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="healthfirst-capacity-{stamp}.csv"'})

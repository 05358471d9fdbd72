"""Report files: the upload form and the authorising download route (plain Flask routes; Dash
cannot stream a file upload). Registered by web/__init__.py.

    GET/POST /reports/upload          citizens (their own) and hospital admins (for a citizen)
    GET      /reports/<id>/download   the patient and the uploading hospital, verified reports only
"""

from flask import Blueprint, Response, jsonify, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from auth.context import actor_in, db_session, state
from auth.forms import TOO_LONG, Form
from auth.roles import has_role
from db import reports
from db.clock import utcnow
from db.errors import DomainError, InvalidInput
from db.vocabulary import Role
from web.citizen_words import error_text, say

bp = Blueprint("report_files", __name__)
UPLOADERS = (Role.CITIZEN, Role.HOSPITAL_ADMIN)


class UploadForm(Form):
    file = FileField(_l("Report file (PDF, PNG or JPEG)"), validators=[FileRequired(_l("Choose a file to upload."))])
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    patient = StringField(_l("Patient's email or phone"), validators=[Optional(), Length(max=254, message=TOO_LONG)])


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _words() -> dict:
    """The words assets/forms/upload.js shows itself, in the reader's language (the page's JSON
    block #upload-words); `%(status)s` is filled in by the script."""
    return {"failed": _("The upload failed (%(status)s). Nothing was stored; try again.", status="%(status)s"),
            "connection": _("The connection failed. Nothing was stored; try again.")}


def _answer(form, status: int, *, message: str = "", field: str = "", ok: bool = False, report=None):
    if _wants_json():
        return jsonify(ok=ok, message=message, field=field,
                       report={"id": report.id, "sha256": report.sha256} if report else None), status
    return render_template("reports_upload.html", form=form, message=message, ok=ok, field=field,
                           report=report, max_mb=state()["config"].max_upload_bytes // (1024 * 1024),
                           words=_words()), status


@bp.route("/reports/upload", methods=["GET", "POST"])
def upload():
    if not has_role(*UPLOADERS):
        return Response(_("Only citizens and hospital admins upload reports."), status=403)
    form = UploadForm()
    if request.method == "GET":
        return _answer(form, 200)
    if not form.validate_on_submit():
        errors = {name: errs[0] for name, errs in form.errors.items()}
        message = _("The form had expired: reload the page and send it again.") if "csrf_token" in errors else \
            str(next(iter(errors.values()), _("Check the form.")))
        return _answer(form, 400, message=message, field=next(iter(errors), ""))
    config = state()["config"]
    upload_file = form.file.data
    try:
        with db_session() as session:
            report = reports.create_report(
                session, actor=actor_in(session), source=upload_file.stream, original_name=upload_file.filename or "",
                title=form.title.data or "", upload_dir=config.upload_dir, max_bytes=config.max_upload_bytes,
                hmac_key=config.report_hmac_key, now=utcnow(), patient_email_or_phone=form.patient.data or "")
    except InvalidInput as bad:
        return _answer(form, 400, message=error_text(bad), field=bad.field)
    except DomainError as error:
        return _answer(form, 403, message=error_text(error))
    return _answer(form, 201, ok=True, report=report,
                   message=_("Uploaded. It is being checked; it can be opened once verified (usually within seconds)."))


@bp.route("/reports/<int:report_id>/download")
def download(report_id: int):
    config = state()["config"]
    with db_session() as session:
        decision = reports.authorise_download(session, actor=actor_in(session), report_id=report_id,
                                              upload_dir=config.upload_dir, hmac_key=config.report_hmac_key,
                                              now=utcnow())
        report = decision.report
    if not decision.allowed:
        return render_template("message.html", title=_("This report cannot be opened"),
                               message=say(decision.message)), decision.status_code
    response = send_file(decision.path, mimetype=report.content_type, as_attachment=True,
                         download_name=report.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.app_errorhandler(413)
def too_large(_error):
    mb = state()["config"].max_upload_bytes // (1024 * 1024)
    message = _("The file is larger than %(mb)s MB. Nothing was stored.", mb=mb)
    if _wants_json() or request.path.startswith("/_"):
        return jsonify(ok=False, message=message, field="file"), 413
    return render_template("message.html", title=_("File too large"), message=message,
                           back_url="/reports/upload", back_label=_("Choose a smaller file")), 413



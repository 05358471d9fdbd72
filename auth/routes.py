"""Login, registration and logout: plain Flask routes, which win over Dash's catch-all."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from auth.context import db_session, state
from auth.forms import LoginForm, LogoutForm, RegisterForm
from auth.roles import ROLE_HOME
from db import audit, crew, hospitals, kiosk, users
from db.clock import utcnow
from db.errors import InvalidInput
from db.models import User
from db.vocabulary import Role

bp = Blueprint("auth", __name__)

# The login cookie holds "id:token" rather than the id alone (see db.users.session_id).
class SessionUser:
    """What Flask-Login keeps for the request: a detached snapshot of the user row."""

    def __init__(self, user: User):
        self.id = user.id
        self.email = user.email
        self.full_name = user.full_name
        self.role = user.role
        self.status = user.status
        self.hospital_id = user.hospital_id
        self.language = user.language
        self._session_id = users.session_id(user)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def get_id(self) -> str:
        return self._session_id


class KioskUser:
    """A wall display opened through a kiosk link: read-only, role `display`, no account row."""

    role = Role.DISPLAY
    status = "active"
    hospital_id = None
    email = ""
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_kiosk = True

    def __init__(self, row):
        self.id = f"kiosk:{row.id}"
        self.full_name = f"Wall display: {row.label}"
        self._session_id = f"kiosk:{row.id}:{row.token_hash[:16]}"

    def get_id(self) -> str:
        return self._session_id


class CrewSessionUser(SessionUser):
    """A phone opened through a crew link: the unit's crew account, for as long as that link stands.
    Its login cookie names the link (`kiosk:c<link id>:<hash prefix>`), re-checked on every request."""

    def __init__(self, user: User, link):
        super().__init__(user)
        self.ambulance_id = link.ambulance_id
        self.crew_link_id = link.id
        self.link_last_seen_at = link.last_seen_at
        self._session_id = f"kiosk:c{link.id}:{link.token_hash[:16]}"


def load_kiosk(session, cookie_id: str):
    _, kiosk_id, prefix = (cookie_id.split(":") + ["", ""])[:3]
    if kiosk_id.startswith("c") and kiosk_id[1:].isdigit():
        found = crew.still_valid(session, int(kiosk_id[1:]), prefix)
        return CrewSessionUser(found[1], found[0]) if found is not None else None
    if not kiosk_id.isdigit():
        return None
    row = kiosk.still_valid(session, int(kiosk_id), prefix)
    return KioskUser(row) if row is not None else None


@bp.route("/kiosk/<token>")
def kiosk_login(token: str):
    """Open the wall display from a kiosk link; a revoked or unknown link opens nothing."""
    now = utcnow()
    with db_session() as session:
        row = kiosk.check(session, token, now=now)
        user = KioskUser(row) if row is not None else None
    if user is None:
        return render_template("message.html", title="This display link does not work",
                               message="It was revoked or mistyped. Ask a health officer for a new link."), 404
    login_user(user)
    return redirect("/display")


@bp.route("/kiosk/crew/<token>")
def crew_login(token: str):
    """Open the crew screen from a crew link: this browser becomes the crew of that unit only."""
    now = utcnow()
    with db_session() as session:
        row = crew.check(session, token, now=now)
        user = CrewSessionUser(session.get(User, row.crew_user_id), row) if row is not None else None
    if user is None:
        return render_template("message.html", title="This crew link does not work",
                               message="It was revoked or mistyped. Ask your hospital for a new link."), 404
    logout_user()
    login_user(user, remember=True)
    return redirect("/crew")


def safe_next(target: str | None) -> str | None:
    """Only a local path: `next` must never send a user to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def home_for(user) -> str:
    return ROLE_HOME.get(user.role, "/login")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_for(current_user))
    error = None
    if form.validate_on_submit():
        now = utcnow()
        # One unit of work that commits whatever the outcome: a refused login's count toward the
        # account's lock must be kept, or the lock never happens.
        with db_session() as session:
            decision = users.authenticate(session, email=form.email.data, password=form.password.data,
                                          now=now, demo_accounts=state()["config"].demo_data)
            if decision.ok:
                audit.record(session, actor=decision.user, action="user.login", now=now,
                             target_type="user", target_id=decision.user.id)
                snapshot = SessionUser(decision.user)
        if decision.ok:
            login_user(snapshot, remember=bool(form.remember.data))
            return redirect(next_url or home_for(snapshot))
        error = decision.message
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form, error=error), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        # A GET (or a POST from elsewhere) only asks: logging out takes this form's POST.
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return render_template("logout.html", form=form)
    if current_user.is_authenticated and not getattr(current_user, "is_kiosk", False):
        now = utcnow()
        with db_session() as session:
            user = session.get(User, current_user.id)
            if user is not None:
                # A copy of the old cookie must not work after logout.
                users.end_all_sessions(session, user)
                audit.record(session, actor=user, action="user.logout", now=now,
                             target_type="user", target_id=user.id)
    logout_user()
    flash(gettext("You are logged out."))
    return redirect(url_for("auth.login"))


_HOSPITAL_CHOICE = re.compile(r"#(\d+)\b")


def _hospital_id_from_choice(text: str) -> int | None:
    match = _HOSPITAL_CHOICE.search(text or "")
    return int(match.group(1)) if match else None


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    with db_session() as session:
        hospital_choices = [f"#{h.id} {h.name}" + (f", {h.city}" if h.city else "")
                            for h in hospitals.list_active(session)]
    if form.validate_on_submit():
        now = utcnow()
        try:
            with db_session() as session:
                user = _register(session, form, now)
                snapshot = SessionUser(user)
        except InvalidInput as bad:
            field = getattr(form, _FORM_FIELD.get(bad.field, bad.field), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [gettext(bad.template, **bad.params)]
            else:
                form.form_errors.append(gettext(bad.template, **bad.params))
        else:
            if snapshot.status == "active":
                login_user(snapshot)
                return redirect(home_for(snapshot))
            return render_template("registered_pending.html", user=snapshot)
    status = 400 if request.method == "POST" else 200
    return render_template("register.html", form=form, hospital_choices=hospital_choices), status


# Domain field names that differ from the form's.
_FORM_FIELD = {
    "hospital_name": "new_hospital_name",
    "hospital_location": "new_hospital_latitude",
    "user": "email",
}


def _register(session, form: RegisterForm, now) -> User:
    common = dict(email=form.email.data, password=form.password.data,
                  full_name=form.full_name.data, phone=form.phone.data, now=now)
    role = form.role.data
    if role == Role.CITIZEN:
        return users.register_citizen(session, address=form.address.data, **common)
    proposed = None
    hospital_id = None
    if role == Role.HOSPITAL_ADMIN:
        if (form.new_hospital_name.data or "").strip():
            proposed = users.ProposedHospital(
                name=form.new_hospital_name.data,
                address=form.new_hospital_address.data or "",
                city=form.new_hospital_city.data or "",
                latitude=form.new_hospital_latitude.data,
                longitude=form.new_hospital_longitude.data,
                phone=form.new_hospital_phone.data,
            )
        if (form.hospital.data or "").strip():
            hospital_id = _hospital_id_from_choice(form.hospital.data)
            if hospital_id is None:
                raise InvalidInput("hospital", "Pick your hospital from the list as you type.")
    return users.register_staff(session, role=role, hospital_id=hospital_id,
                                proposed_hospital=proposed, **common)

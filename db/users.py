"""Accounts: registration, approval, login checks, session tokens."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session, make_transient_to_detached, selectinload

from config import DISPLAY_TIMEZONE
from db import audit
from db.errors import N_, InvalidInput, NotAllowed, NotFound
from db.models import Hospital, User
from db.permissions import require_role
from db.prepared import DriverSelect
from db.vocabulary import ASSIGNABLE_ROLES, DEMO_EMAIL_DOMAIN, ROLE_LABELS, STAFF_ROLES, USER_STATUS_LABELS, Role

# argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): above OWASP's minimum.
_hasher = PasswordHasher()

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
_COMMON_PASSWORDS = {
    "password", "password1", "password123", "12345678", "123456789", "1234567890",
    "qwerty123", "qwertyuiop", "iloveyou", "admin123", "letmein123", "welcome123",
    "abc12345", "passw0rd", "p@ssw0rd", "11111111", "00000000", "healthfirst",
}


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real hash of a random password: checking it for unknown emails keeps the response time
    the same, so the login form does not reveal which emails have accounts. Made on first use,
    not at import."""
    return _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise InvalidInput("email", N_("Enter your email address."))
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput("email", N_("That email address is not valid: %(reason)s"), reason=str(exc)) from None


def check_password_strength(password: str, *, email: str = "") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password", N_("Use at least %(min)s characters for your password."), min=MIN_PASSWORD_LENGTH
        )
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        raise InvalidInput("password", N_("That password is too easy to guess. Choose another."))
    if email and lowered == email.lower():
        raise InvalidInput("password", N_("Your password must not be your email address."))


def _clean_name(full_name: str) -> str:
    name = (full_name or "").strip()
    if not name:
        raise InvalidInput("full_name", N_("Enter your name."))
    if len(name) > 120:
        raise InvalidInput("full_name", N_("Names are limited to 120 characters."))
    return name


def clean_phone(phone: str | None) -> str | None:
    """A phone number as given, or None when empty; refused unless it is 6 to 15 digits."""
    phone = (phone or "").strip()
    if not phone:
        return None
    digits = phone.replace(" ", "").replace("-", "")
    if not (digits.lstrip("+").isdigit() and 6 <= len(digits.lstrip("+")) <= 15):
        raise InvalidInput("phone", N_("Enter a phone number of 6 to 15 digits (a leading + is fine)."))
    return phone


ADDRESS_MAX = 300


def clean_address(address: str | None) -> str | None:
    """A registered address as given (spaces and line breaks folded), or None when empty; refused
    when longer than ADDRESS_MAX characters or holding control characters."""
    text = " ".join((address or "").split())
    if not text:
        return None
    if len(text) > ADDRESS_MAX:
        raise InvalidInput("address", N_("An address is limited to %(max)s characters."), max=ADDRESS_MAX)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput("address", N_("The address holds characters that are not text."))
    return text


# The register form's roles, said whole so the sentence can be translated (a page shows it
# through gettext); `_choose` writes the same for any other list of roles.
CHOOSE_REGISTER_ROLE = N_("Choose Citizen, Hospital admin or Health officer.")


def _choose(roles) -> str:
    """"Choose Citizen, Hospital admin or Health officer.": the roles a form offers, by their labels."""
    if tuple(roles) == (Role.CITIZEN, *STAFF_ROLES):
        return CHOOSE_REGISTER_ROLE
    labels = [ROLE_LABELS[role] for role in roles]
    return f"Choose {', '.join(labels[:-1])} or {labels[-1]}."


def get_by_email(session: Session, email: str) -> User | None:
    return session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _new_user(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    phone: str | None,
    role: str,
    status: str,
    now: datetime,
    hospital_id: int | None = None,
    address: str | None = None,
) -> User:
    email = normalise_email(email)
    full_name = _clean_name(full_name)
    phone = clean_phone(phone)
    address = clean_address(address)
    check_password_strength(password, email=email)
    if is_demo_account(email):
        raise InvalidInput("email", N_("Addresses at %(domain)s belong to the demo. Use your own address."),
                           domain=DEMO_EMAIL_DOMAIN)
    if get_by_email(session, email) is not None:
        raise InvalidInput("email", N_("An account with this email already exists. Log in instead."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        full_name=full_name,
        phone=phone,
        address=address,
        role=role,
        status=status,
        hospital_id=hospital_id,
        session_token=secrets.token_hex(16),
        failed_login_count=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def register_citizen(
    session: Session, *, email: str, password: str, full_name: str, phone: str | None, now: datetime,
    address: str | None = None,
) -> User:
    """Citizens are in at once: nothing they can do touches anyone else's data. The address is
    optional; only the hospital that accepts one of their SOS sees it."""
    user = _new_user(
        session,
        email=email,
        password=password,
        full_name=full_name,
        phone=phone,
        address=address,
        role=Role.CITIZEN,
        status="active",
        now=now,
    )
    audit.record(session, actor=user, action="user.register", now=now, target_type="user",
                 target_id=user.id, detail={"role": Role.CITIZEN})
    return user


@dataclass(frozen=True)
class ProposedHospital:
    name: str
    address: str
    city: str
    latitude: float | None
    longitude: float | None
    phone: str | None = None


def register_staff(
    session: Session,
    *,
    role: str,
    email: str,
    password: str,
    full_name: str,
    phone: str | None,
    now: datetime,
    hospital_id: int | None = None,
    proposed_hospital: ProposedHospital | None = None,
) -> User:
    """A privileged account starts pending and can do nothing until a super admin approves it,
    so registering for a hospital never grants control of it."""
    if role not in STAFF_ROLES:
        raise InvalidInput("role", _choose((Role.CITIZEN, *STAFF_ROLES)))
    hospital = None
    if role == Role.HOSPITAL_ADMIN:
        if (hospital_id is None) == (proposed_hospital is None):
            raise InvalidInput(
                "hospital", N_("Choose your hospital from the list, or propose a new one (not both).")
            )
        if hospital_id is not None:
            hospital = session.get(Hospital, hospital_id)
            if hospital is None or hospital.status != "active":
                raise InvalidInput("hospital", N_("That hospital is not in the directory."))
        else:
            hospital = _proposed_hospital_row(proposed_hospital, now)
            session.add(hospital)
            session.flush()
    user = _new_user(
        session,
        email=email,
        password=password,
        full_name=full_name,
        phone=phone,
        role=role,
        status="pending",
        now=now,
        hospital_id=hospital.id if hospital is not None else None,
    )
    audit.record(session, actor=user, action="user.register", now=now, target_type="user",
                 target_id=user.id,
                 detail={"role": role, "hospital_id": user.hospital_id,
                         "proposed_hospital": proposed_hospital is not None})
    return user


def _proposed_hospital_row(proposed: ProposedHospital, now: datetime) -> Hospital:
    name = (proposed.name or "").strip()
    if not name:
        raise InvalidInput("hospital_name", N_("Enter the name of the hospital you propose."))
    if proposed.latitude is None or proposed.longitude is None:
        raise InvalidInput("hospital_location", N_("Enter the hospital's latitude and longitude."))
    if not (-90 <= proposed.latitude <= 90 and -180 <= proposed.longitude <= 180):
        raise InvalidInput(
            "hospital_location", N_("Latitude must be between -90 and 90, longitude between -180 and 180.")
        )
    return Hospital(
        name=name[:200],
        address=(proposed.address or "").strip()[:300],
        city=(proposed.city or "").strip()[:100],
        latitude=proposed.latitude,
        longitude=proposed.longitude,
        phone=clean_phone(proposed.phone),
        status="proposed",
        ems_status="normal",
        ems_reason="",
        created_at=now,
    )


@dataclass(frozen=True)
class LoginDecision:
    """Returned, not raised: a refused login still counts toward the account's lock, and the
    caller commits that count (and the lock's audit entry) with the refusal."""

    user: User | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


WRONG_CREDENTIALS = N_("That email and password do not match an account.")
DEMO_OFF = "Demo accounts are switched off on this installation."


def is_demo_account(email: str) -> bool:
    """Demo accounts have public passwords: they live under the demo domain only."""
    return email.lower().endswith("@" + DEMO_EMAIL_DOMAIN)


def _locked_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))  # 15:00 left says 15
    until = locked_until.astimezone(ZoneInfo(DISPLAY_TIMEZONE)).strftime("%H:%M")
    return (f"Too many wrong passwords: this account is locked until {until} "
            f"({minutes} more minute{'s' if minutes != 1 else ''}). Try again then.")


def authenticate(session: Session, *, email: str, password: str, now: datetime,
                 demo_accounts: bool = False) -> LoginDecision:
    """Check a login. Wrong passwords count toward a temporary lock of the account: after
    MAX_FAILED_LOGINS in a row it is locked for LOCKOUT, even against the right password.
    `demo_accounts`: whether the demo city's accounts may log in (only where demo data is on)."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        return LoginDecision(None, WRONG_CREDENTIALS)
    user = get_by_email(session, email)
    if user is None:
        password_matches(_dummy_hash(), password)
        return LoginDecision(None, WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        return LoginDecision(None, _locked_message(user.locked_until, now))
    if not password_matches(user.password_hash, password):
        return _count_failure(session, user, now)
    refusal = _refusal_for(user, demo_accounts)
    if refusal:
        return LoginDecision(None, refusal)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginDecision(user)


def _count_failure(session: Session, user: User, now: datetime) -> LoginDecision:
    user.failed_login_count += 1
    if user.failed_login_count < MAX_FAILED_LOGINS:
        return LoginDecision(None, WRONG_CREDENTIALS)
    user.locked_until = now + LOCKOUT
    user.failed_login_count = 0
    audit.record(session, actor=user, action="user.locked", now=now,
                 target_type="user", target_id=user.id, outcome="refused")
    return LoginDecision(None, _locked_message(user.locked_until, now))


def _refusal_for(user: User, demo_accounts: bool) -> str:
    """Why a user with the right password still may not log in ("" if they may)."""
    if user.status == "pending":
        return ("Your account is waiting for approval by an administrator. "
                "You can log in once it is approved.")
    if user.status == "rejected":
        return "Your registration was not approved. Contact the health authority."
    if user.status == "disabled":
        return "This account has been disabled. Contact the health authority."
    if not demo_accounts and is_demo_account(user.email):
        return DEMO_OFF
    return ""


def demo_account_count(session: Session) -> int:
    """How many demo accounts (public passwords) this database holds."""
    return session.execute(select(func.count()).select_from(User)
                           .where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))).scalar_one()


def session_id(user: User) -> str:
    """What goes into the login cookie: rotating the token invalidates every older cookie."""
    return f"{user.id}:{user.session_token}"


def load_for_session(session: Session, cookie_id: str, *, demo_accounts: bool = False) -> User | None:
    """The user a login cookie names, if that login still stands (active, same session token,
    and not a demo account where demo accounts are off)."""
    user_id, _, token = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not _login_stands(user.status, user.email, user.session_token, token, demo_accounts):
        return None
    return user


def _login_stands(status: str, email: str, session_token: str, token: str, demo_accounts: bool) -> bool:
    if status != "active":
        return False
    if not demo_accounts and is_demo_account(email):
        return False
    return secrets.compare_digest(session_token, token)


_USERS = User.__table__
_SESSION_ROW = DriverSelect(select(*_USERS.columns).where(_USERS.c.id == bindparam("user_id")))


def session_row(connection: Connection, cookie_id: str, *, demo_accounts: bool = False) -> dict | None:
    """`load_for_session`'s rule in one Core statement on `connection`, with no ORM session (every
    request of a signed-in person asks): the user's columns, if that login still stands."""
    user_id, _, token = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    row = _SESSION_ROW.first(connection, {"user_id": int(user_id)})
    if row is None or not _login_stands(row["status"], row["email"], row["session_token"], token, demo_accounts):
        return None
    return row


def detached_user(row: dict) -> User:
    """A `User` as if loaded and then detached, from `session_row`'s columns: `session.merge(user,
    load=False)` puts it into a session without asking the database again."""
    user = User(**row)
    make_transient_to_detached(user)
    return user


def end_all_sessions(session: Session, user: User) -> None:
    user.session_token = secrets.token_hex(16)


def list_pending(session: Session, *, actor: User) -> list[User]:
    require_role(actor, Role.SUPER_ADMIN)
    return list(
        session.execute(
            select(User).where(User.status == "pending").order_by(User.created_at)
        ).scalars()
    )


def _pending_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That account no longer exists.")
    if user.status != "pending":
        raise InvalidInput("user", f"{user.email} was already {user.status}: nothing changed.")
    return user


def approve_user(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    require_role(actor, Role.SUPER_ADMIN)
    user = _pending_user(session, user_id)
    if user.role == Role.HOSPITAL_ADMIN:
        hospital = session.get(Hospital, user.hospital_id) if user.hospital_id else None
        if hospital is None or hospital.status == "rejected":
            raise InvalidInput("user", "This account's hospital is not in the directory.")
        if hospital.status == "proposed":
            hospital.status = "active"
    user.status = "active"
    user.decided_at = now
    user.decided_by_id = actor.id
    audit.record(session, actor=actor, action="user.approve", now=now, target_type="user",
                 target_id=user.id, detail={"role": user.role, "hospital_id": user.hospital_id})
    return user


def reject_user(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    require_role(actor, Role.SUPER_ADMIN)
    user = _pending_user(session, user_id)
    if user.role == Role.HOSPITAL_ADMIN and user.hospital_id:
        hospital = session.get(Hospital, user.hospital_id)
        if hospital is not None and hospital.status == "proposed":
            hospital.status = "rejected"
    user.status = "rejected"
    user.decided_at = now
    user.decided_by_id = actor.id
    end_all_sessions(session, user)
    audit.record(session, actor=actor, action="user.reject", now=now, target_type="user",
                 target_id=user.id, detail={"role": user.role})
    return user


def create_superuser(
    session: Session, *, email: str, password: str, full_name: str, now: datetime
) -> User:
    """Only the command line creates super admins; nobody can register as one."""
    user = _new_user(
        session,
        email=email,
        password=password,
        full_name=full_name or "Super admin",
        phone=None,
        role=Role.SUPER_ADMIN,
        status="active",
        now=now,
    )
    audit.record(session, actor=None, action="user.create_superuser", now=now,
                 target_type="user", target_id=user.id, detail={"email": user.email})
    return user


def count_by_role(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(User.role, func.count()).where(User.status == "active").group_by(User.role)
    )
    return {role: count for role, count in rows}


# ---- user management (super admin console) --------------------------------------------------

LIST_LIMIT = 500


def _state(user: User) -> dict:
    return {"role": user.role, "status": user.status, "hospital_id": user.hospital_id}


def _lock_active_super_admins(session: Session, actor: User) -> list[User]:
    """Lock every active super admin's row, in id order, and reload them.

    Two super admins disabling (or demoting) each other at the same moment then queue on the
    same locks instead of both seeing "another super admin is left" and leaving none. The actor
    is reloaded too: one who was disabled while waiting is refused."""
    admins = list(
        session.execute(
            select(User)
            .where(User.role == Role.SUPER_ADMIN, User.status == "active")
            .order_by(User.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    )
    if all(admin.id != actor.id for admin in admins):
        raise NotAllowed()
    return admins


def _managed_user(session: Session, user_id) -> User:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound("Select an account in the table first.") from None
    user = session.execute(
        select(User).where(User.id == user_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if user is None:
        raise NotFound("That account no longer exists.")
    return user


def _active_hospital(session: Session, hospital_id) -> Hospital:
    try:
        hospital = session.get(Hospital, int(hospital_id)) if hospital_id not in (None, "") else None
    except (TypeError, ValueError):
        hospital = None
    if hospital is None or hospital.status != "active":
        raise InvalidInput("hospital", "Choose an active hospital from the directory for a hospital admin.")
    return hospital


def _refuse_last_super_admin(admins: list[User], user: User, doing: str) -> None:
    if user.role == Role.SUPER_ADMIN and user.status == "active" and len(admins) <= 1:
        raise NotAllowed(f"{user.email} is the last active super admin and cannot be {doing}.")


def disable_user(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    """Disable an active account: it cannot log in, and its open sessions end at their next
    request (the session token is rotated)."""
    require_role(actor, Role.SUPER_ADMIN)
    admins = _lock_active_super_admins(session, actor)
    user = _managed_user(session, user_id)
    if user.id == actor.id:
        raise NotAllowed("You cannot disable your own account.")
    if user.status == "disabled":
        raise InvalidInput("user", f"{user.email} is already disabled: nothing changed.")
    if user.status != "active":
        raise InvalidInput(
            "user", f"{user.email} is {USER_STATUS_LABELS[user.status].lower()}: only active accounts "
                    "can be disabled (decide pending ones under Approvals)."
        )
    _refuse_last_super_admin(admins, user, "disabled")
    before = _state(user)
    user.status = "disabled"
    user.decided_at = now
    user.decided_by_id = actor.id
    end_all_sessions(session, user)
    session.flush()
    audit.record(session, actor=actor, action="user.disable", now=now, target_type="user",
                 target_id=user.id, detail={"email": user.email, "before": before, "after": _state(user)})
    return user


def enable_user(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    """Let a disabled account log in again. A hospital admin needs an active hospital first."""
    require_role(actor, Role.SUPER_ADMIN)
    user = _managed_user(session, user_id)
    if user.status == "active":
        raise InvalidInput("user", f"{user.email} is already active: nothing changed.")
    if user.status != "disabled":
        raise InvalidInput(
            "user", f"{user.email} is {USER_STATUS_LABELS[user.status].lower()}: only disabled accounts "
                    "can be enabled (decide pending ones under Approvals)."
        )
    if user.role == Role.HOSPITAL_ADMIN:
        hospital = session.get(Hospital, user.hospital_id) if user.hospital_id else None
        if hospital is None or hospital.status != "active":
            raise InvalidInput(
                "hospital", f"{user.email} is a hospital admin without an active hospital: "
                            "choose a hospital for them (Change role) before enabling the account."
            )
    before = _state(user)
    user.status = "active"
    user.decided_at = now
    user.decided_by_id = actor.id
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    audit.record(session, actor=actor, action="user.enable", now=now, target_type="user",
                 target_id=user.id, detail={"email": user.email, "before": before, "after": _state(user)})
    return user


def change_role(session: Session, *, actor: User, user_id: int, role: str,
                hospital_id: int | None = None, now: datetime) -> User:
    """Give an account another role. A hospital admin is bound to an active hospital; every
    other role is bound to none. The session token is rotated so the change applies at once.
    Choosing Hospital admin again for a hospital admin, with another hospital, moves them
    there (see `bind_hospital`)."""
    require_role(actor, Role.SUPER_ADMIN)
    if role == Role.SUPER_ADMIN:
        raise NotAllowed("Super admins are created on the command line only "
                         "(flask --app app create-superuser), never in the console.")
    if role not in ASSIGNABLE_ROLES:
        raise InvalidInput("role", _choose(ASSIGNABLE_ROLES))
    admins = _lock_active_super_admins(session, actor)
    user = _managed_user(session, user_id)
    if user.id == actor.id:
        raise NotAllowed("You cannot change your own role: ask another super admin.")
    if user.status not in ("active", "disabled"):
        raise InvalidInput(
            "user", f"{user.email} is {USER_STATUS_LABELS[user.status].lower()}: decide the registration "
                    "under Approvals before changing its role."
        )
    if role == user.role == Role.HOSPITAL_ADMIN:
        return bind_hospital(session, actor=actor, user_id=user.id, hospital_id=hospital_id, now=now)
    if role == user.role:
        raise InvalidInput("role", f"{user.email} is already a {ROLE_LABELS[role].lower()}: nothing changed.")
    hospital = _active_hospital(session, hospital_id) if role == Role.HOSPITAL_ADMIN else None
    _refuse_last_super_admin(admins, user, "demoted")
    before = _state(user)
    user.role = role
    user.hospital_id = hospital.id if hospital is not None else None
    end_all_sessions(session, user)
    session.flush()
    audit.record(session, actor=actor, action="user.change_role", now=now, target_type="user",
                 target_id=user.id, detail={"email": user.email, "before": before, "after": _state(user)})
    return user


def bind_hospital(session: Session, *, actor: User, user_id: int, hospital_id: int,
                  now: datetime) -> User:
    """Move a hospital admin to another active hospital. Their open sessions end, so their
    screens never keep showing the old hospital."""
    require_role(actor, Role.SUPER_ADMIN)
    user = _managed_user(session, user_id)
    if user.role != Role.HOSPITAL_ADMIN:
        raise InvalidInput("user", f"{user.email} is not a hospital admin: only hospital admins are "
                                   "bound to a hospital (change their role instead).")
    if user.status not in ("active", "disabled"):
        raise InvalidInput(
            "user", f"{user.email} is {USER_STATUS_LABELS[user.status].lower()}: decide the registration "
                    "under Approvals first."
        )
    hospital = _active_hospital(session, hospital_id)
    if user.hospital_id == hospital.id:
        raise InvalidInput("hospital", f"{user.email} is already bound to {hospital.name}: nothing changed.")
    before = _state(user)
    user.hospital_id = hospital.id
    end_all_sessions(session, user)
    session.flush()
    audit.record(session, actor=actor, action="user.bind_hospital", now=now, target_type="user",
                 target_id=user.id, detail={"email": user.email, "before": before, "after": _state(user)})
    return user


def list_users(session: Session, *, actor: User, text: str = "", role: str = "",
               status: str = "") -> list[User]:
    """Accounts for the console's grid, newest first (at most 500), with their hospital loaded.
    `text` matches name, email or phone, in any case."""
    from db.parse import text as read_text  # here, to keep this edit to list_users (merge)

    require_role(actor, Role.SUPER_ADMIN)
    query = (select(User).options(selectinload(User.hospital))
             .order_by(User.created_at.desc(), User.id.desc()).limit(LIST_LIMIT))
    words = " ".join(read_text(text, "text", max_len=200, label="The search").split()).lower()
    role = read_text(role, "role", max_len=50, label="The role filter")
    status = read_text(status, "status", max_len=50, label="The status filter")
    if words:
        query = query.where(func.lower(User.email).contains(words, autoescape=True)
                            | func.lower(User.full_name).contains(words, autoescape=True)
                            | func.coalesce(User.phone, "").contains(words, autoescape=True))
    if role:
        query = query.where(User.role == role)
    if status:
        query = query.where(User.status == status)
    return list(session.execute(query).scalars())


def set_language(session: Session, *, actor: User, language: str, available: tuple[str, ...]) -> None:
    """Remember the person's language on their account (the switch on every page)."""
    if language not in available:
        raise InvalidInput("language", "That language is not available.")
    user = session.get(User, actor.id)
    if user is not None:
        user.language = language

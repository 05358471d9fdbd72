"""Crew links: a revocable link that signs a phone in as the crew of one ambulance.

A hospital admin issues a link per unit; the token is shown once and only its hash is stored.
All links of a unit act through the unit's one crew account (a `users` row of role `crew`, made
with the first link, no password that can ever match), so every status change and position names
the crew as actor. Every request made through a crew session re-checks its link
(`still_valid`), so a revoked link stops at its next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, bindparam, or_, select, update
from sqlalchemy.orm import Session

from db import audit
from db.errors import InvalidInput, NotAllowed, NotFound
from db.models import Ambulance, CrewLink, User
from db.permissions import require_role
from db.vocabulary import Role

ISSUERS = (Role.HOSPITAL_ADMIN,)
# Crew accounts' addresses: never a mailbox (.invalid), never able to log in with a password.
CREW_EMAIL_DOMAIN = "crew.healthfirst.invalid"
NO_PASSWORD = "!crew-link-only"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _own_unit(session: Session, actor: User, ambulance_id: int) -> Ambulance:
    require_role(actor, *ISSUERS)
    unit = session.get(Ambulance, ambulance_id)
    if unit is None:
        raise NotFound("No such ambulance.")
    if unit.hospital_id != actor.hospital_id:
        raise NotAllowed("That ambulance belongs to another hospital.")
    return unit


def crew_account(session: Session, unit: Ambulance, *, now: datetime) -> User:
    """The unit's crew account, made the first time it is needed."""
    email = f"unit-{unit.id}@{CREW_EMAIL_DOMAIN}"
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, password_hash=NO_PASSWORD, full_name=f"Crew of {unit.call_sign}", phone=None,
                    role=Role.CREW, status="active", hospital_id=unit.hospital_id,
                    session_token=secrets.token_hex(16), failed_login_count=0, created_at=now)
        session.add(user)
        session.flush()
    return user


def issue(session: Session, *, actor: User, ambulance_id: int, label: str = "", now: datetime) -> tuple[str, CrewLink]:
    unit = _own_unit(session, actor, ambulance_id)
    if unit.retired_at is not None:
        raise InvalidInput("ambulance", f"{unit.call_sign} is retired.")
    label = (label or "").strip() or f"{unit.call_sign} phone"
    if len(label) > 120:
        raise InvalidInput("label", "Keep the name under 120 characters.")
    crew = crew_account(session, unit, now=now)
    token = secrets.token_urlsafe(32)
    row = CrewLink(token_hash=token_hash(token), ambulance_id=unit.id, crew_user_id=crew.id, label=label,
                   issued_by_id=actor.id, issued_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="crew_link.issue", now=now, target_type="ambulance",
                 target_id=unit.id, detail={"link": row.id, "label": label})
    return token, row


def revoke(session: Session, *, actor: User, link_id: int, now: datetime) -> CrewLink:
    require_role(actor, *ISSUERS)
    row = session.get(CrewLink, link_id)
    if row is None:
        raise NotFound("No such crew link.")
    _own_unit(session, actor, row.ambulance_id)
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor=actor, action="crew_link.revoke", now=now, target_type="ambulance",
                     target_id=row.ambulance_id, detail={"link": row.id, "label": row.label})
    return row


def active(session: Session, *, actor: User) -> list[tuple[CrewLink, str]]:
    """The hospital's links in force, each with its unit's call sign, newest first."""
    require_role(actor, *ISSUERS)
    rows = session.execute(
        select(CrewLink, Ambulance.call_sign).join(Ambulance, Ambulance.id == CrewLink.ambulance_id)
        .where(Ambulance.hospital_id == actor.hospital_id, CrewLink.revoked_at.is_(None))
        .order_by(Ambulance.call_sign, CrewLink.issued_at.desc())
    ).all()
    return [(link, call_sign) for link, call_sign in rows]


def check(session: Session, token: str, *, now: datetime | None = None) -> CrewLink | None:
    """The link row for a token still in force (its unit not retired, its crew account active)."""
    if not token or len(token) > 100:
        return None
    row = session.execute(select(CrewLink).where(CrewLink.token_hash == token_hash(token))).scalar_one_or_none()
    if row is None or still_valid(session, row.id, row.token_hash[:16]) is None:
        return None
    if now is not None:
        row.last_seen_at = now
    return row


def still_valid(session: Session, link_id: int, token_hash_prefix: str) -> tuple[CrewLink, User] | None:
    """A crew session's link and crew account, if the link is still in force (one query: every
    request of a crew's phone asks)."""
    found = session.execute(select(CrewLink, User).join(User, User.id == CrewLink.crew_user_id)
                            .where(CrewLink.id == link_id)).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or not secrets.compare_digest(row.token_hash[:16], token_hash_prefix):
        return None
    if user.status != "active":
        return None
    return row, user


_LINKS, _USERS = CrewLink.__table__, User.__table__
_LINK_AND_ACCOUNT = (select(*_LINKS.columns, *[c.label(f"user_{c.name}") for c in _USERS.columns])
                     .select_from(_LINKS.join(_USERS, _USERS.c.id == _LINKS.c.crew_user_id))
                     .where(_LINKS.c.id == bindparam("link_id")))


def still_valid_row(connection: Connection, link_id: int, token_hash_prefix: str) -> tuple[Row, dict] | None:
    """`still_valid`'s rule on one Core statement, no ORM session (a crew's phone posts its position
    every few seconds): the link's row and the crew account's columns, if the link is in force."""
    found = connection.execute(_LINK_AND_ACCOUNT, {"link_id": link_id}).first()
    if found is None:
        return None
    user = {c.name: found._mapping[f"user_{c.name}"] for c in _USERS.columns}
    if found.revoked_at is not None or not secrets.compare_digest(found.token_hash[:16], token_hash_prefix):
        return None
    if user["status"] != "active":
        return None
    return found, user


def unit_of(session: Session, actor: User | None) -> Ambulance:
    """The one ambulance a crew account acts for; anyone else is refused."""
    require_role(actor, Role.CREW)
    unit_id = session.execute(select(CrewLink.ambulance_id).where(CrewLink.crew_user_id == actor.id)
                              .limit(1)).scalar_one_or_none()
    unit = session.get(Ambulance, unit_id) if unit_id is not None else None
    if unit is None or unit.retired_at is not None:
        raise NotAllowed("This crew link no longer belongs to a unit in service.")
    return unit


TOUCH_EVERY = timedelta(minutes=1)


def touch(session: Session, link_id: int | None, *, now: datetime, last_seen_at: datetime | None = None) -> None:
    """Note a link's use (at most once a minute: its list shows "last used"). `last_seen_at`, when
    the caller knows it, saves the statement while it is recent."""
    if link_id is None or (last_seen_at is not None and now - last_seen_at < TOUCH_EVERY):
        return
    session.execute(update(CrewLink).where(CrewLink.id == link_id, or_(
        CrewLink.last_seen_at.is_(None), CrewLink.last_seen_at < now - TOUCH_EVERY)).values(last_seen_at=now))

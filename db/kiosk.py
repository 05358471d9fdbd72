"""Kiosk links for wall displays: a signed, revocable link that opens the display read-only.

Only a hash of the token is stored; the link itself is shown once, to the officer who issues it.
Every request made through a kiosk session re-checks the token, so revoking takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.errors import InvalidInput, NotFound
from db.models import KioskToken, User
from db.parse import record_id, text
from db.permissions import require_role
from db.vocabulary import Role

ISSUERS = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, *, actor: User, label: str, now: datetime) -> tuple[str, KioskToken]:
    require_role(actor, *ISSUERS)
    label = text(label, "label", max_len=1000, label="The name").strip()
    if not label:
        raise InvalidInput("label", "Name the screen (for example “Control room, wall 1”).")
    if len(label) > 120:
        raise InvalidInput("label", "Keep the name under 120 characters.")
    token = secrets.token_urlsafe(32)
    row = KioskToken(token_hash=_hash(token), label=label, issued_by_id=actor.id, issued_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="kiosk.issue", now=now, target_type="kiosk", target_id=row.id,
                 detail={"label": label})
    return token, row


def revoke(session: Session, *, actor: User, kiosk_id: int, now: datetime) -> KioskToken:
    require_role(actor, *ISSUERS)
    row = session.get(KioskToken, record_id(kiosk_id))  # 0 (not a row's id) finds none
    if row is None:
        raise NotFound("No such kiosk link.")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor=actor, action="kiosk.revoke", now=now, target_type="kiosk",
                     target_id=row.id, detail={"label": row.label})
    return row


def active(session: Session, *, actor: User) -> list[KioskToken]:
    require_role(actor, *ISSUERS)
    return list(session.execute(select(KioskToken).where(KioskToken.revoked_at.is_(None))
                                .order_by(KioskToken.issued_at.desc())).scalars())


def check(session: Session, token: str, *, now: datetime | None = None) -> KioskToken | None:
    """The kiosk row for a token still in force, or None."""
    if not token or len(token) > 100:
        return None
    row = session.execute(select(KioskToken).where(KioskToken.token_hash == _hash(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if now is not None:
        row.last_seen_at = now
    return row


def still_valid(session: Session, kiosk_id: int, token_hash_prefix: str) -> KioskToken | None:
    row = session.get(KioskToken, kiosk_id)
    if row is None or row.revoked_at is not None or not secrets.compare_digest(row.token_hash[:16], token_hash_prefix):
        return None
    return row

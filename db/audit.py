"""The audit log: append-only, hash-chained.

Each entry's hash covers its own fields and the previous entry's hash, so an edit or a deletion
anywhere breaks the chain from that point on, and `verify_chain` names the first broken entry.
Appends are serialised through the single `audit_head` row (an UPDATE takes its lock on
PostgreSQL and the write lock on SQLite), so two writers can never chain onto the same entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from db.models import AuditEntry, AuditHead, User
from db.parse import text
from db.permissions import require_role
from db.vocabulary import Role

GENESIS_HASH = "0" * 64


def _entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.id,
            entry.at.isoformat(),
            entry.actor_id,
            entry.actor_label,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.outcome,
            entry.detail,
            prev_hash,
        ],
        separators=(",", ":"),
        sort_keys=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_head(session: Session) -> AuditHead:
    """Lock the chain's head once per transaction (the no-op UPDATE takes its row lock); later
    entries in the same transaction reuse it."""
    head = session.info.get("audit_head")
    if head is not None and head in session:
        return head
    changed = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(last_entry_id=AuditHead.last_entry_id)
    ).rowcount
    if changed == 0:
        session.add(AuditHead(id=1, last_entry_id=0, last_hash=GENESIS_HASH))
        session.flush()
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one()
    session.info["audit_head"] = head
    return head


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction):
    if transaction.parent is None:  # the outermost transaction: its lock is gone
        session.info.pop("audit_head", None)


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    now: datetime,
    target_type: str = "",
    target_id: object = "",
    outcome: str = "ok",
    detail: str | dict = "",
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change)."""
    head = _lock_head(session)
    if isinstance(detail, dict):
        detail = json.dumps(detail, sort_keys=True, default=str)
    entry = AuditEntry(
        # Hash the time exactly as a later read will return it: aware UTC.
        at=now.astimezone(UTC),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        outcome=outcome,
        detail=detail,
        prev_hash=head.last_hash,
        entry_hash="",
    )
    # Ids come from the head, not a sequence: only this function appends, always under the head's
    # lock, so the next id is known without a round trip, and inserts batch at the next flush.
    entry.id = head.last_entry_id + 1
    session.add(entry)
    entry.entry_hash = _entry_hash(head.last_hash, entry)
    head.last_entry_id = entry.id
    head.last_hash = entry.entry_hash
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the log in id order and recompute every hash."""
    prev_hash = GENESIS_HASH
    prev_id = 0
    checked = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        checked += 1
        if entry.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                entry.id,
                f"entry {entry.id} does not follow entry {prev_id}: "
                "an entry before it was edited or removed",
            )
        if _entry_hash(prev_hash, entry) != entry.entry_hash:
            return ChainReport(False, checked, entry.id, f"entry {entry.id} was edited")
        prev_hash = entry.entry_hash
        prev_id = entry.id
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_entry_id != prev_id or head.last_hash != prev_hash):
        return ChainReport(
            False,
            checked,
            head.last_entry_id,
            f"the newest entries after {prev_id} were removed (head names {head.last_entry_id})",
        )
    return ChainReport(True, checked)


def check_chain(session: Session, *, actor: User, now: datetime) -> ChainReport:
    """`verify_chain` on a super admin's request (the console's "Check the chain")."""
    require_role(actor, Role.SUPER_ADMIN)
    return verify_chain(session)


def browse(session: Session, *, actor: User, action: str = "", outcome: str = "", actor_text: str = "",
           limit: int = 500) -> list[AuditEntry]:
    """Newest first, filtered; for super admins."""
    require_role(actor, Role.SUPER_ADMIN)
    action = text(action, "action", max_len=200, label="The action filter").strip()
    outcome = text(outcome, "outcome", max_len=50, label="The outcome filter")
    actor_text = text(actor_text, "actor", max_len=200, label="The person filter").strip()
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action.contains(action))
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    if actor_text:
        query = query.where(AuditEntry.actor_label.contains(actor_text.lower()))
    return list(session.execute(query).scalars())

"""An SOS's state changes at their lowest level: a compare-and-set on its status and the event
log the timeline is built from. db/sos.py, db/dispatch.py and db/matching.py build on these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import Sos, SosEvent, User


def record_event(
    session: Session,
    sos: Sos | int,
    *,
    kind: str,
    now: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    actor: User | None = None,
    hospital_id: int | None = None,
    ambulance_id: int | None = None,
    detail: str = "",
) -> SosEvent:
    event = SosEvent(
        sos_id=sos if isinstance(sos, int) else sos.id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        at=now,
        actor_id=actor.id if actor else None,
        hospital_id=hospital_id,
        ambulance_id=ambulance_id,
        detail=detail[:300],
    )
    session.add(event)
    return event


def compare_and_set(session: Session, sos_id: int, from_statuses: tuple[str, ...], to_status: str,
                    now: datetime, **values) -> bool:
    """Move an SOS to `to_status` only if it is still in one of `from_statuses`."""
    changed = session.execute(
        update(Sos)
        .where(Sos.id == sos_id, Sos.status.in_(from_statuses))
        .values(status=to_status, updated_at=now, **values)
    ).rowcount
    return changed == 1

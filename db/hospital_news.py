"""What a hospital's dispatcher must notice without looking at the queue: how many SOS wait for
the hospital (the navbar badge, the tab title, the sound), and which SOS left its screens lately
and why ("SOS-00012 was cancelled by the caller", "SOS-00014 was taken by Koramangala General
Hospital"), so a card never vanishes silently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from db.models import Hospital, Sos, SosEvent, SosOffer, User
from db.permissions import require_role
from db.vocabulary import Role, sos_number

# How long a "was cancelled / was taken" line stays in place of the card.
DEPARTURE_SHOWN_FOR = timedelta(minutes=10)
_WAITING_STATUSES = ("pending", "unanswered")


def _hospital_of(actor: User) -> int | None:
    require_role(actor, Role.HOSPITAL_ADMIN)
    return actor.hospital_id


def waiting_count(session: Session, *, actor: User) -> int:
    """SOS offered to the actor's hospital and waiting for its answer."""
    hospital_id = _hospital_of(actor)
    if hospital_id is None:
        return 0
    return session.execute(
        select(func.count()).select_from(SosOffer).join(Sos, Sos.id == SosOffer.sos_id)
        .where(SosOffer.hospital_id == hospital_id, SosOffer.status == "offered",
               Sos.status.in_(_WAITING_STATUSES))
    ).scalar_one()


@dataclass(frozen=True)
class Departure:
    sos_id: int
    at: datetime
    text: str


def departures(session: Session, *, actor: User, now: datetime,
               within: timedelta = DEPARTURE_SHOWN_FOR) -> list[Departure]:
    """SOS that left this hospital's queue or its accepted list in the last `within`, newest
    first, each with why: cancelled by the caller, closed by a health officer, or taken by
    another hospital."""
    hospital_id = _hospital_of(actor)
    if hospital_id is None:
        return []
    since = now - within
    rows = session.execute(
        select(Sos.id, Sos.status, Sos.hospital_id, Sos.closed_at, SosOffer.responded_at, Hospital.name)
        .join(SosOffer, SosOffer.sos_id == Sos.id)
        .outerjoin(Hospital, Hospital.id == Sos.hospital_id)
        .where(SosOffer.hospital_id == hospital_id, or_(
            # Waiting here, then withdrawn: cancelled, closed, or another hospital took it.
            and_(SosOffer.status == "withdrawn", SosOffer.responded_at >= since),
            # Ours, then cancelled by the caller.
            and_(SosOffer.status == "accepted", Sos.status == "cancelled", Sos.closed_at >= since),
        ))
    ).all()
    if not rows:
        return []
    closing = dict(session.execute(
        select(SosEvent.sos_id, SosEvent.detail).where(
            SosEvent.sos_id.in_([r[0] for r in rows]), SosEvent.kind == "closed")
    ).all())
    result = []
    for sos_id, status, taken_by_id, closed_at, responded_at, taken_by in rows:
        number = sos_number(sos_id)
        if status == "cancelled" and sos_id in closing:
            text = f"{number} was {closing[sos_id][0].lower()}{closing[sos_id][1:]}"
        elif status == "cancelled":
            text = f"{number} was cancelled by the caller"
        elif taken_by_id is not None and taken_by_id != hospital_id:
            text = f"{number} was taken by {taken_by}"
        else:
            continue  # withdrawn for another reason, e.g. an officer re-offer elsewhere
        result.append(Departure(sos_id, closed_at or responded_at, text))
    result.sort(key=lambda d: d.at, reverse=True)
    return result

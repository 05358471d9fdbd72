"""The health officer's desk for SOS nobody answered in time (`/officer/attention`): offer it to a
hospital by hand, widen the search now, note what was done, say the caller is being called, or
close it with a reason; and who may read a caller's contact.

Every action is done as the officer, writes an SOS event (the citizen's timeline says it in plain
words) and an audit entry. Two officers acting at once never offer twice nor close twice: each
action is a conditional UPDATE (or an insert under the unique (sos, hospital) key) that only one of
them can win; the other is told what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import audit
from db.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from db.geo import haversine_km
from db.matching import DEFAULT_ESCALATE_AFTER, DEFAULT_PER_RING, DEFAULT_RINGS_KM, capable_hospitals, offer_next_ring
from db.models import Hospital, Sos, SosEvent, SosOffer, User
from db.parse import choice
from db.permissions import require_role
from db.sos import needing_attention
from db.sos_state import compare_and_set, record_event
from db.vocabulary import PRIORITY_LABELS, SOS_STATUS_LABELS, Role, sos_number

OFFICER_ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
# An officer acts on an SOS no hospital has taken yet.
OPEN_TO_OFFERS = ("pending", "unanswered")
CLOSE_REASONS = {
    "no_longer_needed": N_("no longer needed"),
    "duplicate": N_("a duplicate of another SOS"),
    "handled_outside": N_("handled outside HealthFirst"),
}
NOTE_MAX = 300
# "Any distance": the officer's hospital list is nearest first, as far as it takes.
ANY_DISTANCE_KM = 20_000.0


def _open_sos(session: Session, sos_id: int) -> Sos:
    sos = session.get(Sos, sos_id)
    if sos is None:
        raise NotFound("That SOS does not exist.")
    session.refresh(sos)
    if sos.status not in OPEN_TO_OFFERS:
        if sos.hospital_id is not None:
            taken_by = session.get(Hospital, sos.hospital_id)
            raise Conflict(f"{sos_number(sos.id)} was already taken by {taken_by.name}.")
        raise Conflict(f"{sos_number(sos.id)} is no longer open: {SOS_STATUS_LABELS[sos.status].lower()}.")
    return sos


@dataclass(frozen=True)
class HospitalChoice:
    """A hospital the officer may offer the SOS to, nearest first."""

    hospital_id: int
    name: str
    distance_km: float
    offer_status: str | None  # this SOS's offer to it so far: None, offered, declined, expired …


def hospitals_to_offer(session: Session, *, actor: User, sos_id: int, limit: int = 12) -> list[HospitalChoice]:
    """The nearest capable hospitals at any distance, with what each was already asked."""
    require_role(actor, *OFFICER_ROLES)
    sos = session.get(Sos, sos_id)
    if sos is None:
        raise NotFound("That SOS does not exist.")
    offers = dict(session.execute(
        select(SosOffer.hospital_id, SosOffer.status).where(SosOffer.sos_id == sos_id)).all())
    found = capable_hospitals(session, latitude=sos.latitude, longitude=sos.longitude,
                              radius_km=ANY_DISTANCE_KM, limit=limit + len(offers))
    # Those not yet asked first (nearest first), then those asked before.
    choices = [HospitalChoice(c.hospital_id, c.name, c.distance_km, offers.get(c.hospital_id)) for c in found]
    choices.sort(key=lambda c: (c.offer_status == "offered", c.offer_status is not None, c.distance_km))
    return choices[:limit]


def offer_to_hospital(session: Session, *, actor: User, sos_id: int, hospital_id: int, now: datetime) -> SosOffer:
    """Put the SOS in one hospital's queue at once, marked "requested by the health officer"; a
    hospital that declined or let it expire is asked again."""
    require_role(actor, *OFFICER_ROLES)
    sos = _open_sos(session, sos_id)
    hospital = session.get(Hospital, hospital_id)
    if hospital is None or hospital.status != "active":
        raise InvalidInput("hospital", "Choose an active hospital from the list.")
    if hospital.ems_status == "closed":  # on diversion: matching skips it, and so must an officer
        raise InvalidInput("hospital", f"{hospital.name} is on diversion (closed to ambulances): choose another "
                                       "hospital from the list.")
    distance = round(haversine_km(sos.latitude, sos.longitude, hospital.latitude, hospital.longitude), 3)
    existing = session.execute(
        select(SosOffer).where(SosOffer.sos_id == sos_id, SosOffer.hospital_id == hospital_id)
    ).scalar_one_or_none()
    if existing is None:
        try:
            with session.begin_nested():
                session.execute(insert(SosOffer).values(
                    sos_id=sos_id, hospital_id=hospital_id, ring=sos.ring, distance_km=distance,
                    status="offered", offered_at=now, requested_by_id=actor.id))
        except IntegrityError:
            raise Conflict(f"{hospital.name} was offered {sos_number(sos_id)} a moment ago by someone else.") from None
    else:
        asked_again = session.execute(
            update(SosOffer)
            .where(SosOffer.id == existing.id, SosOffer.status.in_(("declined", "expired", "withdrawn")))
            .values(status="offered", offered_at=now, responded_at=None, requested_by_id=actor.id)
        ).rowcount
        if not asked_again:
            raise Conflict(f"{hospital.name} already has {sos_number(sos_id)} in its queue.")
    record_event(session, sos_id, kind="officer_offered", now=now, actor=actor, hospital_id=hospital_id,
                 detail=f"A health officer asked {hospital.name} ({distance:.0f} km away) to take it")
    audit.record(session, actor=actor, action="sos.officer_offer", now=now, target_type="sos",
                 target_id=sos_id, detail={"hospital_id": hospital_id, "distance_km": distance})
    return session.execute(
        select(SosOffer).where(SosOffer.sos_id == sos_id, SosOffer.hospital_id == hospital_id)
    ).scalar_one()


def widen_search(session: Session, *, actor: User, sos_id: int, seen_ring: int, now: datetime,
                 rings: tuple[float, ...] = DEFAULT_RINGS_KM, per_ring: int = DEFAULT_PER_RING,
                 escalate_after: timedelta = DEFAULT_ESCALATE_AFTER) -> int:
    """Offer the next ring now; past the last ring, the next `per_ring` nearest capable hospitals
    at any distance. `seen_ring` is the ring the officer's screen showed: if the search moved on
    meanwhile (another officer, or the matching job), nothing is offered twice."""
    require_role(actor, *OFFICER_ROLES)
    _open_sos(session, sos_id)
    # Takes the SOS's row: a second officer waits here, then finds the ring moved and stops.
    held = session.execute(
        update(Sos).where(Sos.id == sos_id, Sos.ring == seen_ring, Sos.status.in_(OPEN_TO_OFFERS))
        .values(updated_at=now)
    ).rowcount
    if not held:
        raise Conflict("The search was widened a moment ago; look at the new offers first.")
    sos = session.get(Sos, sos_id)
    session.refresh(sos)
    offered, reach = 0, ""
    if sos.ring < len(rings):
        offered = offer_next_ring(session, sos, now=now, rings=rings, per_ring=per_ring,
                                  escalate_after=escalate_after)
        reach = f"up to {rings[sos.ring - 1]:g} km"
    if not offered:  # every ring is used up: the nearest not yet asked, however far
        offered, reach = _offer_beyond_rings(session, sos, now=now, per_ring=per_ring)
    if not offered:
        raise Conflict("There is no other capable hospital left to ask: offer one by hand, or close the SOS.")
    record_event(session, sos_id, kind="widened", now=now, actor=actor,
                 detail=f"A health officer widened the search: asked {offered} more "
                        f"hospital{'s' if offered != 1 else ''} {reach}")
    audit.record(session, actor=actor, action="sos.widen", now=now, target_type="sos", target_id=sos_id,
                 detail={"offered": offered, "ring": sos.ring})
    return offered


def _offer_beyond_rings(session: Session, sos: Sos, *, now: datetime, per_ring: int) -> tuple[int, str]:
    already = set(session.execute(select(SosOffer.hospital_id).where(SosOffer.sos_id == sos.id)).scalars())
    found = capable_hospitals(session, latitude=sos.latitude, longitude=sos.longitude,
                              radius_km=ANY_DISTANCE_KM, exclude=already, limit=per_ring)
    if not found:
        return 0, ""
    session.execute(insert(SosOffer), [
        {"sos_id": sos.id, "hospital_id": c.hospital_id, "ring": sos.ring, "distance_km": round(c.distance_km, 3),
         "status": "offered", "offered_at": now} for c in found])
    sos.ring += 1
    return len(found), f"up to {max(c.distance_km for c in found):.0f} km"


def add_note(session: Session, *, actor: User, sos_id: int, text: str, now: datetime) -> None:
    """What the officer did or learned ("called the caller, going by own car"), on the timeline."""
    require_role(actor, *OFFICER_ROLES)
    if session.get(Sos, sos_id) is None:
        raise NotFound("That SOS does not exist.")
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput("note", "Write the note first.")
    if len(text) > NOTE_MAX:
        raise InvalidInput("note", f"Keep the note under {NOTE_MAX} characters.")
    record_event(session, sos_id, kind="officer_note", now=now, actor=actor, detail=text)
    audit.record(session, actor=actor, action="sos.note", now=now, target_type="sos", target_id=sos_id)


def mark_calling(session: Session, *, actor: User, sos_id: int, now: datetime) -> None:
    """The officer is calling the caller now: their tracking page says so."""
    require_role(actor, *OFFICER_ROLES)
    _open_sos(session, sos_id)
    record_event(session, sos_id, kind="officer_calling", now=now, actor=actor,
                 detail=N_("A health officer is calling you"))
    audit.record(session, actor=actor, action="sos.calling", now=now, target_type="sos", target_id=sos_id)


def close_sos(session: Session, *, actor: User, sos_id: int, reason: str, now: datetime) -> Sos:
    """Close an SOS no hospital took, with one of CLOSE_REASONS; its waiting offers are withdrawn."""
    require_role(actor, *OFFICER_ROLES)
    reason = choice(reason, "reason", CLOSE_REASONS, "Choose why the SOS is closed.")
    sos = _open_sos(session, sos_id)
    before = sos.status
    if not compare_and_set(session, sos_id, OPEN_TO_OFFERS, "cancelled", now, closed_at=now,
                           next_escalation_at=None):
        _open_sos(session, sos_id)  # says who or what got there first
        raise Conflict(f"{sos_number(sos_id)} changed a moment ago; look again.")
    session.execute(
        update(SosOffer).where(SosOffer.sos_id == sos_id, SosOffer.status == "offered")
        .values(status="withdrawn", responded_at=now))
    record_event(session, sos_id, kind="closed", from_status=before, to_status="cancelled", now=now,
                 actor=actor, detail=f"Closed by a health officer: {CLOSE_REASONS[reason]}")
    audit.record(session, actor=actor, action="sos.close", now=now, target_type="sos", target_id=sos_id,
                 detail={"reason": reason})
    session.refresh(sos)
    return sos


# ---- the caller's contact --------------------------------------------------------------------


@dataclass(frozen=True)
class CallerContact:
    """What a hospital or officer may know of the caller: the first name and a call-back number
    for a hospital the SOS is offered to; the full name too for the hospital that took it and for
    health officers; the registered address (if any) for the hospital that took it only."""

    name: str
    phone: str | None
    full: bool
    address: str | None = None


def _first_name(full_name: str) -> str:
    return (full_name or "").split(" ", 1)[0] or "Caller"


def caller_contacts(session: Session, *, actor: User, sos_ids: list[int], now: datetime) -> dict[int, CallerContact]:
    """The callers of `sos_ids` the actor may see (others are left out), with one audit entry
    naming every SOS whose contact was read. Reading is audited because a phone number is
    personal data shown only for the emergency."""
    if not sos_ids:
        return {}
    rows = session.execute(
        select(Sos.id, Sos.hospital_id, Sos.callback_phone, User.full_name, User.phone, User.address)
        .join(User, User.id == Sos.citizen_id).where(Sos.id.in_(set(sos_ids)))
    ).all()
    if actor.role in OFFICER_ROLES:
        offered_to_me: set[int] = set()
    elif actor.role == Role.HOSPITAL_ADMIN and actor.hospital_id is not None:
        offered_to_me = set(session.execute(
            select(SosOffer.sos_id).where(SosOffer.sos_id.in_(set(sos_ids)),
                                          SosOffer.hospital_id == actor.hospital_id,
                                          SosOffer.status.in_(("offered", "accepted")))
        ).scalars())
    else:
        raise NotAllowed("Only the hospitals an SOS is offered to and health officers see the caller.")
    shown: dict[int, CallerContact] = {}
    for sos_id, hospital_id, callback_phone, full_name, phone, address in rows:
        number = phone or callback_phone
        if actor.role in OFFICER_ROLES:
            shown[sos_id] = CallerContact(full_name, number, True)
        elif hospital_id is not None and hospital_id == actor.hospital_id:
            # The accepting hospital: the ambulance may need the registered address.
            shown[sos_id] = CallerContact(full_name, number, True, address or None)
        elif sos_id in offered_to_me:
            shown[sos_id] = CallerContact(_first_name(full_name), number, False)
    if shown:
        detail = {"sos": sorted(shown)}
        addresses = sorted(sos_id for sos_id, contact in shown.items() if contact.address)
        if addresses:
            detail["address"] = addresses  # whose registered address was read, too
        audit.record(session, actor=actor, action="sos.contact_read", now=now, target_type="sos",
                     target_id=str(next(iter(shown))) if len(shown) == 1 else f"{len(shown)} SOS",
                     detail=detail)
    return shown


# ---- the desk's view -------------------------------------------------------------------------

OFFICER_EVENT_KINDS = ("officer_offered", "widened", "officer_note", "officer_calling", "declined")


@dataclass(frozen=True)
class DeskLine:
    at: datetime
    text: str


@dataclass(frozen=True)
class DeskItem:
    """One SOS on the desk: what needing_attention gives, plus what officers and hospitals did."""

    sos: Sos
    waiting: timedelta
    offers: list  # db.sos.OfferLine, ring then distance
    actions: list[DeskLine]

    @property
    def version(self) -> str:
        offers = ",".join(f"{o.hospital}:{o.status}" for o in self.offers)
        return f"{self.sos.id}|{self.sos.status}|{self.sos.ring}|{offers}|{len(self.actions)}"


def desk(session: Session, *, actor: User, now: datetime, late_after: timedelta) -> list[DeskItem]:
    """The SOS needing an officer, most urgent then oldest first, each with its officers' actions."""
    items = needing_attention(session, actor=actor, now=now, late_after=late_after)
    if not items:
        return []
    events = session.execute(
        select(SosEvent.sos_id, SosEvent.at, SosEvent.detail, SosEvent.kind, Hospital.name)
        .outerjoin(Hospital, Hospital.id == SosEvent.hospital_id)
        .where(SosEvent.sos_id.in_([i.sos.id for i in items]), SosEvent.kind.in_(OFFICER_EVENT_KINDS))
        .order_by(SosEvent.at, SosEvent.id)
    ).all()
    lines: dict[int, list[DeskLine]] = {}
    for sos_id, at, detail, kind, hospital in events:
        text = f"{hospital or 'A hospital'} declined" if kind == "declined" else detail
        lines.setdefault(sos_id, []).append(DeskLine(at, text))
    rank = {p: i for i, p in enumerate(PRIORITY_LABELS)}
    result = [DeskItem(i.sos, i.waiting, i.offers, lines.get(i.sos.id, [])) for i in items]
    result.sort(key=lambda d: (rank.get(d.sos.priority, 9), d.sos.created_at))
    return result

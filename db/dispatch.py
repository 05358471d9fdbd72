"""Ambulances (units): register, edit, retire, assign to an accepted SOS, and step through the
status cycle of NEMSIS (available → dispatched → en route → on scene → transporting → at
hospital → available; plus out of service). The SOS follows its unit's status.

Assignment is two compare-and-set updates in one transaction (the unit must still be available,
the SOS must still be accepted without a unit), so two dispatchers can never send one unit to two
emergencies or two units to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.crew import unit_of
from db.errors import Conflict, InvalidInput, NotAllowed, NotFound
from db.models import UNIT_LEVELS, Ambulance, AmbulanceEvent, Sos, User
from db.parse import text
from db.permissions import require_role
from db.sos_state import compare_and_set, record_event
from db.vocabulary import SOS_STATUS_LABELS, UNIT_STATUS_LABELS, Role

# Where a dispatcher may move a unit by hand. Available → dispatched happens only by assigning it,
# and at hospital → available only by resolving the SOS at handover.
NEXT_STATUS = {
    "dispatched": ("en_route",),
    "en_route": ("on_scene",),
    "on_scene": ("transporting",),
    "transporting": ("at_hospital",),
    "available": ("out_of_service",),
    "out_of_service": ("available",),
}
# The SOS statuses that mirror a unit's status while it serves that SOS.
UNIT_TO_SOS_STATUS = {s: s for s in ("dispatched", "en_route", "on_scene", "transporting", "at_hospital")}
RESOLVABLE_SOS_STATUSES = ("on_scene", "transporting", "at_hospital")


def _hospital_of(actor: User) -> int:
    require_role(actor, Role.HOSPITAL_ADMIN)
    if actor.hospital_id is None:
        raise NotAllowed("Your account is not bound to a hospital.")
    return actor.hospital_id


def _own_unit(session: Session, actor: User, unit_id: int) -> Ambulance:
    hospital_id = _hospital_of(actor)
    unit = session.execute(
        select(Ambulance).where(Ambulance.id == unit_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if unit is None:
        raise NotFound("No such ambulance.")
    if unit.hospital_id != hospital_id:
        raise NotAllowed("That ambulance belongs to another hospital.")
    return unit


def _log(session: Session, unit: Ambulance, *, from_status: str | None, to_status: str,
         now: datetime, actor: User | None, sos_id: int | None) -> None:
    session.add(AmbulanceEvent(ambulance_id=unit.id, sos_id=sos_id, from_status=from_status,
                               to_status=to_status, at=now,
                               actor_id=actor.id if actor else None))


def _clean_unit_fields(call_sign: str, registration_plate: str, level: str, crew_contact: str):
    call_sign = text(call_sign, "call_sign", max_len=1000, label="The call sign").strip().upper()
    if not call_sign:
        raise InvalidInput("call_sign", "Give the unit a call sign (for example AMB-3).")
    if len(call_sign) > 32:
        raise InvalidInput("call_sign", "Call signs are at most 32 characters.")
    if level not in UNIT_LEVELS:
        raise InvalidInput("level", "Choose the level: BLS, ALS or critical care.")
    plate = text(registration_plate, "registration_plate", max_len=1000, label="The plate").strip().upper()
    if len(plate) > 32:
        raise InvalidInput("registration_plate", "Registration plates are at most 32 characters.")
    crew = text(crew_contact, "crew_contact", max_len=1000, label="The crew contact").strip()
    if len(crew) > 120:
        raise InvalidInput("crew_contact", "Keep the crew contact under 120 characters.")
    return call_sign, plate, level, crew


def list_units(session: Session, *, actor: User, include_retired: bool = False) -> list[Ambulance]:
    hospital_id = _hospital_of(actor)
    query = select(Ambulance).where(Ambulance.hospital_id == hospital_id)
    if not include_retired:
        query = query.where(Ambulance.retired_at.is_(None))
    return list(session.execute(query.order_by(Ambulance.call_sign)).scalars())


def register_unit(session: Session, *, actor: User, call_sign: str, registration_plate: str = "",
                  level: str = "BLS", crew_contact: str = "", now: datetime) -> Ambulance:
    hospital_id = _hospital_of(actor)
    call_sign, plate, level, crew = _clean_unit_fields(call_sign, registration_plate, level, crew_contact)
    unit = Ambulance(hospital_id=hospital_id, call_sign=call_sign, registration_plate=plate,
                     level=level, crew_contact=crew, status="available", status_since=now,
                     created_at=now)
    try:
        with session.begin_nested():
            session.add(unit)
            session.flush()
    except IntegrityError:
        raise InvalidInput("call_sign", f"Your hospital already has a unit called {call_sign}.") from None
    _log(session, unit, from_status=None, to_status="available", now=now, actor=actor, sos_id=None)
    return unit


def edit_unit(session: Session, *, actor: User, unit_id: int, call_sign: str,
              registration_plate: str, level: str, crew_contact: str) -> Ambulance:
    unit = _own_unit(session, actor, unit_id)
    if unit.retired_at is not None:
        raise Conflict("That unit is retired.")
    call_sign, plate, level, crew = _clean_unit_fields(call_sign, registration_plate, level, crew_contact)
    try:
        with session.begin_nested():
            unit.call_sign, unit.registration_plate, unit.level, unit.crew_contact = call_sign, plate, level, crew
            session.flush()
    except IntegrityError:
        raise InvalidInput("call_sign", f"Your hospital already has a unit called {call_sign}.") from None
    return unit


def retire_unit(session: Session, *, actor: User, unit_id: int, now: datetime) -> Ambulance:
    unit = _own_unit(session, actor, unit_id)
    if unit.retired_at is not None:
        return unit
    if unit.status not in ("available", "out_of_service"):
        raise Conflict(f"{unit.call_sign} is on an emergency: retire it once it is available again.")
    before = unit.status
    changed = session.execute(
        update(Ambulance)
        .where(Ambulance.id == unit.id, Ambulance.status.in_(("available", "out_of_service")))
        .values(status="out_of_service", retired_at=now, status_since=now)
    ).rowcount
    if changed != 1:
        raise Conflict(f"{unit.call_sign} was just sent to an emergency: it cannot be retired now.")
    _log(session, unit, from_status=before, to_status="out_of_service", now=now, actor=actor, sos_id=None)
    session.refresh(unit)
    return unit


def assign_unit(session: Session, *, actor: User, sos_id: int, unit_id: int, now: datetime) -> Sos:
    hospital_id = _hospital_of(actor)
    sos = session.get(Sos, sos_id)
    if sos is None or sos.hospital_id != hospital_id:
        raise NotAllowed("Your hospital has not accepted that SOS.")
    unit = _own_unit(session, actor, unit_id)
    if unit.retired_at is not None:
        raise Conflict(f"{unit.call_sign} is retired.")
    if unit.status != "available":
        raise Conflict(f"{unit.call_sign} is not available: it is {UNIT_STATUS_LABELS[unit.status].lower()}.")
    # Both updates or neither: the savepoint undoes the unit's if the SOS was taken meanwhile.
    with session.begin_nested():
        took_unit = session.execute(
            update(Ambulance)
            .where(Ambulance.id == unit.id, Ambulance.status == "available",
                   Ambulance.retired_at.is_(None), Ambulance.hospital_id == hospital_id)
            .values(status="dispatched", current_sos_id=sos_id, status_since=now)
        ).rowcount == 1
        if not took_unit:
            raise Conflict(f"{unit.call_sign} was just given another job. Choose another unit.")
        if not compare_and_set(session, sos_id, ("accepted",), "dispatched", now, ambulance_id=unit.id):
            current = session.execute(select(Sos.status).where(Sos.id == sos_id)).scalar_one()
            raise Conflict(f"This SOS already has an ambulance or is closed: "
                           f"{SOS_STATUS_LABELS[current].lower()}.")
    _log(session, unit, from_status="available", to_status="dispatched", now=now, actor=actor, sos_id=sos_id)
    record_event(session, sos_id, kind="dispatched", from_status="accepted", to_status="dispatched",
                 now=now, actor=actor, hospital_id=hospital_id, ambulance_id=unit.id)
    return session.execute(select(Sos).where(Sos.id == sos_id)
                           .execution_options(populate_existing=True)).scalar_one()


def move_unit(session: Session, *, actor: User, unit_id: int, to_status: str, now: datetime) -> Ambulance:
    return _move(session, _own_unit(session, actor, unit_id), actor=actor, to_status=to_status, now=now)


def _move(session: Session, unit: Ambulance, *, actor: User, to_status: str, now: datetime) -> Ambulance:
    """Step `unit` (already checked to be the actor's) to `to_status`, the SOS it serves with it."""
    allowed = NEXT_STATUS.get(unit.status, ())
    if to_status not in allowed:
        nexts = " or ".join(UNIT_STATUS_LABELS[s].lower() for s in allowed) or "nothing (resolve the SOS)"
        raise InvalidInput(
            "status",
            f"{unit.call_sign} is {UNIT_STATUS_LABELS[unit.status].lower()}: it can go to {nexts}, "
            f"not {UNIT_STATUS_LABELS.get(to_status, to_status).lower()}.",
        )
    if unit.retired_at is not None:
        raise Conflict(f"{unit.call_sign} is retired.")
    before = unit.status
    sos_id = unit.current_sos_id
    with session.begin_nested():
        changed = session.execute(
            update(Ambulance).where(Ambulance.id == unit.id, Ambulance.status == before)
            .values(status=to_status, status_since=now)
        ).rowcount
        if changed != 1:
            raise Conflict(f"{unit.call_sign} was just updated by someone else. Check its status again.")
        if sos_id is not None and to_status in UNIT_TO_SOS_STATUS:
            sos_before = UNIT_TO_SOS_STATUS.get(before)
            if not compare_and_set(session, sos_id, (sos_before,), UNIT_TO_SOS_STATUS[to_status], now):
                raise Conflict("The SOS this unit serves was closed (perhaps cancelled by the citizen).")
            record_event(session, sos_id, kind="unit_status", from_status=sos_before,
                         to_status=to_status, now=now, actor=actor, hospital_id=unit.hospital_id,
                         ambulance_id=unit.id)
    _log(session, unit, from_status=before, to_status=to_status, now=now, actor=actor, sos_id=sos_id)
    session.refresh(unit)
    return unit


def toggle_service(session: Session, *, actor: User, unit_id: int, now: datetime) -> Ambulance:
    """Take a unit out of service, or put an out-of-service unit back: decided from the unit's
    status in the database, never from what a screen showed. A unit on an emergency is refused
    (by `move_unit`, which says where it can go instead)."""
    unit = _own_unit(session, actor, unit_id)
    to_status = "available" if unit.status == "out_of_service" else "out_of_service"
    return move_unit(session, actor=actor, unit_id=unit.id, to_status=to_status, now=now)


def next_steps(unit: Ambulance | None, *, sos_id: int) -> tuple[str, ...]:
    """The statuses a dispatcher may step the unit serving `sos_id` to from that SOS's card: the
    next one of the cycle while the unit still serves it; none before a unit is sent, once it is
    released, or at hospital (resolving the SOS frees the unit)."""
    if unit is None or unit.current_sos_id != sos_id:
        return ()
    return tuple(s for s in NEXT_STATUS.get(unit.status, ()) if s in UNIT_TO_SOS_STATUS)


def can_resolve(sos: Sos) -> bool:
    """Whether the hospital may resolve the SOS now (its ambulance is on scene or further)."""
    return sos.status in RESOLVABLE_SOS_STATUSES


def move_unit_of_sos(session: Session, *, actor: User, sos_id: int, to_status: str,
                     now: datetime) -> Ambulance:
    """Step the unit serving an SOS (the queue screen's buttons name the SOS, not the unit)."""
    hospital_id = _hospital_of(actor)
    sos = session.get(Sos, sos_id)
    if sos is None or sos.hospital_id != hospital_id:
        raise NotAllowed("Your hospital has not accepted that SOS.")
    if sos.ambulance_id is None:
        raise InvalidInput("status", "Send an ambulance first.")
    return move_unit(session, actor=actor, unit_id=sos.ambulance_id, to_status=to_status, now=now)


def release_unit(session: Session, unit: Ambulance, *, now: datetime, actor: User | None) -> None:
    """Free a unit whose SOS has closed (resolved or cancelled)."""
    before, sos_id = unit.status, unit.current_sos_id
    session.execute(
        update(Ambulance).where(Ambulance.id == unit.id)
        .values(status="available", current_sos_id=None, status_since=now)
    )
    _log(session, unit, from_status=before, to_status="available", now=now, actor=actor, sos_id=sos_id)


def resolve_sos(session: Session, *, actor: User, sos_id: int, now: datetime) -> Sos:
    """Handover done (or treated on scene): the SOS is resolved and its unit available again."""
    hospital_id = _hospital_of(actor)
    sos = session.get(Sos, sos_id)
    if sos is None or sos.hospital_id != hospital_id:
        raise NotAllowed("Your hospital has not accepted that SOS.")
    before = sos.status
    if before not in RESOLVABLE_SOS_STATUSES or not compare_and_set(
        session, sos_id, RESOLVABLE_SOS_STATUSES, "resolved", now, closed_at=now
    ):
        raise InvalidInput(
            "status",
            "Resolve an SOS once its ambulance is on scene or at the hospital "
            f"(it is {SOS_STATUS_LABELS[before].lower()}).",
        )
    record_event(session, sos_id, kind="resolved", from_status=before, to_status="resolved",
                 now=now, actor=actor, hospital_id=hospital_id, ambulance_id=sos.ambulance_id)
    if sos.ambulance_id is not None:
        unit = session.get(Ambulance, sos.ambulance_id)
        if unit is not None and unit.current_sos_id == sos_id:
            release_unit(session, unit, now=now, actor=actor)
    return session.execute(select(Sos).where(Sos.id == sos_id)
                           .execution_options(populate_existing=True)).scalar_one()


def units_by_status(session: Session, *, actor: User, hospital_id: int) -> dict[str, int]:
    if actor.role != Role.SUPER_ADMIN and actor.hospital_id != hospital_id:
        raise NotAllowed("You can only see your own hospital's ambulances.")
    rows = session.execute(
        select(Ambulance.status, func.count())
        .where(Ambulance.hospital_id == hospital_id, Ambulance.retired_at.is_(None))
        .group_by(Ambulance.status)
    )
    return {status: count for status, count in rows}


@dataclass(frozen=True)
class UnitChoice:
    unit_id: int
    label: str


def available_units(session: Session, *, actor: User) -> list[UnitChoice]:
    hospital_id = _hospital_of(actor)
    units = session.execute(
        select(Ambulance).where(Ambulance.hospital_id == hospital_id, Ambulance.status == "available",
                                Ambulance.retired_at.is_(None)).order_by(Ambulance.call_sign)
    ).scalars()
    return [UnitChoice(u.id, f"{u.call_sign} · {u.level}") for u in units]


# ---- the crew's own screen (a crew account acts only for its unit: db/crew.py) -----------------


def crew_step(session: Session, *, actor: User, sos_id: int, to_status: str, now: datetime) -> Ambulance:
    """The crew steps its own unit on its current job (en route → on scene → transporting → at
    hospital); the same rules as the hospital's desk, with the crew as actor. `sos_id` is the job
    the crew's screen showed: a job that is no longer the unit's is refused, not stepped."""
    unit = unit_of(session, actor)
    session.refresh(unit)
    if unit.current_sos_id is None or unit.current_sos_id != sos_id:
        raise Conflict("That job is no longer yours: the screen shows your current job now.")
    if to_status not in UNIT_TO_SOS_STATUS:
        raise InvalidInput("status", "A crew steps its job only: en route, on scene, transporting, at hospital.")
    return _move(session, unit, actor=actor, to_status=to_status, now=now)

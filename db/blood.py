"""Blood stock: per hospital, per group and component, in units, never negative.

"Received" and "issued" are single conditional UPDATEs (`units = units + delta WHERE units +
delta >= 0`), so any number of concurrent adjustments all count and none can take stock below
zero. Every change is kept in `blood_history`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.capacity import DEFAULT_STALE_AFTER
from db.errors import N_, InvalidInput, NotAllowed
from db.geo import bounding_box, haversine_km
from db.models import BLOOD_COMPONENTS, BLOOD_GROUPS, BloodHistory, BloodStock, Hospital, User
from db.parse import choice, iso_date, whole_number
from db.permissions import require_role
from db.vocabulary import Role

# Red-cell compatibility: recipient <- donors it can receive from.
RED_CELL_DONORS: dict[str, tuple[str, ...]] = {
    "O-": ("O-",),
    "O+": ("O-", "O+"),
    "A-": ("O-", "A-"),
    "A+": ("O-", "O+", "A-", "A+"),
    "B-": ("O-", "B-"),
    "B+": ("O-", "O+", "B-", "B+"),
    "AB-": ("O-", "A-", "B-", "AB-"),
    "AB+": BLOOD_GROUPS,
}


def _plasma_donors() -> dict[str, tuple[str, ...]]:
    """Plasma is the reverse of red cells: a recipient can take plasma from any donor who could
    receive the recipient's red cells (AB is the universal plasma donor)."""
    return {
        recipient: tuple(donor for donor in BLOOD_GROUPS if recipient in RED_CELL_DONORS[donor])
        for recipient in BLOOD_GROUPS
    }


PLASMA_DONORS = _plasma_donors()
# Marked (N_): find blood shows them through gettext.
COMPONENT_LABELS = {"whole_blood": N_("Whole blood"), "red_cells": N_("Red cells"), "platelets": N_("Platelets"),
                    "plasma": N_("Plasma")}
CROSSMATCH_NOTE = N_("Compatibility here is a guide only: a crossmatch in the blood bank decides "
                     "whether a unit can be given.")
MAX_UNITS = 10_000


def donors_for(recipient: str, component: str = "red_cells") -> tuple[str, ...]:
    if recipient not in BLOOD_GROUPS:
        raise InvalidInput("blood_group", f"Unknown blood group {recipient!r}: choose one of {', '.join(BLOOD_GROUPS)}.")
    return PLASMA_DONORS[recipient] if component == "plasma" else RED_CELL_DONORS[recipient]


def _check_group_component(group: str, component: str) -> None:
    if group not in BLOOD_GROUPS:
        raise InvalidInput("blood_group", f"Unknown blood group {group!r}: choose one of {', '.join(BLOOD_GROUPS)}.")
    if component not in BLOOD_COMPONENTS:
        raise InvalidInput("component", "Choose whole blood, red cells, platelets or plasma.")


def _hospital_admin_of(actor: User, hospital_id: int) -> None:
    require_role(actor, Role.HOSPITAL_ADMIN)
    if actor.hospital_id != hospital_id:
        raise NotAllowed("You can only change your own hospital's blood stock.")


def _row(session: Session, hospital_id: int, group: str, component: str) -> BloodStock | None:
    return session.execute(
        select(BloodStock).where(BloodStock.hospital_id == hospital_id, BloodStock.blood_group == group,
                                 BloodStock.component == component)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def adjust(session: Session, *, actor: User, hospital_id: int, group: str, component: str = "whole_blood",
           units, reason: str, now: datetime) -> BloodStock:
    """`reason` 'received' adds units, 'issued' removes them; never below zero."""
    _hospital_admin_of(actor, hospital_id)
    _check_group_component(group, component)
    if reason not in ("received", "issued"):
        raise InvalidInput("reason", "Say whether units were received or issued.")
    count = whole_number(units, "units", "units", maximum=MAX_UNITS)
    if count == 0:
        raise InvalidInput("units", "Enter how many units (at least 1).")
    delta = count if reason == "received" else -count
    changed = session.execute(
        update(BloodStock)
        .where(BloodStock.hospital_id == hospital_id, BloodStock.blood_group == group,
               BloodStock.component == component, BloodStock.units + delta >= 0)
        .values(units=BloodStock.units + delta, updated_at=now, updated_by_id=actor.id)
    ).rowcount
    if changed == 0:
        row = _row(session, hospital_id, group, component)
        if row is not None or delta < 0:
            have = row.units if row is not None else 0
            raise InvalidInput("units", f"Only {have} unit{'s' if have != 1 else ''} of {group} "
                                        f"{COMPONENT_LABELS[component].lower()} in stock: cannot issue {count}.")
        try:
            with session.begin_nested():
                session.add(BloodStock(hospital_id=hospital_id, blood_group=group, component=component,
                                       units=count, low_threshold=5, updated_at=now, updated_by_id=actor.id))
        except IntegrityError:
            # Someone created the row a moment ago: add to it instead.
            return adjust(session, actor=actor, hospital_id=hospital_id, group=group, component=component,
                          units=count, reason=reason, now=now)
    row = _row(session, hospital_id, group, component)
    session.add(BloodHistory(hospital_id=hospital_id, blood_group=group, component=component, delta=delta,
                             units_after=row.units, reason=reason, changed_at=now, changed_by_id=actor.id))
    session.flush()
    return row


def set_stock(session: Session, *, actor: User, hospital_id: int, group: str, component: str = "whole_blood",
              units=None, low_threshold=None, earliest_expiry: date | str | None = None,
              now: datetime) -> BloodStock:
    """Set the counted stock (after a stock-take), the low-stock threshold, the earliest expiry."""
    _hospital_admin_of(actor, hospital_id)
    _check_group_component(group, component)
    values: dict = {"updated_at": now, "updated_by_id": actor.id}
    if units is not None:
        values["units"] = whole_number(units, "units", "units", maximum=MAX_UNITS)
    if low_threshold is not None:
        values["low_threshold"] = whole_number(low_threshold, "low_threshold", "the low-stock threshold",
                                               maximum=MAX_UNITS)
    earliest_expiry = iso_date(earliest_expiry, "earliest_expiry", "the earliest expiry")
    if earliest_expiry is not None:
        if earliest_expiry < now.date():
            raise InvalidInput("earliest_expiry", "That expiry date has passed: issue or discard those units first.")
        values["earliest_expiry"] = earliest_expiry
    row = _row(session, hospital_id, group, component)
    if row is None:
        row = BloodStock(hospital_id=hospital_id, blood_group=group, component=component, units=0, low_threshold=5)
        session.add(row)
    before = row.units
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    if "units" in values:
        session.add(BloodHistory(hospital_id=hospital_id, blood_group=group, component=component,
                                 delta=row.units - before, units_after=row.units, reason="set",
                                 changed_at=now, changed_by_id=actor.id))
    return row


def stock_of_hospital(session: Session, *, actor: User, hospital_id: int,
                      component: str = "whole_blood") -> list[BloodStock]:
    if actor.role not in (Role.SUPER_ADMIN, Role.HEALTH_OFFICER) and actor.hospital_id != hospital_id:
        raise NotAllowed("You can only see your own hospital's blood stock.")
    component = choice(component, "component", BLOOD_COMPONENTS, "Choose whole blood, red cells, platelets or plasma.")
    rows = {r.blood_group: r for r in session.execute(
        select(BloodStock).where(BloodStock.hospital_id == hospital_id, BloodStock.component == component)
    ).scalars()}
    return [rows.get(g) or BloodStock(hospital_id=hospital_id, blood_group=g, component=component, units=0,
                                      low_threshold=5, updated_at=None) for g in BLOOD_GROUPS]


def units_by_group(session: Session, *, actor: User, hospital_id: int) -> dict[str, int]:
    if actor.role not in (Role.SUPER_ADMIN, Role.HEALTH_OFFICER) and actor.hospital_id != hospital_id:
        raise NotAllowed("You can only see your own hospital's blood stock.")
    rows = session.execute(
        select(BloodStock.blood_group, func.sum(BloodStock.units))
        .where(BloodStock.hospital_id == hospital_id)
        .group_by(BloodStock.blood_group)
    )
    found = {group: int(units) for group, units in rows}
    return {group: found.get(group, 0) for group in BLOOD_GROUPS}


def region_shortages(session: Session) -> dict[str, int]:
    """Per blood group, how many active hospitals are at or below their low-stock threshold."""
    rows = session.execute(
        select(BloodStock.blood_group, func.count())
        .join(Hospital, Hospital.id == BloodStock.hospital_id)
        .where(Hospital.status == "active", BloodStock.units <= BloodStock.low_threshold)
        .group_by(BloodStock.blood_group)
    )
    found = dict(rows.all())
    return {group: int(found.get(group, 0)) for group in BLOOD_GROUPS}


@dataclass(frozen=True)
class GroupStock:
    """Units of one group held at a hospital, and how fresh that figure is."""
    blood_group: str
    units: int
    updated_at: datetime | None
    stale: bool


@dataclass(frozen=True)
class BloodResult:
    """One hospital holding units of the groups searched for: the exact group first, then the
    other compatible ones in the usual order."""
    hospital_id: int
    name: str
    address: str
    phone: str | None
    latitude: float
    longitude: float
    distance_km: float
    groups: tuple[GroupStock, ...]

    @property
    def units(self) -> int:
        return sum(g.units for g in self.groups)

    @property
    def stale(self) -> bool:
        """Every figure shown for this hospital is stale."""
        return all(g.stale for g in self.groups)


def search_blood(session: Session, *, group: str, latitude: float, longitude: float, now: datetime,
                 compatible: bool = False, component: str = "whole_blood", radius_km: float = 50.0,
                 limit: int = 40, stale_after: timedelta = DEFAULT_STALE_AFTER) -> list[BloodResult]:
    """Hospitals holding units of `group` (or of every compatible donor group), nearest first,
    each hospital once with its matching groups."""
    _check_group_component(group, component)
    groups = donors_for(group, component) if compatible else (group,)
    lat_min, lat_max, lon_min, lon_max = bounding_box(latitude, longitude, radius_km)
    rows = session.execute(
        select(Hospital, BloodStock)
        .join(BloodStock, BloodStock.hospital_id == Hospital.id)
        .where(Hospital.status == "active", Hospital.latitude.between(lat_min, lat_max),
               Hospital.longitude.between(lon_min, lon_max), BloodStock.blood_group.in_(groups),
               BloodStock.component == component, BloodStock.units > 0)
    ).all()
    hospitals: dict[int, Hospital] = {}
    stock: dict[int, list[GroupStock]] = {}
    for hospital, row in rows:
        hospitals[hospital.id] = hospital
        stock.setdefault(hospital.id, []).append(GroupStock(
            row.blood_group, row.units, row.updated_at,
            row.updated_at is None or now - row.updated_at > stale_after))
    results = []
    for hospital_id, hospital in hospitals.items():
        distance = haversine_km(latitude, longitude, hospital.latitude, hospital.longitude)
        if distance > radius_km:
            continue
        # At one hospital the exact group before other compatible ones, then in the usual order.
        held = sorted(stock[hospital_id], key=lambda g: (g.blood_group != group, BLOOD_GROUPS.index(g.blood_group)))
        results.append(BloodResult(hospital.id, hospital.name, hospital.address, hospital.phone, hospital.latitude,
                                   hospital.longitude, distance, tuple(held)))
    results.sort(key=lambda r: (r.distance_km, r.hospital_id))
    return results[:limit]

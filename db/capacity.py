"""Hospital capacity: bed counts per type, EMS traffic status, search, history.

Modelled on OASIS EDXL-HAVE 1.0: per bed type a baseline (`total`) and an available count, with
the time of the last update; per hospital an EMS traffic status (`closed` = diversion).

The list of bed types is data (the `bed_types` table): adding Ventilator or Pediatric ICU is a
row, not a code change.

Two admins editing the same figures never lose an update silently: a save names the version it
was based on and is refused if the figures changed since (optimistic concurrency); the +1/−1
steppers apply atomically in the database instead.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import audit
from db.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from db.geo import bounding_box, haversine_km
from db.models import EMS_STATUSES, BedHistory, BedType, EmsStatusHistory, Hospital, HospitalBeds, User
from db.parse import whole_number
from db.permissions import require_role
from db.vocabulary import Role

# (code, name shown to people, EDXL-HAVE 1.0 bed type)
DEFAULT_BED_TYPES = (
    ("ICU", N_("ICU"), "AdultICU"),
    ("OXYGEN", N_("Oxygen"), "Oxygen"),
    ("GENERAL", N_("General"), "MedicalSurgical"),
)
# Marked (N_): a page shows them through gettext (find a bed says a hospital's status in words).
EMS_LABELS = {"normal": N_("Normal"), "advisory": N_("Advisory"), "closed": N_("Closed (diversion)")}
# Figures older than this are greyed and flagged on every screen (stale data is the top
# complaint in every capacity system's tracker).
DEFAULT_STALE_AFTER = timedelta(minutes=30)
MAX_BEDS = 100_000


def ensure_bed_types(session: Session) -> list[BedType]:
    """Create the default bed types that are missing; safe to run at every start."""
    existing = {b.code: b for b in session.execute(select(BedType)).scalars()}
    for order, (code, name, have_type) in enumerate(DEFAULT_BED_TYPES):
        if code not in existing:
            existing[code] = BedType(code=code, name=name, have_type=have_type, sort_order=order)
            session.add(existing[code])
    session.flush()
    return sorted(existing.values(), key=lambda b: (b.sort_order, b.id))


def bed_types(session: Session) -> list[BedType]:
    return list(session.execute(select(BedType).order_by(BedType.sort_order, BedType.id)).scalars())


class StaleFigures(Conflict):
    """The figures changed since the editor loaded them."""

    def __init__(self, bed_name: str, total: int, available: int, by: str):
        super().__init__(
            f"{bed_name} was just changed by {by} to {available} free of {total}. "
            "Check the new figures and save again if yours are still right."
        )
        self.total, self.available = total, available


@dataclass(frozen=True)
class BedFigure:
    code: str
    name: str
    total: int
    available: int
    updated_at: datetime | None
    version: int = 0


def _hospital_for_edit(session: Session, actor: User, hospital_id: int) -> Hospital:
    require_role(actor, Role.HOSPITAL_ADMIN)
    if actor.hospital_id != hospital_id:
        raise NotAllowed("You can only change your own hospital's figures.")
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise NotFound("No such hospital.")
    return hospital


def _bed_type(session: Session, code: str) -> BedType:
    bed_type = session.execute(select(BedType).where(BedType.code == code)).scalar_one_or_none()
    if bed_type is None:
        raise InvalidInput("bed_type", f"Unknown bed type {code!r}.")
    return bed_type


def set_beds(session: Session, *, actor: User, hospital_id: int, bed_code: str, total, available,
             expected_version: int, now: datetime) -> BedFigure:
    """Save a bed type's total and available count, based on the version the editor saw
    (0 when the hospital had no figures for this type yet)."""
    _hospital_for_edit(session, actor, hospital_id)
    bed_type = _bed_type(session, bed_code)
    total = whole_number(total, "total", f"{bed_type.name} beds in total", maximum=MAX_BEDS)
    available = whole_number(available, "available", f"free {bed_type.name} beds", maximum=MAX_BEDS)
    if available > total:
        raise InvalidInput("available", f"Free {bed_type.name} beds ({available}) cannot be more than the "
                                        f"total ({total}).")
    changed = session.execute(
        update(HospitalBeds)
        .where(HospitalBeds.hospital_id == hospital_id, HospitalBeds.bed_type_id == bed_type.id,
               HospitalBeds.version == expected_version)
        .values(total=total, available=available, version=HospitalBeds.version + 1, updated_at=now,
                updated_by_id=actor.id)
    ).rowcount
    if changed == 0:
        current = _current_row(session, hospital_id, bed_type.id)
        if current is not None or expected_version != 0:
            if current is None:
                raise Conflict("These figures were removed meanwhile. Reload the page.")
            by = session.get(User, current.updated_by_id).full_name if current.updated_by_id else "someone"
            raise StaleFigures(bed_type.name, current.total, current.available, by)
        try:
            with session.begin_nested():
                session.add(HospitalBeds(hospital_id=hospital_id, bed_type_id=bed_type.id, total=total,
                                         available=available, version=1, updated_at=now,
                                         updated_by_id=actor.id))
        except IntegrityError:
            raise Conflict(f"{bed_type.name} figures were just created by someone else. Reload and check.") from None
    _remember_beds(session, hospital_id, bed_type.id, total, available, now, actor)
    row = _current_row(session, hospital_id, bed_type.id)
    return BedFigure(bed_type.code, bed_type.name, row.total, row.available, row.updated_at, row.version)


def step_available(session: Session, *, actor: User, hospital_id: int, bed_code: str, delta: int,
                   now: datetime) -> BedFigure:
    """One patient in (−1) or out (+1), applied atomically: concurrent steps all count."""
    _hospital_for_edit(session, actor, hospital_id)
    bed_type = _bed_type(session, bed_code)
    if type(delta) is not int or delta not in (-1, 1):  # the button's id says −1 or +1; anything else is forged
        raise InvalidInput("available", "Steps are one bed at a time.")
    changed = session.execute(
        update(HospitalBeds)
        .where(HospitalBeds.hospital_id == hospital_id, HospitalBeds.bed_type_id == bed_type.id,
               HospitalBeds.available + delta >= 0, HospitalBeds.available + delta <= HospitalBeds.total)
        .values(available=HospitalBeds.available + delta, version=HospitalBeds.version + 1,
                updated_at=now, updated_by_id=actor.id)
    ).rowcount
    row = _current_row(session, hospital_id, bed_type.id)
    if changed == 0:
        if row is None:
            raise InvalidInput("available", f"Set the {bed_type.name} total first.")
        if delta < 0:
            raise InvalidInput("available", f"No free {bed_type.name} beds left to take.")
        raise InvalidInput("available", f"All {row.total} {bed_type.name} beds are already free.")
    _remember_beds(session, hospital_id, bed_type.id, row.total, row.available, now, actor)
    return BedFigure(bed_type.code, bed_type.name, row.total, row.available, row.updated_at, row.version)


def _current_row(session: Session, hospital_id: int, bed_type_id: int) -> HospitalBeds | None:
    return session.execute(
        select(HospitalBeds)
        .where(HospitalBeds.hospital_id == hospital_id, HospitalBeds.bed_type_id == bed_type_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _remember_beds(session, hospital_id, bed_type_id, total, available, now, actor) -> None:
    session.add(BedHistory(hospital_id=hospital_id, bed_type_id=bed_type_id, total=total,
                           available=available, changed_at=now, changed_by_id=actor.id))


def set_ems_status(session: Session, *, actor: User, hospital_id: int, status: str, reason: str,
                   now: datetime) -> Hospital:
    hospital = _hospital_for_edit(session, actor, hospital_id)
    if status not in EMS_STATUSES:
        raise InvalidInput("ems_status", "Choose Normal, Advisory or Closed (diversion).")
    reason = (reason or "").strip()
    if status != "normal" and not reason:
        raise InvalidInput("ems_reason", "Say why, so ambulance crews and the control room know.")
    if len(reason) > 300:
        raise InvalidInput("ems_reason", "Keep the reason under 300 characters.")
    hospital.ems_status, hospital.ems_reason, hospital.ems_updated_at = status, reason, now
    session.add(EmsStatusHistory(hospital_id=hospital_id, ems_status=status, reason=reason,
                                 changed_at=now, changed_by_id=actor.id))
    audit.record(session, actor=actor, action="hospital.ems_status", now=now, target_type="hospital",
                 target_id=hospital_id, detail={"status": status, "reason": reason})
    session.flush()
    return hospital


# ---- reading --------------------------------------------------------------------------------


def _may_see_figures(actor: User, hospital_id: int) -> None:
    if actor.role == Role.HOSPITAL_ADMIN:
        if actor.hospital_id != hospital_id:
            raise NotAllowed("You can only see your own hospital's figures here.")
    else:
        require_role(actor, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)


def beds_of_hospital(session: Session, *, actor: User, hospital_id: int) -> list[BedFigure]:
    """A hospital's own figures, for its admins (and officers, super admins)."""
    _may_see_figures(actor, hospital_id)
    rows = session.execute(
        select(BedType, HospitalBeds)
        .outerjoin(HospitalBeds, (HospitalBeds.bed_type_id == BedType.id)
                   & (HospitalBeds.hospital_id == hospital_id))
        .order_by(BedType.sort_order, BedType.id)
    ).all()
    return [
        BedFigure(bt.code, bt.name, hb.total if hb else 0, hb.available if hb else 0,
                  hb.updated_at if hb else None, hb.version if hb else 0)
        for bt, hb in rows
    ]


def region_bed_totals(session: Session) -> list[BedFigure]:
    """Available and total beds per type across active hospitals (public figures)."""
    sums = {
        bed_type_id: (int(total), int(available), updated)
        for bed_type_id, total, available, updated in session.execute(
            select(HospitalBeds.bed_type_id, func.sum(HospitalBeds.total),
                   func.sum(HospitalBeds.available), func.max(HospitalBeds.updated_at))
            .join(Hospital, Hospital.id == HospitalBeds.hospital_id)
            .where(Hospital.status == "active")
            .group_by(HospitalBeds.bed_type_id)
        )
    }
    return [BedFigure(bt.code, bt.name, *sums.get(bt.id, (0, 0, None))) for bt in bed_types(session)]


def hospitals_by_ems_status(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Hospital.ems_status, func.count()).where(Hospital.status == "active")
        .group_by(Hospital.ems_status)
    )
    return {status: count for status, count in rows}


def beds_version(session: Session) -> str:
    """A fingerprint of every figure a bed search can show: every hospital's beds (each change
    bumps its row's version and time) and every active hospital's EMS status, in one query of
    two one-row aggregates. Equal means a search's results have not changed."""
    beds = select(func.count(HospitalBeds.id).label("rows"), func.sum(HospitalBeds.version).label("versions"),
                  func.max(HospitalBeds.updated_at).label("changed")).subquery()
    hospitals = select(func.count(Hospital.id).label("hospitals"), func.max(Hospital.ems_updated_at).label("ems"),
                       func.sum(Hospital.id * case((Hospital.ems_status == "normal", 0), else_=1)).label("off")) \
        .where(Hospital.status == "active").subquery()
    row = session.execute(select(beds, hospitals).select_from(beds.join(hospitals, true()))).one()
    return hashlib.blake2b(repr(tuple(row)).encode(), digest_size=8).hexdigest()


_VERSION_MEMO: dict[str, tuple[float, str]] = {}


def _database(session: Session) -> str:
    """Which database `session` reads, for the memos below: its engine, also when the session is
    bound to one of the engine's connections (a web request's, auth/context.py)."""
    return str(id(session.get_bind().engine))


def recent_beds_version(session: Session, *, within_s: float = 1.0) -> str:
    """`beds_version`, asked at most once every `within_s` seconds per process and database: a
    page polling every 10 s shows a change at most `within_s` later, and the polls between two
    changes cost no query at all."""
    now, database = time.monotonic(), _database(session)
    held = _VERSION_MEMO.get(database)
    if held is not None and now - held[0] < within_s:
        return held[1]
    version = beds_version(session)
    _VERSION_MEMO[database] = (now, version)
    return version


# Who may search for free beds (pages/beds.py) and poll its version (web/live.py).
SEARCHERS = (Role.CITIZEN, Role.HOSPITAL_ADMIN, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)


def hospital_beds_version(session: Session, *, actor: User, hospital_id: int) -> str:
    """A fingerprint of one hospital's bed figures (each change bumps its row's version and time),
    for its own capacity view's poll: equal means its figures have not changed. One indexed query."""
    _may_see_figures(actor, hospital_id)
    row = session.execute(select(func.count(HospitalBeds.id), func.sum(HospitalBeds.version),
                                 func.max(HospitalBeds.updated_at))
                          .where(HospitalBeds.hospital_id == hospital_id)).one()
    return hashlib.blake2b(repr(tuple(row)).encode(), digest_size=8).hexdigest()


_OWN_MEMO: dict[tuple, tuple[BedFigure, ...]] = {}


def recent_beds_of_hospital(session: Session, *, actor: User, hospital_id: int) -> list[BedFigure]:
    """`beds_of_hospital` for a page's timed refresh: the same permission check every time, the
    figures kept per process while `recent_beds_version` (which every change of a hospital's beds
    moves, at most a second old) is the same, so the refreshes between two changes cost no query.
    An action's own answer reads `beds_of_hospital`, never this."""
    _may_see_figures(actor, hospital_id)
    key = (_database(session), hospital_id, recent_beds_version(session))
    found = _OWN_MEMO.get(key)
    if found is None:
        found = tuple(beds_of_hospital(session, actor=actor, hospital_id=hospital_id))
        if len(_OWN_MEMO) > 10_000:
            _OWN_MEMO.clear()
        _OWN_MEMO[key] = found
    return list(found)


@dataclass
class BedSearchResult:
    hospital_id: int
    name: str
    address: str
    phone: str | None
    latitude: float
    longitude: float
    distance_km: float
    ems_status: str
    ems_reason: str
    figures: list[BedFigure] = field(default_factory=list)
    stale: dict[str, bool] = field(default_factory=dict)

    @property
    def on_diversion(self) -> bool:
        return self.ems_status == "closed"


def search_beds(session: Session, *, latitude: float, longitude: float, now: datetime,
                bed_code: str | None = None, radius_km: float = 50.0, limit: int = 30,
                stale_after: timedelta = DEFAULT_STALE_AFTER) -> list[BedSearchResult]:
    """Hospitals with a free bed (of `bed_code`, or of any type), nearest first; hospitals on
    diversion (not taking ambulances) after all the others, nearest first among themselves. Public."""
    lat_min, lat_max, lon_min, lon_max = bounding_box(latitude, longitude, radius_km)
    hospitals = {
        h.id: h for h in session.execute(
            select(Hospital).where(Hospital.status == "active",
                                   Hospital.latitude.between(lat_min, lat_max),
                                   Hospital.longitude.between(lon_min, lon_max))
        ).scalars()
    }
    distances = {
        hid: haversine_km(latitude, longitude, h.latitude, h.longitude) for hid, h in hospitals.items()
    }
    in_reach = [hid for hid, d in distances.items() if d <= radius_km]
    if not in_reach:
        return []
    figures: dict[int, list[BedFigure]] = {}
    for row, bed_type in session.execute(
        select(HospitalBeds, BedType).join(BedType, BedType.id == HospitalBeds.bed_type_id)
        .where(HospitalBeds.hospital_id.in_(in_reach))
        .order_by(BedType.sort_order, BedType.id)
    ).all():
        figures.setdefault(row.hospital_id, []).append(
            BedFigure(bed_type.code, bed_type.name, row.total, row.available, row.updated_at, row.version))
    results = []
    for hid in in_reach:
        beds = figures.get(hid, [])
        wanted = [f for f in beds if bed_code is None or f.code == bed_code]
        if not any(f.available > 0 for f in wanted):
            continue
        h = hospitals[hid]
        results.append(BedSearchResult(
            hospital_id=hid, name=h.name, address=h.address, phone=h.phone, latitude=h.latitude,
            longitude=h.longitude, distance_km=distances[hid], ems_status=h.ems_status,
            ems_reason=h.ems_reason, figures=beds,
            stale={f.code: f.updated_at is None or now - f.updated_at > stale_after for f in beds},
        ))
    results.sort(key=lambda r: (r.on_diversion, r.distance_km, r.hospital_id))
    return results[:limit]


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    code: str
    name: str
    total: int
    available: int


def region_bed_trend(session: Session, *, since: datetime, now: datetime) -> list[TrendPoint]:
    """Region-wide totals per bed type after every change since `since` (step series).

    Each history row is one hospital's figures at a moment; the region's figure at that moment is
    the sum over hospitals of each one's latest figures. A bed type's series starts when its first
    figures exist: before that there is nothing to show, not zero beds."""
    types = {bt.id: bt for bt in bed_types(session)}
    active = select(Hospital.id).where(Hospital.status == "active")
    # Starting point: each hospital's last figures before the window.
    latest_before = (
        select(BedHistory.hospital_id, BedHistory.bed_type_id, func.max(BedHistory.id).label("id"))
        .where(BedHistory.changed_at < since, BedHistory.hospital_id.in_(active))
        .group_by(BedHistory.hospital_id, BedHistory.bed_type_id).subquery()
    )
    current: dict[tuple[int, int], tuple[int, int]] = {}
    for row in session.execute(select(BedHistory).join(latest_before, BedHistory.id == latest_before.c.id)).scalars():
        current[(row.hospital_id, row.bed_type_id)] = (row.total, row.available)

    def totals(at: datetime) -> list[TrendPoint]:
        sums: dict[int, list[int]] = {}
        for (_, bt), (total, available) in current.items():
            sums.setdefault(bt, [0, 0])
            sums[bt][0] += total
            sums[bt][1] += available
        return [TrendPoint(at, types[bt].code, types[bt].name, s[0], s[1]) for bt, s in sums.items() if bt in types]

    points = totals(since)
    changes = session.execute(
        select(BedHistory).where(BedHistory.changed_at >= since, BedHistory.changed_at <= now,
                                 BedHistory.hospital_id.in_(active))
        .order_by(BedHistory.changed_at, BedHistory.id)
    ).scalars()
    for row in changes:
        current[(row.hospital_id, row.bed_type_id)] = (row.total, row.available)
        points.extend(totals(row.changed_at))
    points.extend(totals(now))
    return points


def availability_export(session: Session, *, actor: User) -> list[tuple[Hospital, list[BedFigure]]]:
    """Every active hospital with its figures, for the EDXL-HAVE and CSV exports."""
    require_role(actor, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
    types = bed_types(session)
    rows: dict[int, dict[int, HospitalBeds]] = {}
    for row in session.execute(select(HospitalBeds)).scalars():
        rows.setdefault(row.hospital_id, {})[row.bed_type_id] = row
    result = []
    for hospital in session.execute(select(Hospital).where(Hospital.status == "active").order_by(Hospital.name)).scalars():
        mine = rows.get(hospital.id, {})
        result.append((hospital, [
            BedFigure(bt.code, bt.name, mine[bt.id].total, mine[bt.id].available, mine[bt.id].updated_at,
                      mine[bt.id].version)
            for bt in types if bt.id in mine
        ]))
    return result

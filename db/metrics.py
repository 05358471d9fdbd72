"""Response-time figures, computed from SOS events (never from overwritten timestamps).

Intervals, per SOS, between the first event of each kind:
    call to accept      created            -> accepted
    accept to dispatch  accepted           -> dispatched   (an ambulance assigned)
    dispatch to arrival dispatched         -> unit_status on_scene

Each is reported as the median and the 90th percentile (linear interpolation between closest
ranks, the "inclusive" method: p = x[k] + f·(x[k+1] − x[k]) with position (n−1)·q), never as a
mean alone. An interval is counted on the day its end happened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import Feedback, Hospital, SosEvent, SosOffer


@dataclass(frozen=True)
class Interval:
    key: str
    label: str
    start_kind: str
    end_kind: str
    end_status: str | None
    target_seconds: int
    target_source: str


INTERVALS = (
    Interval("call_to_accept", "Call to accept", "created", "accepted", None, 60, "NFPA 1225: call to dispatch ≤ 60 s"),
    Interval("accept_to_dispatch", "Accept to dispatch", "accepted", "dispatched", None, 60,
             "NFPA 1710: turnout ≤ 60 s"),
    Interval("dispatch_to_arrival", "Dispatch to arrival", "dispatched", "unit_status", "on_scene", 240,
             "NFPA 1710: travel ≤ 240 s"),
)


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (the 'inclusive' method)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass(frozen=True)
class Stats:
    key: str
    label: str
    count: int
    median: float | None
    p90: float | None
    target_seconds: int
    target_source: str

    @property
    def meets_target(self) -> bool | None:
        return None if self.p90 is None else self.p90 <= self.target_seconds


def _first_times(session: Session, kind: str, status: str | None, *, until: datetime,
                 hospital_id: int | None = None) -> dict[int, datetime]:
    query = select(SosEvent.sos_id, func.min(SosEvent.at)).where(SosEvent.kind == kind, SosEvent.at < until)
    if status is not None:
        query = query.where(SosEvent.to_status == status)
    if hospital_id is not None:
        query = query.where(SosEvent.hospital_id == hospital_id)
    return dict(session.execute(query.group_by(SosEvent.sos_id)).all())


def interval_seconds(session: Session, interval: Interval, *, start: datetime, end: datetime,
                     hospital_id: int | None = None) -> list[float]:
    ends = _first_times(session, interval.end_kind, interval.end_status, until=end, hospital_id=hospital_id)
    ends = {sos_id: at for sos_id, at in ends.items() if at >= start}
    if not ends:
        return []
    starts = _first_times(session, interval.start_kind, None, until=end)
    return sorted(
        (ends[sos_id] - starts[sos_id]).total_seconds()
        for sos_id in ends if sos_id in starts and ends[sos_id] >= starts[sos_id]
    )


def response_times(session: Session, *, start: datetime, end: datetime,
                   hospital_id: int | None = None) -> list[Stats]:
    result = []
    for interval in INTERVALS:
        values = interval_seconds(session, interval, start=start, end=end, hospital_id=hospital_id)
        result.append(Stats(interval.key, interval.label, len(values), percentile(values, 0.5),
                            percentile(values, 0.9), interval.target_seconds, interval.target_source))
    return result


@dataclass(frozen=True)
class HospitalFigures:
    hospital_id: int
    name: str
    offered: int
    accepted: int
    declined: int
    median_accept_seconds: float | None
    feedback_count: int
    feedback_average: float | None

    @property
    def acceptance_rate(self) -> float | None:
        return None if not self.offered else self.accepted / self.offered


def per_hospital(session: Session, *, start: datetime, end: datetime) -> list[HospitalFigures]:
    """Offers received in the range, how many were accepted or declined, how fast (offer to accept),
    and the feedback score, per hospital that was offered anything."""
    offers = session.execute(
        select(SosOffer.hospital_id, func.count(),
               func.sum(case((SosOffer.status == "accepted", 1), else_=0)),
               func.sum(case((SosOffer.status == "declined", 1), else_=0)))
        .where(SosOffer.offered_at >= start, SosOffer.offered_at < end)
        .group_by(SosOffer.hospital_id)
    ).all()
    if not offers:
        return []
    accept_times: dict[int, list[float]] = {}
    for hospital_id, offered_at, responded_at in session.execute(
        select(SosOffer.hospital_id, SosOffer.offered_at, SosOffer.responded_at)
        .where(SosOffer.status == "accepted", SosOffer.offered_at >= start, SosOffer.offered_at < end,
               SosOffer.responded_at.is_not(None))
    ):
        accept_times.setdefault(hospital_id, []).append((responded_at - offered_at).total_seconds())
    feedback = dict(
        (hid, (count, avg)) for hid, count, avg in session.execute(
            select(Feedback.hospital_id, func.count(), func.avg(Feedback.rating))
            .where(Feedback.created_at >= start, Feedback.created_at < end).group_by(Feedback.hospital_id))
    )
    names = dict(session.execute(select(Hospital.id, Hospital.name)
                                 .where(Hospital.id.in_([o[0] for o in offers]))).all())
    rows = []
    for hospital_id, offered, accepted, declined in offers:
        count, average = feedback.get(hospital_id, (0, None))
        rows.append(HospitalFigures(
            hospital_id, names.get(hospital_id, "?"), int(offered), int(accepted or 0), int(declined or 0),
            percentile(sorted(accept_times.get(hospital_id, [])), 0.5), int(count),
            float(average) if average is not None else None))
    rows.sort(key=lambda r: (-(r.acceptance_rate or 0), r.name))
    return rows


def day_bounds(now: datetime, zone) -> tuple[datetime, datetime]:
    """Start and end (UTC-aware) of `now`'s calendar day in the display zone."""
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)

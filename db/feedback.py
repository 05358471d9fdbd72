"""Feedback on a resolved SOS: the standard question on a 5-point scale, plus a comment.

One feedback per SOS (a unique key in the database), only from the citizen who sent it, and only
once it is resolved. A hospital admin sees the feedback on their own hospital's SOS; health
officers (and super admins) see every hospital's figures, without the comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from db.models import Feedback, Hospital, Sos, User
from db.permissions import require_role
from db.vocabulary import OVERSIGHT_ROLES, Role

QUESTION = N_("Overall, how was your experience of our service?")
# The 5-point scale of the standard question, best first (what people see, and the stored value).
RATINGS = {5: N_("Very good"), 4: N_("Good"), 3: N_("Neither good nor poor"), 2: N_("Poor"), 1: N_("Very poor")}
COMMENT_MAX = 2000
# The trend compares the last RECENT days with the RECENT days before them.
RECENT = timedelta(days=30)


def _rating(value) -> int:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        number = None
    # NaN fails the range check, so int() below only ever sees a finite number.
    if number is None or not 1 <= number <= 5 or number != int(number):
        raise InvalidInput("rating", N_("Choose one of the five answers, from very good to very poor."))
    return int(number)


def _own_sos(session: Session, actor: User, sos_id) -> Sos:
    try:
        sos_id = int(sos_id)
    except (TypeError, ValueError):
        raise NotFound(N_("That SOS is not yours.")) from None
    sos = session.get(Sos, sos_id)
    if sos is None or sos.citizen_id != actor.id:
        raise NotFound(N_("That SOS is not yours."))
    return sos


def feedback_state(session: Session, *, actor: User, sos_id: int) -> str:
    """For the tracking page: 'not_yet' (not resolved), 'ask', or 'given'."""
    require_role(actor, Role.CITIZEN)
    sos = _own_sos(session, actor, sos_id)
    if sos.status != "resolved":
        return "not_yet"
    given = session.execute(select(Feedback.id).where(Feedback.sos_id == sos.id)).first()
    return "given" if given else "ask"


def submit_feedback(session: Session, *, actor: User, sos_id: int, rating, comment: str = "",
                    now: datetime) -> Feedback:
    require_role(actor, Role.CITIZEN)
    sos = _own_sos(session, actor, sos_id)
    if sos.status != "resolved":
        raise NotAllowed(N_("You can give feedback once this SOS is resolved."))
    value = _rating(rating)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput("comment", N_("Keep the comment under %(max)s characters (it has %(length)s)."),
                           max=COMMENT_MAX, length=len(comment))
    already = Conflict(N_("You have already given feedback on this SOS. Thank you."))
    if session.execute(select(Feedback.id).where(Feedback.sos_id == sos.id)).first():
        raise already
    row = Feedback(sos_id=sos.id, citizen_id=actor.id, hospital_id=sos.hospital_id, rating=value,
                   comment=comment, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise already from None  # a second submit at the same instant: the unique key decided
    return row


# ---- hospital -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPoint:
    week_start: datetime
    average: float
    count: int


@dataclass(frozen=True)
class FeedbackItem:
    sos_id: int
    rating: int
    comment: str
    created_at: datetime


@dataclass
class HospitalFeedback:
    hospital_id: int
    hospital_name: str
    count: int
    average: float | None
    recent_average: float | None
    earlier_average: float | None
    by_rating: dict[int, int]
    weekly: list[WeekPoint] = field(default_factory=list)
    items: list[FeedbackItem] = field(default_factory=list)

    @property
    def trend(self) -> float | None:
        """Change of the last 30 days' average against the 30 days before (None: not enough data)."""
        if self.recent_average is None or self.earlier_average is None:
            return None
        return self.recent_average - self.earlier_average


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _weekly(rows: list[tuple[int, datetime]], now: datetime, weeks: int) -> list[WeekPoint]:
    start = (now - timedelta(days=7 * weeks)).replace(hour=0, minute=0, second=0, microsecond=0)
    buckets: dict[int, list[int]] = {}
    for rating, at in rows:
        if at >= start:
            buckets.setdefault(int((at - start).days // 7), []).append(rating)
    return [WeekPoint(start + timedelta(days=7 * index), sum(v) / len(v), len(v))
            for index, v in sorted(buckets.items())]


def _summary(hospital: Hospital, rows: list[tuple[int, datetime]], now: datetime, weeks: int) -> HospitalFeedback:
    ratings = [r for r, _ in rows]
    recent = [r for r, at in rows if at > now - RECENT]
    earlier = [r for r, at in rows if now - 2 * RECENT < at <= now - RECENT]
    return HospitalFeedback(
        hospital_id=hospital.id,
        hospital_name=hospital.name,
        count=len(ratings),
        average=_mean(ratings),
        recent_average=_mean(recent),
        earlier_average=_mean(earlier),
        by_rating={value: ratings.count(value) for value in RATINGS},
        weekly=_weekly(rows, now, weeks),
    )


def hospital_feedback(session: Session, *, actor: User, hospital_id: int, now: datetime, weeks: int = 12,
                      latest: int = 50) -> HospitalFeedback:
    """A hospital's feedback: its admins see their own hospital only; officers any."""
    if actor is not None and actor.role == Role.HOSPITAL_ADMIN:
        require_role(actor, Role.HOSPITAL_ADMIN)
        if actor.hospital_id is None or actor.hospital_id != hospital_id:
            raise NotAllowed("You can only see your own hospital's feedback.")
    else:
        require_role(actor, *OVERSIGHT_ROLES)
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise NotFound("That hospital does not exist.")
    rows = session.execute(
        select(Feedback.rating, Feedback.created_at, Feedback.sos_id, Feedback.comment)
        .where(Feedback.hospital_id == hospital_id).order_by(Feedback.created_at.desc())
    ).all()
    summary = _summary(hospital, [(r.rating, r.created_at) for r in rows], now, weeks)
    summary.items = [FeedbackItem(r.sos_id, r.rating, r.comment, r.created_at) for r in rows[:latest]]
    return summary


def region_feedback(session: Session, *, actor: User, now: datetime, weeks: int = 12) -> list[HospitalFeedback]:
    """Every hospital with feedback: count, average and trend, lowest average first. No comments."""
    require_role(actor, *OVERSIGHT_ROLES)
    rows = session.execute(
        select(Feedback.hospital_id, Feedback.rating, Feedback.created_at)
        .where(Feedback.hospital_id.is_not(None))
    ).all()
    by_hospital: dict[int, list[tuple[int, datetime]]] = {}
    for hospital_id, rating, at in rows:
        by_hospital.setdefault(hospital_id, []).append((rating, at))
    if not by_hospital:
        return []
    hospitals = {h.id: h for h in session.execute(
        select(Hospital).where(Hospital.id.in_(list(by_hospital)))).scalars()}
    summaries = [_summary(hospitals[h], values, now, weeks) for h, values in by_hospital.items()]
    return sorted(summaries, key=lambda s: (s.average, -s.count, s.hospital_name))


@dataclass(frozen=True)
class RegionTotals:
    answers: int
    average: float | None  # every answer counts once: a hospital weighs by how many answers it has
    hospitals: int


def region_totals(hospitals: list[HospitalFeedback]) -> RegionTotals:
    """The region's figures from its hospitals' (region_feedback): answers, average, hospitals rated."""
    answers = sum(h.count for h in hospitals)
    average = sum(h.average * h.count for h in hospitals) / answers if answers else None
    return RegionTotals(answers, average, len(hospitals))


def region_weekly(session: Session, *, actor: User, now: datetime, weeks: int = 12) -> list[WeekPoint]:
    require_role(actor, *OVERSIGHT_ROLES)
    rows = session.execute(
        select(Feedback.rating, Feedback.created_at).where(Feedback.created_at >= now - timedelta(days=7 * weeks + 1))
    ).all()
    return _weekly([(r.rating, r.created_at) for r in rows], now, weeks)

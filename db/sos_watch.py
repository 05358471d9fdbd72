"""What a citizen's tracking page polls: one short version of everything it shows about one SOS.

The version changes whenever the page would show something new (a status step, an offer, an
accept, an ambulance assigned or stepped, feedback given): every such change writes an
`sos_events` row or a feedback row. One query; the page asks it every second, so it must stay
cheap. A later figure shown on the page (an ambulance's position) adds its own part here.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import NotFound
from db.models import Ambulance, Feedback, Sos, SosEvent, User


def tracking_version(session: Session, *, actor: User, sos_id: int) -> str:
    """The version of the citizen's own SOS `sos_id`; NotFound for anyone else's."""
    last_event = select(func.max(SosEvent.id)).where(SosEvent.sos_id == Sos.id).scalar_subquery()
    feedback = select(func.count(Feedback.id)).where(Feedback.sos_id == Sos.id).scalar_subquery()
    # The unit's latest position: the arrival estimate on the page moves with it.
    position_at = select(Ambulance.position_at).where(Ambulance.id == Sos.ambulance_id).scalar_subquery()
    row = session.execute(
        select(Sos.citizen_id, Sos.status, Sos.ambulance_id, last_event, feedback, position_at).where(Sos.id == sos_id)
    ).one_or_none()
    if row is None or row.citizen_id != actor.id:
        raise NotFound("No SOS with that number is yours to see.")
    _citizen, status, unit, event, given, moved = row
    return f"{status}.{event or 0}.{unit or 0}.{given}.{moved.timestamp() if moved else 0}"

"""The queue screen's two versions (db/sos.queue_versions, one query): a unit on the move changes
only the version of where the units are, so the screen redraws its maps and never its cards; a
unit whose position turns stale changes it too (its marker greys); another hospital's unit moves
nothing."""

from datetime import timedelta

from db import crew, dispatch, positions
from db import sos as sos_ops
from db.models import User
from tests.builders import CENTRE, add_user, city, match_now, send_sos


def _versions(session, admin, now):
    session.flush()
    return sos_ops.queue_versions(session, actor=admin, new_since=now - timedelta(seconds=30),
                                  stale_before=now - positions.STALE_AFTER)


def _crew_of(session, admin, unit, now):
    _token, link = crew.issue(session, actor=admin, ambulance_id=unit.id, now=now)
    return session.get(User, link.crew_user_id)


def test_a_moving_unit_changes_the_units_version_only(session, clock):
    _hospitals, (admin, other_admin) = city(session, 2)
    sos = send_sos(session, add_user(session), now=clock())
    match_now(session, now=clock(), rings=(10.0,))
    sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=clock.advance(seconds=5))
    unit = dispatch.register_unit(session, actor=admin, call_sign="AMB-1", now=clock())
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=clock.advance(seconds=5))
    theirs = dispatch.register_unit(session, actor=other_admin, call_sign="B-1", now=clock())
    mine, other_crew = _crew_of(session, admin, unit, clock()), _crew_of(session, other_admin, theirs, clock())

    cards, units = _versions(session, admin, clock())
    assert _versions(session, admin, clock()) == (cards, units)  # asked twice, nothing changed

    for step in range(3):
        assert positions.record_position(session, actor=mine, latitude=CENTRE[0] + step / 1000, longitude=CENTRE[1],
                                         now=clock.advance(seconds=5)).stored
        moved_cards, moved_units = _versions(session, admin, clock())
        assert moved_cards == cards, "a position never redraws the cards"
        assert moved_units != units, "a position redraws the maps"
        units = moved_units

    # Another hospital's unit moving changes nothing on this screen.
    assert positions.record_position(session, actor=other_crew, latitude=CENTRE[0], longitude=CENTRE[1],
                                     now=clock.advance(seconds=5)).stored
    assert _versions(session, admin, clock()) == (cards, units)

    # Nothing sent for over 2 minutes: the unit turns stale, the maps redraw (greyed) once.
    clock.advance(seconds=60)
    assert _versions(session, admin, clock()) == (cards, units)
    clock.advance(seconds=70)
    stale_cards, stale_units = _versions(session, admin, clock())
    assert stale_cards == cards and stale_units != units
    clock.advance(seconds=60)
    assert _versions(session, admin, clock()) == (stale_cards, stale_units)

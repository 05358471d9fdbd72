"""Feedback: once per resolved SOS, only from its citizen; a hospital sees only its own; officers see
aggregates with a trend; bad ratings and second answers refused with nothing stored."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db import dispatch, feedback, matching
from db.errors import Conflict, InvalidInput, NotAllowed, NotFound
from db.models import Feedback, Sos
from tests.builders import T0, add_user, city, send_sos


def count(session) -> int:
    return session.execute(select(func.count()).select_from(Feedback)).scalar_one()


def resolved_sos(session, citizen, admin, *, now=T0):
    """An SOS accepted by `admin`'s hospital, served by its ambulance, and resolved."""
    from db import sos as sos_ops

    sos = send_sos(session, citizen, now=now)
    matching.match_due(session, now=now, sos_id=sos.id, rings=(50.0,), escalate_after=timedelta(seconds=60))
    sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=now)
    unit = dispatch.register_unit(session, actor=admin, call_sign=f"AMB-{sos.id}", now=now)
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=now)
    for step in ("en_route", "on_scene"):
        dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status=step, now=now)
    dispatch.resolve_sos(session, actor=admin, sos_id=sos.id, now=now)
    return session.get(Sos, sos.id)


@pytest.fixture
def town(session):
    hospitals, admins = city(session, 2)
    return hospitals, admins


def test_citizen_rates_a_resolved_sos_once(session, town):
    hospitals, admins = town
    citizen = add_user(session)
    sos = resolved_sos(session, citizen, admins[0])
    assert feedback.feedback_state(session, actor=citizen, sos_id=sos.id) == "ask"
    row = feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating="4", comment=" Quick crew. ",
                                   now=T0 + timedelta(hours=1))
    assert (row.rating, row.comment, row.hospital_id) == (4, "Quick crew.", hospitals[0].id)
    assert feedback.feedback_state(session, actor=citizen, sos_id=sos.id) == "given"
    with pytest.raises(Conflict, match="already given feedback"):
        feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating=5, now=T0 + timedelta(hours=2))
    assert count(session) == 1


def test_feedback_before_resolution_is_refused(session, town):
    citizen = add_user(session)
    sos = send_sos(session, citizen)
    assert feedback.feedback_state(session, actor=citizen, sos_id=sos.id) == "not_yet"
    with pytest.raises(NotAllowed, match="once this SOS is resolved"):
        feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating=5, now=T0)
    assert count(session) == 0


def test_feedback_on_someone_elses_sos_is_refused(session, town):
    _, admins = town
    owner, other = add_user(session), add_user(session)
    sos = resolved_sos(session, owner, admins[0])
    with pytest.raises(NotFound, match="not yours"):
        feedback.submit_feedback(session, actor=other, sos_id=sos.id, rating=5, now=T0)
    with pytest.raises(NotFound):
        feedback.feedback_state(session, actor=other, sos_id=sos.id)
    with pytest.raises(NotFound):
        feedback.submit_feedback(session, actor=other, sos_id=999999, rating=5, now=T0)
    with pytest.raises(NotAllowed):  # staff cannot answer for a citizen
        feedback.submit_feedback(session, actor=admins[0], sos_id=sos.id, rating=5, now=T0)
    assert count(session) == 0


def test_rating_outside_the_scale_is_refused(session, town):
    _, admins = town
    citizen = add_user(session)
    sos = resolved_sos(session, citizen, admins[0])
    for rating in (0, 6, -1, "2.5", "", None, "very good", 3.5, float("nan")):
        with pytest.raises(InvalidInput, match="five answers") as error:
            feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating=rating, now=T0)
        assert error.value.field == "rating", rating
    assert count(session) == 0
    assert feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating="5", now=T0).rating == 5


def test_overlong_comment_is_refused(session, town):
    _, admins = town
    citizen = add_user(session)
    sos = resolved_sos(session, citizen, admins[0])
    with pytest.raises(InvalidInput) as error:
        feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating=3, comment="x" * 2001, now=T0)
    assert error.value.field == "comment"
    assert count(session) == 0


def test_the_database_keeps_one_feedback_per_sos(session, town):
    _, admins = town
    citizen = add_user(session)
    sos = resolved_sos(session, citizen, admins[0])
    feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating=5, now=T0)
    session.commit()
    session.add(Feedback(sos_id=sos.id, citizen_id=citizen.id, hospital_id=sos.hospital_id, rating=1,
                         comment="", created_at=T0))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert count(session) == 1


def _rated(session, admins, ratings):
    """Each (admin index, rating, days before T0+60d) becomes a resolved, rated SOS."""
    now = T0 + timedelta(days=60)
    for index, rating, days_ago in ratings:
        citizen = add_user(session)
        at = now - timedelta(days=days_ago)
        sos = resolved_sos(session, citizen, admins[index], now=at)
        feedback.submit_feedback(session, actor=citizen, sos_id=sos.id, rating=rating, now=at)
    return now


def test_hospital_sees_its_own_feedback_with_average_and_trend(session, town):
    hospitals, admins = town
    now = _rated(session, admins, [(0, 2, 50), (0, 3, 40), (0, 5, 10), (0, 4, 3), (1, 1, 5)])
    view = feedback.hospital_feedback(session, actor=admins[0], hospital_id=hospitals[0].id, now=now)
    assert view.count == 4 and view.average == pytest.approx(3.5)
    assert view.recent_average == pytest.approx(4.5) and view.earlier_average == pytest.approx(2.5)
    assert view.trend == pytest.approx(2.0)
    assert view.by_rating == {5: 1, 4: 1, 3: 1, 2: 1, 1: 0}
    assert [i.rating for i in view.items] == [4, 5, 3, 2]  # newest first
    assert sum(p.count for p in view.weekly) == 4


def test_a_hospital_cannot_read_another_hospitals_feedback(session, town):
    hospitals, admins = town
    now = _rated(session, admins, [(1, 1, 5)])
    with pytest.raises(NotAllowed, match="your own hospital"):
        feedback.hospital_feedback(session, actor=admins[0], hospital_id=hospitals[1].id, now=now)
    citizen = add_user(session)
    for person in (citizen, None):
        with pytest.raises(NotAllowed):
            feedback.hospital_feedback(session, actor=person, hospital_id=hospitals[1].id, now=now)


def test_officers_see_every_hospitals_aggregates(session, town):
    hospitals, admins = town
    now = _rated(session, admins, [(0, 5, 1), (0, 4, 2), (1, 2, 3)])
    officer = add_user(session, "health_officer")
    region = feedback.region_feedback(session, actor=officer, now=now)
    assert [(r.hospital_name, r.count, r.average) for r in region] == [
        (hospitals[1].name, 1, 2.0), (hospitals[0].name, 2, 4.5)]  # lowest average first
    assert sum(p.count for p in feedback.region_weekly(session, actor=officer, now=now)) == 3
    for person in (admins[0], add_user(session)):
        with pytest.raises(NotAllowed):
            feedback.region_feedback(session, actor=person, now=now)


def test_the_region_average_counts_every_answer_once(session, town):
    _, admins = town
    now = _rated(session, admins, [(0, 5, 1), (0, 4, 2), (0, 4, 3), (1, 1, 4)])
    officer = add_user(session, "health_officer")
    totals = feedback.region_totals(feedback.region_feedback(session, actor=officer, now=now))
    # (5 + 4 + 4 + 1) / 4, not the mean of the hospitals' averages (4.33 and 1).
    assert (totals.answers, totals.average, totals.hospitals) == (4, pytest.approx(3.5), 2)
    assert feedback.region_totals([]) == feedback.RegionTotals(0, None, 0)

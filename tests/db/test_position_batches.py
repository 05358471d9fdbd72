"""Crew positions written together (db/position_writer.py, PostgreSQL): many phones posting at once
are all stored, each unit shows its newest position, an older post never becomes the latest (in
the same batch or racing in another worker's), a revoked link stores nothing, and a batch that
cannot be committed answers every one of its posts with the error (nothing of it stored)."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from db import crew, positions
from db.engine import make_engine
from db.models import Ambulance, CrewLink, UnitPosition, User
from db.position_writer import GroupWriter
from db.positions import NOT_ALLOWED, OLDER, STORED, Post
from tests.builders import CENTRE, T0, add_crew, city

WAIT_S = 30.0


@pytest.fixture
def units(pg_db):
    """12 units of one hospital, each with a crew link: [(unit id, link id, token hash prefix)]."""
    with pg_db.factory() as session:
        _hospitals, admins = city(session, 1)
        made = []
        for index in range(12):
            _token, unit, account = add_crew(session, admins[0], call_sign=f"AMB-{index}")
            session.flush()
            link = session.execute(select(CrewLink).where(CrewLink.crew_user_id == account.id)).scalar_one()
            made.append((unit.id, link.id, link.token_hash[:16]))
        session.commit()
    return made


def _post(unit, seconds: float, lat_offset: float = 0.0) -> Post:
    _unit_id, link_id, prefix = unit
    return Post(link_id, prefix, CENTRE[0] + lat_offset, CENTRE[1], 10.0, 8.0, T0 + timedelta(seconds=seconds))


def _latest(pg_db, unit_id):
    with pg_db.factory() as session:
        unit = session.get(Ambulance, unit_id)
        return unit.position_at, unit.latitude


def _track(pg_db, unit_id) -> list:
    """The unit's track rows in the order they were written."""
    with pg_db.factory() as session:
        return [at for (at,) in session.execute(select(UnitPosition.at).where(UnitPosition.ambulance_id == unit_id)
                                                .order_by(UnitPosition.id))]


def _in_threads(jobs) -> None:
    threads = [threading.Thread(target=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)


def test_many_phones_posting_at_once_are_all_stored_in_few_commits(pg_db, units):
    writers = [GroupWriter(pg_db.engine, gather_s=0.005) for _ in range(2)]  # two web workers
    answers: dict[int, list] = {unit[0]: [] for unit in units}

    def phone(index, unit):  # a phone posts every few seconds, one post after another
        for step in range(8):
            answers[unit[0]].append(writers[(index + step) % 2].write(_post(unit, step * 5, step * 0.001),
                                                                      timeout=WAIT_S))

    _in_threads([lambda i=i, u=u: phone(i, u) for i, u in enumerate(units)])
    assert all(said == [STORED] * 8 for said in answers.values()), answers
    for unit in units:
        assert _latest(pg_db, unit[0]) == (T0 + timedelta(seconds=35), pytest.approx(CENTRE[0] + 0.007))
        assert _track(pg_db, unit[0]) == [T0 + timedelta(seconds=5 * step) for step in range(8)]
    with pg_db.factory() as session:
        posts, commits = session.execute(select(func.count(), func.count(UnitPosition.recorded_at.distinct()))).one()
    assert posts == 96 and commits < posts  # posts that came together were stored together


def test_an_older_post_in_the_same_batch_as_a_newer_one_is_ignored(pg_db, units):
    first, second = units[0], units[1]
    with pg_db.engine.begin() as connection:
        # The newer came first: the older one after it is ignored, as if they had come one by one.
        said = positions.store_posts(connection, [_post(first, 20, 0.02), _post(first, 10, 0.01),
                                                  _post(second, 10, 0.01), _post(second, 20, 0.02)], now=T0)
    assert said == [STORED, OLDER, STORED, STORED]
    assert _latest(pg_db, first[0]) == (T0 + timedelta(seconds=20), pytest.approx(CENTRE[0] + 0.02))
    assert _track(pg_db, first[0]) == [T0 + timedelta(seconds=20)]
    # The older came first: both are stored, the newer is the latest.
    assert _latest(pg_db, second[0]) == (T0 + timedelta(seconds=20), pytest.approx(CENTRE[0] + 0.02))
    assert _track(pg_db, second[0]) == [T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)]
    with pg_db.engine.begin() as connection:  # the same time again, or older than the stored: ignored
        assert positions.store_posts(connection, [_post(first, 20), _post(first, 15)], now=T0) == [OLDER, OLDER]
    assert _latest(pg_db, first[0])[0] == T0 + timedelta(seconds=20)


def test_racing_posts_of_one_unit_never_store_an_older_one_after_a_newer(pg_db, units):
    """Two phones of one unit (two links) and two workers, posts of random times at once: every
    post stored is newer than all stored before it, and the latest is the newest post of all."""
    unit = units[0]
    with pg_db.factory() as session:
        admin = session.execute(select(User).where(User.role == "hospital_admin")).scalars().first()
        _token, second_link = crew.issue(session, actor=admin, ambulance_id=unit[0], now=T0)
        session.commit()
        phones = [unit, (unit[0], second_link.id, second_link.token_hash[:16])]
    writers = [GroupWriter(pg_db.engine, gather_s=0.0) for _ in range(2)]
    rng = random.Random(14)
    times = [rng.uniform(0, 1000) for _ in range(240)]
    said: list[tuple[float, str]] = []

    def poster(index):
        for step, seconds in enumerate(times[index::8]):
            answer = writers[(index + step) % 2].write(_post(phones[index % 2], seconds), timeout=WAIT_S)
            said.append((seconds, answer))

    _in_threads([lambda i=i: poster(i) for i in range(8)])
    assert len(said) == len(times) and {answer for _s, answer in said} <= {STORED, OLDER}
    stored = sorted(T0 + timedelta(seconds=s) for s, answer in said if answer == STORED)
    track = _track(pg_db, unit[0])
    assert sorted(track) == stored  # exactly the posts answered "stored"
    assert track == sorted(track) and len(set(track)) == len(track)  # each newer than every one before it
    assert _latest(pg_db, unit[0])[0] == T0 + timedelta(seconds=max(times)) == track[-1]


def _waiting_on_locks(pg_db, count: int) -> None:
    """Until `count` sessions of the test's database wait for a lock."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with pg_db.engine.connect() as connection:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()
        if waiting >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} sessions waiting for a lock")


def test_a_post_written_after_another_workers_newer_one_is_ignored(pg_db, units):
    """Worker 1 writes 08:00:20 and worker 2 08:00:10 for the same unit at the same moment (both read
    the unit before either committed): the one that commits second must see the first's."""
    unit = units[0]
    writers = [GroupWriter(pg_db.engine, gather_s=0.0) for _ in range(2)]
    answers = {}

    def post(name, writer, seconds):
        answers[name] = writer.write(_post(unit, seconds), timeout=WAIT_S)

    newer = threading.Thread(target=post, args=("newer", writers[0], 20))
    older = threading.Thread(target=post, args=("older", writers[1], 10))
    with pg_db.engine.connect() as dispatcher:  # another transaction holds the unit's row for a moment
        dispatcher.execute(select(Ambulance.id).where(Ambulance.id == unit[0]).with_for_update())
        newer.start()
        _waiting_on_locks(pg_db, 1)
        older.start()
        _waiting_on_locks(pg_db, 2)
        dispatcher.rollback()
    newer.join(WAIT_S)
    older.join(WAIT_S)
    assert answers == {"newer": STORED, "older": OLDER}
    assert _track(pg_db, unit[0]) == [T0 + timedelta(seconds=20)]
    assert _latest(pg_db, unit[0])[0] == T0 + timedelta(seconds=20)


def test_a_revoked_link_a_disabled_account_or_a_retired_unit_stores_nothing(pg_db, units):
    revoked, disabled, retired, fine = units[:4]
    with pg_db.factory() as session:
        admin = session.execute(select(User).where(User.role == "hospital_admin")).scalars().first()
        crew.revoke(session, actor=admin, link_id=revoked[1], now=T0)
        session.get(User, session.get(CrewLink, disabled[1]).crew_user_id).status = "disabled"
        session.get(Ambulance, retired[0]).retired_at = T0
        session.commit()
    wrong_prefix = (fine[0], fine[1], "0" * 16)  # a forged session: the link's hash does not match
    with pg_db.engine.begin() as connection:
        said = positions.store_posts(connection, [_post(u, 10) for u in (revoked, disabled, retired, wrong_prefix, fine)],
                                     now=T0)
    assert said == [NOT_ALLOWED] * 4 + [STORED]
    for unit in (revoked, disabled, retired):
        assert _latest(pg_db, unit[0]) == (None, None) and _track(pg_db, unit[0]) == []
    assert _track(pg_db, fine[0]) == [T0 + timedelta(seconds=10)]


def test_a_batch_that_cannot_be_committed_answers_every_post_with_the_error(pg_db, units):
    writer = GroupWriter(pg_db.engine, gather_s=0.5)  # long enough for all three to join one batch
    broken = Post(units[2][1], units[2][2], 95.0, CENTRE[1], None, None, T0)  # past the table's own check
    answers = {}

    def post(name, one):
        answers[name] = writer.write(one, timeout=WAIT_S)

    _in_threads([lambda: post("a", _post(units[0], 10)), lambda: post("b", _post(units[1], 10)),
                 lambda: post("broken", broken)])
    assert all(isinstance(answer, IntegrityError) for answer in answers.values()), answers
    assert all(_track(pg_db, unit[0]) == [] and _latest(pg_db, unit[0]) == (None, None) for unit in units[:3])
    # The writer goes on: the phones' next posts are stored.
    writer.gather_s = 0.0
    assert writer.write(_post(units[0], 15), timeout=WAIT_S) == STORED


def test_an_unreachable_database_answers_every_post_with_the_outage(pg_db, units):
    dead = make_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none")
    try:
        writer = GroupWriter(dead, gather_s=0.2)
        answers = []
        _in_threads([lambda u=u: answers.append(writer.write(_post(u, 10), timeout=WAIT_S)) for u in units[:4]])
        assert len(answers) == 4 and all(isinstance(answer, OperationalError) for answer in answers), answers
    finally:
        dead.dispose()
    assert all(_track(pg_db, unit[0]) == [] for unit in units[:4])

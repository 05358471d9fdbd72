"""First accept wins under real concurrency.

Sixteen hospital admins press Accept on the same SOS at the same instant, over many SOS. The
product's compare-and-set must give exactly one winner each time. The same harness run against
a read-then-write version (kept here, never in the product) finds double winners on PostgreSQL,
which proves the harness can see the bug it guards against.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from db import sos as sos_ops
from db.errors import DomainError
from db.models import Hospital, Sos, SosOffer
from tests.builders import CENTRE, T0, add_hospital, add_user

ACCEPTERS = 16
CONTESTED_SOS = 25


def naive_accept(session, *, actor, sos_id, now):
    """Read, check, then write: what the product must never do."""
    sos = session.get(Sos, sos_id)
    if sos.status not in ("pending", "unanswered"):
        raise sos_ops.AlreadyAccepted(by="someone")
    time.sleep(0.002)  # the time a real request spends between its read and its write
    sos.status = "accepted"
    sos.hospital_id = actor.hospital_id
    sos.accepted_at = now
    return sos


def _setup(factory):
    with factory() as session:
        admins, sos_ids = [], []
        for index in range(ACCEPTERS):
            hospital = add_hospital(session, f"Racer {index}", lat=CENTRE[0], lon=CENTRE[1] + index / 1000)
            admins.append(add_user(session, "hospital_admin", hospital=hospital))
        for _ in range(CONTESTED_SOS):
            citizen = add_user(session)
            sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=CENTRE[0],
                                        longitude=CENTRE[1], now=T0)
            for admin in admins:
                session.add(SosOffer(sos_id=sos.id, hospital_id=admin.hospital_id, ring=0,
                                     distance_km=1.0, status="offered", offered_at=T0))
            sos_ids.append(sos.id)
        session.commit()
        return [a.id for a in admins], sos_ids


def race(factory, accept, *, refusals=None):
    """Returns, per SOS, the hospitals that were told they won; `refusals` (a dict) gets, per SOS,
    what the others were told."""
    admin_ids, sos_ids = _setup(factory)
    winners = {sos_id: [] for sos_id in sos_ids}
    lock = threading.Lock()

    def press(admin_id, sos_id, barrier):
        with factory() as session:
            from db.models import User

            actor = session.get(User, admin_id)
            session.commit()
            barrier.wait()
            try:
                sos = accept(session, actor=actor, sos_id=sos_id, now=T0)
                session.commit()
            except DomainError as refused:
                session.rollback()
                if refusals is not None:
                    with lock:
                        refusals.setdefault(sos_id, []).append(refused.message)
                return
            except Exception:  # a database refusal (constraint, serialization) is not a win
                session.rollback()
                return
            if sos.hospital_id == actor.hospital_id:
                with lock:
                    winners[sos_id].append(actor.hospital_id)

    with ThreadPoolExecutor(max_workers=ACCEPTERS) as pool:
        for sos_id in sos_ids:
            barrier = threading.Barrier(ACCEPTERS)
            list(pool.map(press, admin_ids, [sos_id] * len(admin_ids), [barrier] * len(admin_ids)))
    with factory() as session:
        stored = dict(session.execute(select(Sos.id, Sos.hospital_id)).all())
    return winners, stored


def test_exactly_one_winner_per_contested_sos(db):
    winners, stored = race(db.factory, sos_ops.accept_sos)
    assert all(len(w) == 1 for w in winners.values()), {k: v for k, v in winners.items() if len(v) != 1}
    # The winner each admin was told about is the one the database kept.
    assert all(stored[sos_id] == w[0] for sos_id, w in winners.items())


def test_every_loser_is_told_which_hospital_won(db):
    """Each of the fifteen who pressed at the same instant as the winner reads its name, never
    "no longer open" or an error: the one who won had not committed yet when most of them began."""
    refusals = {}
    winners, stored = race(db.factory, sos_ops.accept_sos, refusals=refusals)
    with db.factory() as session:
        names = dict(session.execute(select(Hospital.id, Hospital.name)).all())
    for sos_id, won in winners.items():
        assert refusals[sos_id] == [f"Already accepted by {names[won[0]]}."] * (ACCEPTERS - 1), refusals[sos_id]


def test_the_race_harness_catches_read_then_write(pg_db):
    winners, _ = race(pg_db.factory, naive_accept)
    doubles = sum(1 for w in winners.values() if len(w) > 1)
    assert doubles > 0, "the naive version should have produced double winners"

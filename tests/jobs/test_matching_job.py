"""The matching job is correct when it runs twice, or in several processes at once."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from db import matching
from db.models import Sos, SosOffer
from tests.builders import T0, add_user, city, send_sos


def _setup(factory, sos_count=40):
    with factory() as session:
        city(session, 12, spacing_km=0.5)
        for _ in range(sos_count):
            send_sos(session, add_user(session))
        session.commit()


def test_running_twice_offers_nothing_twice(db):
    _setup(db.factory, 5)
    with db.factory() as session:
        first = matching.match_due(session, now=T0, rings=(5.0, 15.0), per_ring=4)
        second = matching.match_due(session, now=T0, rings=(5.0, 15.0), per_ring=4)
        session.commit()
        assert first.sos_matched == 5 and first.offered == 20
        assert second.offered == 0


def test_concurrent_job_processes_neither_duplicate_nor_skip(pg_db):
    _setup(pg_db.factory, 40)
    errors = []

    def worker():
        try:
            for _ in range(3):
                with pg_db.factory() as session:
                    matching.match_due(session, now=T0, rings=(5.0, 15.0), per_ring=4,
                                       escalate_after=timedelta(seconds=60))
                    session.commit()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with pg_db.factory() as session:
        per_sos = dict(session.execute(
            select(SosOffer.sos_id, func.count()).group_by(SosOffer.sos_id)).all())
        total_sos = session.execute(select(func.count()).select_from(Sos)).scalar_one()
        rings = dict(session.execute(select(Sos.id, Sos.ring)).all())
    assert len(per_sos) == total_sos == 40  # none skipped
    assert set(per_sos.values()) == {4}  # exactly one ring of 4 each: nothing offered twice
    assert set(rings.values()) == {1}

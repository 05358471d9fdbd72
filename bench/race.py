"""accept_race_double / accept_race_rate: 32 hospitals accepting the same SOS at the same instant,
over 1,000 SOS, on PostgreSQL, through db.sos.accept_sos (the compare-and-set)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from sqlalchemy import text

from bench.env import Bench, add_users, log, utcnow
from bench.results import Result


def _seed(factory, accepters: int, sos_count: int) -> tuple[list[int], list[int]]:
    """sos_count SOS, each offered to the same `accepters` hospitals; (SOS ids, their admins' ids)."""
    from db.capacity import ensure_bed_types
    from db.models import Hospital, SosOffer
    from db.sos import create_sos

    now = utcnow()
    with factory() as session:
        ensure_bed_types(session)
        hospitals = []
        for index in range(accepters):
            hospital = Hospital(name=f"Race hospital {index}", address="", city="", latitude=12.9 + index * 0.001,
                                longitude=77.6, status="active", ems_status="normal", ems_reason="",
                                created_at=now)
            session.add(hospital)
            hospitals.append(hospital)
        session.flush()
        admins = add_users(session, "hospital_admin", accepters, prefix="race-admin",
                           hospital_ids=[h.id for h in hospitals])
        citizens = add_users(session, "citizen", sos_count, prefix="race-citizen")
        sos_ids = []
        for citizen in citizens:
            sos, _ = create_sos(session, actor=citizen, latitude=12.91, longitude=77.6, now=now)
            sos_ids.append(sos.id)
        session.flush()
        session.execute(SosOffer.__table__.insert(), [
            {"sos_id": sos_id, "hospital_id": h.id, "ring": 0, "distance_km": 1.0, "status": "offered",
             "offered_at": now} for sos_id in sos_ids for h in hospitals])
        session.commit()
        return sos_ids, [a.id for a in admins]


class Race:
    """One thread per hospital admin; on every SOS they all press "Accept" at the same instant (a
    barrier), each in its own transaction. Records who was told they won, and unexpected errors."""

    def __init__(self, factory, sos_ids: list[int], accepters: int):
        self.factory, self.sos_ids = factory, sos_ids
        self.winners: dict[int, list[int]] = defaultdict(list)
        self.unexpected: list[str] = []
        self.calls = 0
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(accepters, timeout=30)

    def run(self, admin_ids: list[int]) -> float:
        """Seconds from the start of the first thread to the end of the last."""
        threads = [threading.Thread(target=self._accepter, args=(admin_id,), daemon=True) for admin_id in admin_ids]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=900)
        return time.perf_counter() - started

    def _accepter(self, admin_id: int) -> None:
        from db.models import User

        with self.factory() as session:
            actor = session.get(User, admin_id)
            session.expunge(actor)
        done = 0
        for sos_id in self.sos_ids:
            try:
                self.barrier.wait()  # everyone presses "Accept" on this SOS at the same instant
            except threading.BrokenBarrierError:
                return
            self._accept(actor, sos_id)
            done += 1
        with self.lock:
            self.calls += done

    def _accept(self, actor, sos_id: int) -> None:
        from db.errors import DomainError
        from db.sos import accept_sos

        with self.factory() as session:
            try:
                sos = accept_sos(session, actor=actor, sos_id=sos_id, now=utcnow())
                session.commit()
                if sos.hospital_id == actor.hospital_id:
                    with self.lock:
                        self.winners[sos_id].append(actor.hospital_id)
            except DomainError:
                session.rollback()  # lost: told who won
            except Exception as error:  # noqa: BLE001 - counted, reported
                session.rollback()
                with self.lock:
                    self.unexpected.append(f"{type(error).__name__}: {error}"[:200])


def _database_counts(engine) -> tuple[int, int, int]:
    """(SOS with more than one accepted offer, SOS whose hospital is not its accepted offer's,
    accepted SOS) as the database has them."""
    with engine.connect() as connection:
        db_double = connection.execute(text(
            "SELECT count(*) FROM (SELECT sos_id FROM sos_offers WHERE status = 'accepted' "
            "GROUP BY sos_id HAVING count(*) > 1) d")).scalar_one()
        mismatched = connection.execute(text(
            "SELECT count(*) FROM sos s JOIN sos_offers o ON o.sos_id = s.id AND o.status = 'accepted' "
            "WHERE s.hospital_id IS DISTINCT FROM o.hospital_id")).scalar_one()
        accepted = connection.execute(text("SELECT count(*) FROM sos WHERE status = 'accepted'")).scalar_one()
    return db_double, mismatched, accepted


def run(bench: Bench) -> list[Result]:
    from db.engine import make_session_factory

    accepters = 32
    sos_count = 200 if bench.quick else 1000
    database = bench.new_database("race")
    engine = database.engine(pool_size=accepters + 4, max_overflow=8)
    factory = make_session_factory(engine)
    try:
        log(f"accept race: seeding {sos_count} SOS offered to {accepters} hospitals")
        sos_ids, admin_ids = _seed(factory, accepters, sos_count)
        race = Race(factory, sos_ids, accepters)
        log(f"accept race: {accepters} accepters × {sos_count} SOS")
        elapsed = race.run(admin_ids)
        db_double, mismatched, accepted = _database_counts(engine)
        double = sum(1 for hs in race.winners.values() if len(hs) > 1)
        no_winner = sum(1 for sos_id in sos_ids if not race.winners.get(sos_id))
        detail = {"accepters": accepters, "sos": sos_count, "calls": race.calls, "seconds": round(elapsed, 2),
                  "sos_with_more_than_one_winner_by_callers": double,
                  "sos_with_more_than_one_accepted_offer_in_db": db_double,
                  "sos_whose_hospital_differs_from_accepted_offer": mismatched,
                  "sos_without_winner": no_winner, "accepted_in_db": accepted,
                  "unexpected_errors": len(race.unexpected), "first_errors": race.unexpected[:5]}
        total_double = double + db_double + mismatched
        return [
            Result("accept_race_double", total_double, "SOS", "0",
                   total_double == 0 and not race.unexpected and no_winner == 0, detail),
            Result("accept_race_rate", round(race.calls / elapsed, 1), "accepts/s", "report", None,
                   {"note": "accept attempts (32 per SOS, all at once) per second, each its own transaction",
                    "winning_accepts_per_s": round(sos_count / elapsed, 1)}),
        ]
    finally:
        engine.dispose()
        bench.drop_database(database)

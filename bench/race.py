"""accept_race_double / accept_race_rate: 32 hospitals accepting the same SOS at the same instant,
over 1,000 SOS, on PostgreSQL, through db.sos.accept_sos (the compare-and-set)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from sqlalchemy import text

from bench.env import Bench, add_users, log, utcnow
from bench.results import Result


def run(bench: Bench) -> list[Result]:
    from db.capacity import ensure_bed_types
    from db.engine import make_session_factory
    from db.errors import DomainError
    from db.models import Hospital, SosOffer, User
    from db.sos import accept_sos, create_sos

    accepters = 32
    sos_count = 200 if bench.quick else 1000
    database = bench.new_database("race")
    engine = database.engine(pool_size=accepters + 4, max_overflow=8)
    factory = make_session_factory(engine)
    try:
        log(f"accept race: seeding {sos_count} SOS offered to {accepters} hospitals")
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
            admin_ids = [a.id for a in admins]

        winners: dict[int, list[int]] = defaultdict(list)
        unexpected: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(accepters, timeout=30)
        calls = [0]

        def accepter(admin_id: int) -> None:
            with factory() as session:
                actor = session.get(User, admin_id)
                session.expunge(actor)
            done = 0
            for sos_id in sos_ids:
                try:
                    barrier.wait()  # everyone presses "Accept" on this SOS at the same instant
                except threading.BrokenBarrierError:
                    return
                with factory() as session:
                    try:
                        sos = accept_sos(session, actor=actor, sos_id=sos_id, now=utcnow())
                        session.commit()
                        if sos.hospital_id == actor.hospital_id:
                            with lock:
                                winners[sos_id].append(actor.hospital_id)
                    except DomainError:
                        session.rollback()  # lost: told who won
                    except Exception as error:  # noqa: BLE001 - counted, reported
                        session.rollback()
                        with lock:
                            unexpected.append(f"{type(error).__name__}: {error}"[:200])
                done += 1
            with lock:
                calls[0] += done

        threads = [threading.Thread(target=accepter, args=(admin_id,), daemon=True) for admin_id in admin_ids]
        log(f"accept race: {accepters} accepters × {sos_count} SOS")
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=900)
        elapsed = time.perf_counter() - started

        with engine.connect() as connection:
            db_double = connection.execute(text(
                "SELECT count(*) FROM (SELECT sos_id FROM sos_offers WHERE status = 'accepted' "
                "GROUP BY sos_id HAVING count(*) > 1) d")).scalar_one()
            mismatched = connection.execute(text(
                "SELECT count(*) FROM sos s JOIN sos_offers o ON o.sos_id = s.id AND o.status = 'accepted' "
                "WHERE s.hospital_id IS DISTINCT FROM o.hospital_id")).scalar_one()
            accepted = connection.execute(text("SELECT count(*) FROM sos WHERE status = 'accepted'")).scalar_one()
        double = sum(1 for hs in winners.values() if len(hs) > 1)
        no_winner = sum(1 for sos_id in sos_ids if not winners.get(sos_id))
        detail = {"accepters": accepters, "sos": sos_count, "calls": calls[0], "seconds": round(elapsed, 2),
                  "sos_with_more_than_one_winner_by_callers": double,
                  "sos_with_more_than_one_accepted_offer_in_db": db_double,
                  "sos_whose_hospital_differs_from_accepted_offer": mismatched,
                  "sos_without_winner": no_winner, "accepted_in_db": accepted,
                  "unexpected_errors": len(unexpected), "first_errors": unexpected[:5]}
        total_double = double + db_double + mismatched
        return [
            Result("accept_race_double", total_double, "SOS", "0",
                   total_double == 0 and not unexpected and no_winner == 0, detail),
            Result("accept_race_rate", round(calls[0] / elapsed, 1), "accepts/s", "report", None,
                   {"note": "accept attempts (32 per SOS, all at once) per second, each its own transaction",
                    "winning_accepts_per_s": round(sos_count / elapsed, 1)}),
        ]
    finally:
        engine.dispose()
        bench.drop_database(database)

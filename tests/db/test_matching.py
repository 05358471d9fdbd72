"""Matching against an independent reference: every offer the database makes (nearest-first index
walk on PostgreSQL, bounding box on SQLite) is what a plain great-circle scan over all hospitals
says it should be, ring after ring."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.capacity import ensure_bed_types
from db.geo import haversine_km
from db.models import HospitalBeds, Sos, SosEvent, SosOffer
from db.sos import EMERGENCY_TYPES
from tests.builders import CENTRE, T0, add_hospital, add_user, match_now, send_sos

RINGS = (3.0, 8.0, 20.0)
PER_RING = 5


def _random_city(session, rng, count=300):
    """Hospitals scattered up to ~25 km from the centre, some on diversion or not yet approved, with random
    free beds (often none of a type)."""
    types = ensure_bed_types(session)
    hospitals = []
    for index in range(count):
        hospital = add_hospital(session, f"H{index}", lat=CENTRE[0] + rng.uniform(-0.22, 0.22),
                                lon=CENTRE[1] + rng.uniform(-0.22, 0.22),
                                status="active" if rng.random() > 0.05 else "proposed")
        hospital.ems_status = rng.choice(["normal"] * 8 + ["advisory", "closed"])
        free = {}
        for bed_type in types:
            total = rng.randint(1, 20)
            free[bed_type.code] = 0 if rng.random() < 0.4 else rng.randint(1, total)
            session.add(HospitalBeds(hospital_id=hospital.id, bed_type_id=bed_type.id, total=total,
                                     available=free[bed_type.code], version=1, updated_at=T0))
        hospitals.append((hospital, free))
    session.flush()
    return hospitals


def _expected_ring(hospitals, sos, already: set, start_ring: int):
    """(ring index, {hospital id: km}) the rules say to offer next, or (None, {})."""
    bed = EMERGENCY_TYPES[sos.emergency_type].bed_code if sos.emergency_type else None
    capable = []
    for hospital, free in hospitals:
        if hospital.status != "active" or hospital.ems_status == "closed" or hospital.id in already:
            continue
        if bed is not None and free[bed] <= 0:
            continue
        capable.append((haversine_km(sos.latitude, sos.longitude, hospital.latitude, hospital.longitude), hospital.id))
    capable.sort()
    for ring in range(start_ring, len(RINGS)):
        inside = [(km, hid) for km, hid in capable if km <= RINGS[ring]][:PER_RING]
        if inside:
            return ring, {hid: km for km, hid in inside}
    return None, {}


def test_offers_match_an_exact_great_circle_scan_ring_after_ring(db, clock):
    rng = random.Random(20261202)
    with db.factory() as session:
        hospitals = _random_city(session, rng)
        sos_list = [send_sos(session, add_user(session), now=clock(),
                             lat=CENTRE[0] + rng.uniform(-0.25, 0.25), lon=CENTRE[1] + rng.uniform(-0.25, 0.25),
                             emergency_type=rng.choice([None] + list(EMERGENCY_TYPES)))
                    for _ in range(25)]
        session.commit()
        offered: dict[int, set] = {s.id: set() for s in sos_list}
        unanswered_seen = 0
        for round_number in range(len(RINGS) + 1):
            expected = {}
            for sos in sos_list:
                sos = session.get(Sos, sos.id)
                if sos.status == "pending":
                    expected[sos.id] = _expected_ring(hospitals, sos, offered[sos.id], sos.ring)
            summary = match_now(session, now=clock(), rings=RINGS, per_ring=PER_RING,
                                escalate_after=timedelta(seconds=60))
            session.commit()
            for sos_id, (ring, want) in expected.items():
                rows = session.execute(select(SosOffer).where(SosOffer.sos_id == sos_id,
                                                              SosOffer.hospital_id.not_in(offered[sos_id]))).scalars().all()
                got = {o.hospital_id: o.distance_km for o in rows}
                assert set(got) == set(want), f"SOS {sos_id}, round {round_number}"
                for hospital_id, km in want.items():
                    assert abs(got[hospital_id] - km) < 0.002
                assert {o.ring for o in rows} <= {ring}
                sos = session.get(Sos, sos_id)
                if ring is None:
                    assert sos.status == "unanswered"
                    unanswered_seen += 1
                else:
                    assert sos.status == "pending" and sos.ring == ring + 1
                    assert sos.next_escalation_at == clock() + timedelta(seconds=60)
                offered[sos_id] |= set(got)
            assert summary.offered == sum(len(w) for _, w in expected.values())
            assert summary.unanswered == sum(1 for r, _ in expected.values() if r is None)
            clock.advance(seconds=61)
        events = session.execute(select(SosEvent.kind, SosEvent.detail)).all()
        assert sum(1 for kind, _ in events if kind == "unanswered") == unanswered_seen > 0
        offer_lines = [detail for kind, detail in events if kind == "offered"]
        assert offer_lines and all(line.startswith("Offered to ") and line.endswith(" km") for line in offer_lines)
        # Every SOS ends unanswered here: nobody accepts, and every ring runs out.
        assert {session.get(Sos, s.id).status for s in sos_list} == {"unanswered"}


def test_a_round_that_cannot_finish_writes_nothing_and_the_next_one_offers(pg_db, clock):
    """The nearest hospital's row is held by another transaction past the lock timeout: the round
    fails with SQLAlchemy's error (what the job runner and the SOS button handle), leaves the SOS
    as it was, and the next round offers it."""
    from sqlalchemy import exc, text

    from tests.builders import city

    with pg_db.factory() as session:
        hospitals, _ = city(session, 2)
        sos = send_sos(session, add_user(session), now=clock())
        session.commit()
        sos_id, nearest_id = sos.id, hospitals[0].id

    with pg_db.factory() as blocker, pg_db.factory() as session:
        blocker.execute(text("SELECT id FROM hospitals WHERE id = :id FOR UPDATE"), {"id": nearest_id})
        session.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(exc.OperationalError, match="lock"):
            match_now(session, now=clock(), rings=RINGS, per_ring=PER_RING)
        session.rollback()
        blocker.rollback()

    with pg_db.factory() as session:
        assert session.scalar(select(func.count()).select_from(SosOffer)) == 0
        assert session.get(Sos, sos_id).ring == 0
        summary = match_now(session, now=clock(), rings=RINGS, per_ring=PER_RING)
        session.commit()
        assert summary.offered == 2
        offers = session.execute(select(SosOffer.hospital_id).where(SosOffer.sos_id == sos_id)).scalars().all()
        assert nearest_id in offers

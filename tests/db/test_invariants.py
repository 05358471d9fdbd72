"""The database itself keeps the invariants, whatever code writes to it."""

import pytest
from sqlalchemy.exc import IntegrityError

from db.capacity import ensure_bed_types
from db.models import Ambulance, BloodStock, Feedback, HospitalBeds, Sos, SosOffer
from tests.builders import T0, add_hospital, add_user


def _commit_fails(session):
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def _beds(session, hospital, total, available):
    icu = ensure_bed_types(session)[0]
    return HospitalBeds(hospital_id=hospital.id, bed_type_id=icu.id, total=total,
                        available=available, version=1, updated_at=T0)


def _sos(session, citizen, status="pending", hospital=None):
    return Sos(citizen_id=citizen.id, status=status, latitude=12.97, longitude=77.59,
               hospital_id=hospital.id if hospital else None, created_at=T0, updated_at=T0)


@pytest.mark.parametrize("total,available", [(-1, 0), (5, -1), (5, 6)])
def test_bed_counts_never_negative_nor_above_total(session, total, available):
    hospital = add_hospital(session)
    session.commit()
    session.add(_beds(session, hospital, total, available))
    _commit_fails(session)


def test_blood_units_never_negative(session):
    hospital = add_hospital(session)
    session.add(BloodStock(hospital_id=hospital.id, blood_group="O-", component="whole_blood",
                           units=-1, low_threshold=2, updated_at=T0))
    _commit_fails(session)


def test_unknown_blood_group_is_refused(session):
    hospital = add_hospital(session)
    session.add(BloodStock(hospital_id=hospital.id, blood_group="C+", component="whole_blood",
                           units=1, low_threshold=2, updated_at=T0))
    _commit_fails(session)


def test_one_open_sos_per_citizen(session):
    citizen = add_user(session)
    session.add(_sos(session, citizen))
    session.commit()
    session.add(_sos(session, citizen))
    _commit_fails(session)


def test_closed_sos_do_not_block_a_new_one(session):
    citizen = add_user(session)
    hospital = add_hospital(session)
    session.add_all([_sos(session, citizen, "resolved", hospital), _sos(session, citizen, "cancelled")])
    session.add(_sos(session, citizen))
    session.commit()


def test_accepted_sos_must_name_its_hospital(session):
    citizen = add_user(session)
    session.add(_sos(session, citizen, status="accepted"))
    _commit_fails(session)


def test_only_one_accepted_offer_per_sos(session):
    citizen = add_user(session)
    h1, h2 = add_hospital(session, "One"), add_hospital(session, "Two")
    sos = _sos(session, citizen)
    session.add(sos)
    session.flush()
    for hospital in (h1, h2):
        session.add(SosOffer(sos_id=sos.id, hospital_id=hospital.id, ring=0, distance_km=1.0,
                             status="accepted", offered_at=T0))
    _commit_fails(session)


def test_no_hospital_is_offered_the_same_sos_twice(session):
    citizen = add_user(session)
    hospital = add_hospital(session)
    sos = _sos(session, citizen)
    session.add(sos)
    session.flush()
    for _ in range(2):
        session.add(SosOffer(sos_id=sos.id, hospital_id=hospital.id, ring=0, distance_km=1.0,
                             status="offered", offered_at=T0))
    _commit_fails(session)


def test_one_feedback_per_sos_and_rating_in_range(session):
    citizen = add_user(session)
    hospital = add_hospital(session)
    sos = _sos(session, citizen, "resolved", hospital)
    session.add(sos)
    session.commit()
    session.add(Feedback(sos_id=sos.id, citizen_id=citizen.id, hospital_id=hospital.id,
                         rating=6, created_at=T0))
    _commit_fails(session)
    session.add(Feedback(sos_id=sos.id, citizen_id=citizen.id, hospital_id=hospital.id,
                         rating=5, created_at=T0))
    session.commit()
    session.add(Feedback(sos_id=sos.id, citizen_id=citizen.id, hospital_id=hospital.id,
                         rating=4, created_at=T0))
    _commit_fails(session)


def test_a_unit_on_a_job_names_its_sos(session):
    hospital = add_hospital(session)
    session.add(Ambulance(hospital_id=hospital.id, call_sign="A-1", status="dispatched",
                          status_since=T0, created_at=T0))
    _commit_fails(session)


def test_active_hospital_admin_needs_a_hospital(session):
    with pytest.raises(IntegrityError):
        add_user(session, "hospital_admin", hospital=None)

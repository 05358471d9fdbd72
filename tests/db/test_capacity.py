"""Beds: editing with optimistic concurrency, steppers, EMS status, search, staleness, trend."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import capacity
from db.errors import InvalidInput, NotAllowed
from db.models import BedHistory, HospitalBeds
from tests.builders import CENTRE, T0, add_hospital, add_user, give_beds


@pytest.fixture
def ward(session):
    capacity.ensure_bed_types(session)
    hospital = add_hospital(session, "Ward Hospital")
    admin = add_user(session, "hospital_admin", hospital=hospital)
    session.commit()
    return hospital, admin


def _icu(session, hospital_id):
    return {f.code: f for f in capacity.beds_of_hospital(
        session, actor=add_user(session, "super_admin"), hospital_id=hospital_id)}["ICU"]


def test_first_save_then_versioned_saves(session, ward):
    hospital, admin = ward
    first = capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=10,
                              available=4, expected_version=0, now=T0)
    assert (first.total, first.available, first.version) == (10, 4, 1)
    second = capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total="12",
                               available=5.0, expected_version=1, now=T0 + timedelta(minutes=1))
    assert (second.total, second.available, second.version) == (12, 5, 2)
    assert session.execute(select(func.count()).select_from(BedHistory)).scalar_one() == 2


def test_save_based_on_stale_figures_is_refused_with_the_new_ones(session, ward):
    hospital, admin = ward
    other = add_user(session, "hospital_admin", hospital=hospital)
    capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=10, available=4,
                      expected_version=0, now=T0)
    capacity.set_beds(session, actor=other, hospital_id=hospital.id, bed_code="ICU", total=10, available=2,
                      expected_version=1, now=T0)
    with pytest.raises(capacity.StaleFigures, match="just changed by .* to 2 free of 10"):
        capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=10, available=6,
                          expected_version=1, now=T0)
    assert _icu(session, hospital.id).available == 2


@pytest.mark.parametrize(
    "total,available,field,message",
    [
        (-1, 0, "total", "cannot be negative"),
        (10, -2, "available", "cannot be negative"),
        (10.5, 2, "total", "no fractions"),
        ("ten", 2, "total", "whole number"),
        ("", 2, "total", "Enter the number"),
        (10, 11, "available", "cannot be more than the total"),
        (10**9, 1, "total", "not believable"),
    ],
)
def test_bad_bed_figures_are_refused_at_the_field_and_change_nothing(session, ward, total, available, field, message):
    hospital, admin = ward
    with pytest.raises(InvalidInput, match=message) as error:
        capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=total,
                          available=available, expected_version=0, now=T0)
    assert error.value.field == field
    assert session.execute(select(func.count()).select_from(HospitalBeds)).scalar_one() == 0


def test_other_hospital_cannot_change_my_figures(session, ward):
    hospital, _ = ward
    outsider = add_user(session, "hospital_admin", hospital=add_hospital(session, "Elsewhere"))
    for actor in (outsider, add_user(session, "citizen"), add_user(session, "health_officer")):
        with pytest.raises(NotAllowed):
            capacity.set_beds(session, actor=actor, hospital_id=hospital.id, bed_code="ICU", total=5,
                              available=5, expected_version=0, now=T0)
        with pytest.raises(NotAllowed):
            capacity.set_ems_status(session, actor=actor, hospital_id=hospital.id, status="closed",
                                    reason="x", now=T0)


def test_steppers_stay_within_zero_and_total(session, ward):
    hospital, admin = ward
    capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=1, available=1,
                      expected_version=0, now=T0)
    assert capacity.step_available(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", delta=-1,
                                   now=T0).available == 0
    with pytest.raises(InvalidInput, match="No free ICU beds left"):
        capacity.step_available(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", delta=-1, now=T0)
    capacity.step_available(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", delta=1, now=T0)
    with pytest.raises(InvalidInput, match="already free"):
        capacity.step_available(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", delta=1, now=T0)


def test_diversion_needs_a_reason_and_is_kept_as_history(session, ward):
    hospital, admin = ward
    with pytest.raises(InvalidInput) as error:
        capacity.set_ems_status(session, actor=admin, hospital_id=hospital.id, status="closed", reason=" ", now=T0)
    assert error.value.field == "ems_reason"
    capacity.set_ems_status(session, actor=admin, hospital_id=hospital.id, status="closed",
                            reason="CT scanner down", now=T0)
    assert capacity.hospitals_by_ems_status(session) == {"closed": 1}


def test_search_orders_by_distance_filters_by_type_and_flags_stale(session, clock):
    near = add_hospital(session, "Near", lat=CENTRE[0], lon=CENTRE[1] + 1 / 108.5)
    mid = add_hospital(session, "Mid", lat=CENTRE[0], lon=CENTRE[1] + 3 / 108.5)
    far = add_hospital(session, "Far", lat=CENTRE[0] + 6 / 111.2, lon=CENTRE[1])
    give_beds(session, far, now=clock())
    give_beds(session, mid, icu=0, now=clock() - timedelta(hours=2))
    give_beds(session, near, now=clock() - timedelta(minutes=10))
    mid.ems_status = "closed"
    session.flush()
    found = capacity.search_beds(session, latitude=CENTRE[0], longitude=CENTRE[1], now=clock())
    # Mid is on diversion: after every hospital taking ambulances, however near.
    assert [r.name for r in found] == ["Near", "Far", "Mid"]
    assert [round(r.distance_km) for r in found] == [1, 6, 3]
    assert found[2].on_diversion and found[2].stale["ICU"] and not found[0].stale["ICU"]
    icu = capacity.search_beds(session, latitude=CENTRE[0], longitude=CENTRE[1], now=clock(), bed_code="ICU")
    assert [r.name for r in icu] == ["Near", "Far"]
    # Twenty-one minutes later the nearest figures pass the 30-minute line.
    later = capacity.search_beds(session, latitude=CENTRE[0], longitude=CENTRE[1], now=clock.advance(minutes=21))
    assert later[0].stale["ICU"]
    assert capacity.search_beds(session, latitude=CENTRE[0], longitude=CENTRE[1], now=clock(), radius_km=2)[0].name == "Near"


def test_region_trend_steps_through_every_change(session, ward):
    hospital, admin = ward
    capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=10, available=4,
                      expected_version=0, now=T0 - timedelta(hours=30))
    capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=10, available=7,
                      expected_version=1, now=T0 - timedelta(hours=2))
    points = [p for p in capacity.region_bed_trend(session, since=T0 - timedelta(days=1), now=T0) if p.code == "ICU"]
    assert [(p.at, p.available) for p in points] == [
        (T0 - timedelta(days=1), 4), (T0 - timedelta(hours=2), 7), (T0, 7)]


def test_region_trend_starts_when_figures_first_exist(session, ward):
    """No flat zero line before any figures: a type first counted two hours ago starts then."""
    hospital, admin = ward
    capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=10, available=7,
                      expected_version=0, now=T0 - timedelta(hours=2))
    points = capacity.region_bed_trend(session, since=T0 - timedelta(days=1), now=T0)
    assert [(p.at, p.code, p.available) for p in points] == [
        (T0 - timedelta(hours=2), "ICU", 7), (T0, "ICU", 7)]
    assert capacity.region_bed_trend(session, since=T0 - timedelta(days=1), now=T0 - timedelta(hours=3)) == []

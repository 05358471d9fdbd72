"""Blood stock: received/issued never below zero, thresholds, search."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from db import blood
from db.errors import InvalidInput, NotAllowed
from db.models import BloodHistory, BloodStock
from tests.builders import CENTRE, T0, add_hospital, add_user


@pytest.fixture
def bank(session):
    hospital = add_hospital(session, "Bank Hospital", lat=CENTRE[0], lon=CENTRE[1])
    admin = add_user(session, "hospital_admin", hospital=hospital)
    session.commit()
    return hospital, admin


def test_received_then_issued_with_history(session, bank):
    hospital, admin = bank
    assert blood.adjust(session, actor=admin, hospital_id=hospital.id, group="O-", units=5, reason="received",
                        now=T0).units == 5
    assert blood.adjust(session, actor=admin, hospital_id=hospital.id, group="O-", units="2", reason="issued",
                        now=T0).units == 3
    history = [(h.delta, h.units_after, h.reason) for h in session.execute(
        select(BloodHistory).order_by(BloodHistory.id)).scalars()]
    assert history == [(5, 5, "received"), (-2, 3, "issued")]


@pytest.mark.parametrize(
    "group,units,reason,field,message",
    [
        ("O-", 4, "issued", "units", "Only 3 units of O- whole blood in stock: cannot issue 4"),
        ("O-", -1, "received", "units", "cannot be negative"),
        ("O-", 1.5, "received", "units", "no fractions"),
        ("O-", "lots", "received", "units", "whole number"),
        ("O-", 0, "received", "units", "at least 1"),
        ("C+", 1, "received", "blood_group", "Unknown blood group"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(session, bank, group, units, reason, field, message):
    hospital, admin = bank
    blood.adjust(session, actor=admin, hospital_id=hospital.id, group="O-", units=3, reason="received", now=T0)
    session.commit()
    with pytest.raises(InvalidInput, match=message) as error:
        blood.adjust(session, actor=admin, hospital_id=hospital.id, group=group, units=units, reason=reason, now=T0)
    assert error.value.field == field
    session.rollback()
    assert session.execute(select(func.sum(BloodStock.units))).scalar_one() == 3


def test_issuing_from_an_empty_group_is_refused(session, bank):
    hospital, admin = bank
    with pytest.raises(InvalidInput, match="Only 0 units"):
        blood.adjust(session, actor=admin, hospital_id=hospital.id, group="AB-", units=1, reason="issued", now=T0)


def test_other_hospital_cannot_adjust_my_stock(session, bank):
    hospital, _ = bank
    outsider = add_user(session, "hospital_admin", hospital=add_hospital(session, "Other"))
    with pytest.raises(NotAllowed):
        blood.adjust(session, actor=outsider, hospital_id=hospital.id, group="O+", units=1, reason="received", now=T0)
    with pytest.raises(NotAllowed):
        blood.set_stock(session, actor=outsider, hospital_id=hospital.id, group="O+", units=9, now=T0)


def test_set_stock_threshold_and_expiry(session, bank):
    hospital, admin = bank
    row = blood.set_stock(session, actor=admin, hospital_id=hospital.id, group="B+", units=4, low_threshold=6,
                          earliest_expiry=date(2026, 12, 20), now=T0)
    assert (row.units, row.low_threshold) == (4, 6)
    assert blood.region_shortages(session)["B+"] == 1
    with pytest.raises(InvalidInput, match="expiry date has passed"):
        blood.set_stock(session, actor=admin, hospital_id=hospital.id, group="B+", earliest_expiry=date(2026, 1, 1),
                        now=T0)


def test_search_exact_or_compatible_nearest_first(session, clock):
    admins = {}
    for name, km in (("Near", 1), ("Far", 8)):
        hospital = add_hospital(session, name, lat=CENTRE[0], lon=CENTRE[1] + km / 108.5)
        admins[name] = (hospital, add_user(session, "hospital_admin", hospital=hospital))
    near, near_admin = admins["Near"]
    far, far_admin = admins["Far"]
    blood.adjust(session, actor=near_admin, hospital_id=near.id, group="O-", units=2, reason="received", now=clock())
    blood.adjust(session, actor=far_admin, hospital_id=far.id, group="A-", units=6, reason="received",
                 now=clock() - timedelta(hours=1))
    exact = blood.search_blood(session, group="A-", latitude=CENTRE[0], longitude=CENTRE[1], now=clock())
    assert [(r.name, [(g.blood_group, g.units) for g in r.groups]) for r in exact] == [("Far", [("A-", 6)])]
    assert exact[0].stale and exact[0].groups[0].stale
    compatible = blood.search_blood(session, group="A-", compatible=True, latitude=CENTRE[0],
                                    longitude=CENTRE[1], now=clock())
    assert [(r.name, [g.blood_group for g in r.groups]) for r in compatible] == [("Near", ["O-"]), ("Far", ["A-"])]
    assert not compatible[0].stale
    # B+ cannot receive A-: nothing compatible but O-.
    assert [[g.blood_group for g in r.groups] for r in blood.search_blood(
        session, group="B+", compatible=True, latitude=CENTRE[0], longitude=CENTRE[1], now=clock())] == [["O-"]]


def test_search_lists_each_hospital_once_with_its_matching_groups(session, bank, clock):
    hospital, admin = bank
    for group, units in (("O-", 2), ("A+", 3), ("O+", 4), ("B+", 9)):
        blood.adjust(session, actor=admin, hospital_id=hospital.id, group=group, units=units, reason="received",
                     now=clock())
    found = blood.search_blood(session, group="A+", compatible=True, latitude=CENTRE[0], longitude=CENTRE[1],
                               now=clock())
    assert [r.name for r in found] == ["Bank Hospital"]
    # The exact group first, then the other compatible donors in the usual order; B+ cannot give to A+.
    assert [(g.blood_group, g.units) for g in found[0].groups] == [("A+", 3), ("O-", 2), ("O+", 4)]
    assert found[0].units == 9

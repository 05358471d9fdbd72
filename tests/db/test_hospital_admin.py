"""Directory management by super admins: edit a hospital, list hospitals with their admins."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import hospitals, users
from db.errors import InvalidInput, NotAllowed, NotFound
from db.models import AuditEntry, Hospital
from tests.builders import T0, add_hospital, add_user, one_of_each

LATER = T0 + timedelta(hours=1)


@pytest.fixture
def world(session):
    made = one_of_each(session)
    session.commit()
    return made


def values_of(hospital, **changes):
    values = {field: getattr(hospital, field)
              for field in ("name", "address", "city", "phone", "latitude", "longitude", "status")}
    values.update(changes)
    return values


def snapshot(session, hospital_id):
    session.expire_all()
    return values_of(session.get(Hospital, hospital_id))


def audit_count(session):
    return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_edit_saves_and_audits_what_changed(session, world):
    hospital = world["hospital_a"]
    hospitals.edit_hospital(session, actor=world["super"], hospital_id=hospital.id, now=LATER,
                            **values_of(hospital, name="  Alpha   Hospital  Trust ", city="Bengaluru",
                                        latitude="12.9801", longitude=77.641, phone="+91 80 2222 3333"))
    session.commit()
    assert snapshot(session, hospital.id) == values_of(
        hospital, name="Alpha Hospital Trust", city="Bengaluru", latitude=12.9801, longitude=77.641,
        phone="+91 80 2222 3333")
    [entry] = session.execute(select(AuditEntry).where(AuditEntry.action == "hospital.edit")).scalars()
    detail = json.loads(entry.detail)
    assert set(detail["before"]) == set(detail["after"]) == {"name", "city", "latitude", "longitude", "phone"}
    assert detail["before"]["name"] == "Alpha Hospital" and detail["after"]["name"] == "Alpha Hospital Trust"
    assert entry.actor_id == world["super"].id and entry.target_id == str(hospital.id)


def test_an_edit_that_changes_nothing_records_nothing(session, world):
    hospital = world["hospital_a"]
    hospitals.edit_hospital(session, actor=world["super"], hospital_id=hospital.id, now=LATER,
                            **values_of(hospital))
    session.commit()
    assert audit_count(session) == 0


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"name": "   "}, "name", "Enter the hospital's name."),
        ({"name": "x" * 201}, "name", "limited to 200"),
        ({"address": "x" * 301}, "address", "limited to 300"),
        ({"latitude": 91}, "latitude", "between -90 and 90"),
        ({"latitude": "north"}, "latitude", "as a number"),
        ({"latitude": None}, "latitude", "as a number"),
        ({"longitude": -180.5}, "longitude", "between -180 and 180"),
        ({"longitude": "nan"}, "longitude", "as a number"),
        ({"status": "closed"}, "status", "active, proposed or rejected"),
        ({"phone": "call me"}, "phone", "phone number"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(session, world, changes, field, message):
    hospital = world["hospital_a"]
    before = snapshot(session, hospital.id)
    with pytest.raises(InvalidInput, match=message) as error:
        hospitals.edit_hospital(session, actor=world["super"], hospital_id=hospital.id, now=LATER,
                                **values_of(hospital, **changes))
    assert error.value.field == field
    session.rollback()
    assert snapshot(session, hospital.id) == before
    assert audit_count(session) == 0


def test_an_old_phone_number_is_kept_as_it_is(session, world):
    hospital = world["hospital_a"]
    hospital.phone = "(080) 2222-3333 ext. 4"  # imported before phones were checked
    session.commit()
    hospitals.edit_hospital(session, actor=world["super"], hospital_id=hospital.id, now=LATER,
                            **values_of(hospital, city="Bengaluru"))
    session.commit()
    assert hospital.phone == "(080) 2222-3333 ext. 4" and hospital.city == "Bengaluru"


@pytest.mark.parametrize("role", ["citizen", "admin_a", "officer", "display"])
def test_only_super_admins_edit_hospitals(session, world, role):
    hospital = world["hospital_a"]
    with pytest.raises(NotAllowed):
        hospitals.edit_hospital(session, actor=world[role], hospital_id=hospital.id, now=LATER,
                                **values_of(hospital, name="Mine now"))
    with pytest.raises(NotAllowed):
        hospitals.list_for_admin(session, actor=world[role])
    session.rollback()
    assert snapshot(session, hospital.id)["name"] == "Alpha Hospital"


def test_unknown_hospital(session, world):
    with pytest.raises(NotFound):
        hospitals.edit_hospital(session, actor=world["super"], hospital_id=999_999, now=LATER,
                                **values_of(world["hospital_a"]))


def test_a_hospital_with_active_admins_stays_active(session, world):
    hospital = world["hospital_a"]
    with pytest.raises(InvalidInput, match="1 active hospital admin") as error:
        hospitals.edit_hospital(session, actor=world["super"], hospital_id=hospital.id, now=LATER,
                                **values_of(hospital, status="rejected"))
    assert error.value.field == "status"
    session.rollback()
    assert snapshot(session, hospital.id)["status"] == "active"
    users.disable_user(session, actor=world["super"], user_id=world["admin_a"].id, now=LATER)
    hospitals.edit_hospital(session, actor=world["super"], hospital_id=hospital.id, now=LATER,
                            **values_of(hospital, status="rejected"))
    session.commit()
    assert snapshot(session, hospital.id)["status"] == "rejected"


def test_a_proposed_hospital_can_be_activated(session, world):
    proposed = add_hospital(session, "New Clinic", status="proposed")
    session.commit()
    hospitals.edit_hospital(session, actor=world["super"], hospital_id=proposed.id, now=LATER,
                            **values_of(proposed, status="active"))
    session.commit()
    assert snapshot(session, proposed.id)["status"] == "active"


def test_list_for_admin_counts_active_admins_and_puts_proposed_first(session, world):
    add_user(session, "hospital_admin", hospital=world["hospital_a"])  # a second active admin
    add_user(session, "hospital_admin", hospital=world["hospital_b"], status="disabled")
    add_user(session, "hospital_admin", hospital=world["hospital_b"], status="pending")
    proposed = add_hospital(session, "Zed Proposed Clinic", status="proposed")
    add_hospital(session, "Old Rejected", status="rejected")
    session.commit()
    me = world["super"]
    found = hospitals.list_for_admin(session, actor=me)
    assert [(r.hospital.name, r.admins) for r in found] == [
        ("Zed Proposed Clinic", 0), ("Alpha Hospital", 2), ("Beta Hospital", 1), ("Old Rejected", 0)]
    assert [r.hospital.id for r in hospitals.list_for_admin(session, actor=me, status="proposed")] == [proposed.id]
    assert [r.hospital.name for r in hospitals.list_for_admin(session, actor=me, text="BETA")] == ["Beta Hospital"]
    assert len(hospitals.list_for_admin(session, actor=me, text="testpur")) == 4  # city
    assert hospitals.list_for_admin(session, actor=me, text="_") == []


def test_find_active_offers_only_active_hospitals(session, world):
    add_hospital(session, "Alpha Annex", status="proposed")
    session.commit()
    assert [h.name for h in hospitals.find_active(session, "alpha")] == ["Alpha Hospital"]
    assert [h.name for h in hospitals.find_active(session)] == ["Alpha Hospital", "Beta Hospital"]
    assert len(hospitals.find_active(session, "", limit=1)) == 1

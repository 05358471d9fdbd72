"""Rules of the super admin's console that live in db/: one grid cell corrected at a time, the
audit chain checked on request."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import audit, hospitals
from db.errors import InvalidInput, NotAllowed, NotFound
from db.models import AuditEntry, Hospital
from tests.builders import T0

LATER = T0 + timedelta(hours=1)


def _stored(session, hospital_id):
    session.expire_all()
    hospital = session.get(Hospital, hospital_id)
    return {name: getattr(hospital, name) for name in hospitals.EDITABLE_FIELDS}


def test_one_field_is_corrected_and_the_others_keep_their_stored_values(session, people):
    hospital = people["hospital_a"]
    before = _stored(session, hospital.id)
    hospitals.edit_hospital_field(session, actor=people["super"], hospital_id=str(hospital.id), field="city",
                                  value="Bengaluru", now=LATER)
    session.commit()
    assert _stored(session, hospital.id) == {**before, "city": "Bengaluru"}
    [entry] = session.execute(select(AuditEntry).where(AuditEntry.action == "hospital.edit")).scalars()
    assert '"city"' in entry.detail and '"name"' not in entry.detail


def test_a_stale_row_elsewhere_cannot_overwrite_a_newer_change(session, people):
    hospital = people["hospital_a"]
    hospitals.edit_hospital_field(session, actor=people["super"], hospital_id=hospital.id, field="name",
                                  value="Alpha Hospital Trust", now=LATER)
    # Another super admin's grid still shows the old name; they correct the city only.
    hospitals.edit_hospital_field(session, actor=people["super"], hospital_id=hospital.id, field="city",
                                  value="Bengaluru", now=LATER)
    session.commit()
    stored = _stored(session, hospital.id)
    assert (stored["name"], stored["city"]) == ("Alpha Hospital Trust", "Bengaluru")


@pytest.mark.parametrize("field", ["ems_status", "id", "import_key", None])
def test_only_the_editable_fields_can_be_changed(session, people, field):
    hospital = people["hospital_a"]
    with pytest.raises(InvalidInput, match="cannot be edited here") as error:
        hospitals.edit_hospital_field(session, actor=people["super"], hospital_id=hospital.id, field=field,
                                      value="closed", now=LATER)
    assert error.value.field == str(field)
    assert session.get(Hospital, hospital.id).ems_status == "normal"


@pytest.mark.parametrize("hospital_id", [999_999, "", None, "not-a-number"])
def test_a_missing_hospital_is_named(session, people, hospital_id):
    with pytest.raises(NotFound, match="no longer exists"):
        hospitals.edit_hospital_field(session, actor=people["super"], hospital_id=hospital_id, field="city",
                                      value="Bengaluru", now=LATER)


def test_a_bad_value_is_refused_at_its_field(session, people):
    hospital = people["hospital_a"]
    with pytest.raises(InvalidInput, match="between -90 and 90") as error:
        hospitals.edit_hospital_field(session, actor=people["super"], hospital_id=hospital.id, field="latitude",
                                      value=123, now=LATER)
    assert error.value.field == "latitude"


@pytest.mark.parametrize("role", ["citizen", "admin_a", "officer", "display"])
def test_only_super_admins_correct_a_field(session, people, role):
    hospital = people["hospital_a"]
    with pytest.raises(NotAllowed):
        hospitals.edit_hospital_field(session, actor=people[role], hospital_id=hospital.id, field="name",
                                      value="Mine now", now=LATER)
    session.rollback()
    assert _stored(session, hospital.id)["name"] == "Alpha Hospital"


def test_a_super_admin_checks_the_chain(session, people):
    audit.record(session, actor=people["super"], action="test.one", now=T0)
    session.commit()
    report = audit.check_chain(session, actor=people["super"], now=LATER)
    count = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    assert report.ok and report.checked == count >= 1


@pytest.mark.parametrize("role", ["citizen", "admin_a", "officer", "display"])
def test_only_super_admins_check_the_chain(session, people, role):
    with pytest.raises(NotAllowed):
        audit.check_chain(session, actor=people[role], now=LATER)

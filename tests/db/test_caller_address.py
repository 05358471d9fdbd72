"""A citizen's registered address (users.address, migration 0010): given at registration, checked,
and shown with the full name to the hospital that accepted their SOS only; every read audited as a
contact read naming the SOS whose address was read."""

import json

import pytest
from sqlalchemy import select

from db import officer_desk as desk
from db import sos as sos_ops
from db import users
from db.errors import InvalidInput
from db.models import AuditEntry, User
from tests.builders import CENTRE, PASSWORD, T0, add_hospital, add_user, city, match_now, send_sos

ADDRESS = "14, 2nd Cross, HAL 2nd Stage, Indiranagar, Bengaluru 560038"


def _reads(session):
    return list(session.execute(select(AuditEntry).where(AuditEntry.action == "sos.contact_read")
                                .order_by(AuditEntry.id)).scalars())


def test_a_citizen_registers_with_an_address_or_without(session):
    with_it = users.register_citizen(session, email="asha@example.in", password=PASSWORD, full_name="Asha Rao",
                                     phone=None, now=T0, address="  14, 2nd Cross,\n  Indiranagar  ")
    without = users.register_citizen(session, email="ravi@example.in", password=PASSWORD, full_name="Ravi K",
                                     phone=None, now=T0, address="   ")
    assert with_it.address == "14, 2nd Cross, Indiranagar"
    assert without.address is None


@pytest.mark.parametrize("address, message", [
    ("x" * 301, "limited to 300 characters"),
    ("14 Main Road\x00", "not text"),
])
def test_a_bad_address_is_refused_at_its_field_and_nothing_is_stored(session, address, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        users.register_citizen(session, email="asha@example.in", password=PASSWORD, full_name="Asha Rao",
                               phone=None, now=T0, address=address)
    assert refused.value.field == "address"
    assert session.execute(select(User).where(User.email == "asha@example.in")).scalar_one_or_none() is None


def test_only_the_accepting_hospital_sees_the_address_and_each_read_is_audited(session):
    hospitals, admins = city(session, 2)
    unrelated = add_user(session, "hospital_admin",
                         hospital=add_hospital(session, "Not Offered", lat=CENTRE[0] + 1, lon=CENTRE[1]))
    officer = add_user(session, "health_officer")
    citizen = add_user(session)
    citizen.full_name, citizen.phone, citizen.address = "Asha Rao", "+91 98450 12345", ADDRESS
    sos = send_sos(session, citizen)
    match_now(session, rings=(5.0,))

    def seen(actor):
        return desk.caller_contacts(session, actor=actor, sos_ids=[sos.id], now=T0).get(sos.id)

    # Offered, not yet accepted: first name and phone, no address, to both offered hospitals.
    for offered in admins:
        contact = seen(offered)
        assert (contact.name, contact.full, contact.address) == ("Asha", False, None)
    assert seen(unrelated) is None
    # The officer: full name and phone, never the address (the issue: the accepting hospital only).
    assert (seen(officer).name, seen(officer).address) == ("Asha Rao", None)
    assert all("address" not in json.loads(r.detail) for r in _reads(session))

    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    accepting = seen(admins[0])
    assert (accepting.name, accepting.phone, accepting.address) == ("Asha Rao", "+91 98450 12345", ADDRESS)
    assert seen(admins[1]) is None  # the hospital that lost the race
    assert seen(unrelated) is None
    assert seen(officer).address is None

    read = [r for r in _reads(session) if r.actor_id == admins[0].id][-1]
    assert read.target_id == str(sos.id) and json.loads(read.detail) == {"sos": [sos.id], "address": [sos.id]}


def test_no_address_registered_shows_none_and_is_not_said_read(session):
    _hospitals, admins = city(session, 1)
    sos = send_sos(session, add_user(session))
    match_now(session, rings=(5.0,))
    sos_ops.accept_sos(session, actor=admins[0], sos_id=sos.id, now=T0)
    assert desk.caller_contacts(session, actor=admins[0], sos_ids=[sos.id], now=T0)[sos.id].address is None
    assert json.loads(_reads(session)[-1].detail) == {"sos": [sos.id]}

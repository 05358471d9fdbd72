"""An SOS sent again with the phone's idempotency key (kept offline, retried): the SOS that key
made comes back, never a second one; the same key with other content is refused (issue 18)."""

import pytest
from sqlalchemy import func, select

from db import sos as sos_ops
from db.errors import Conflict, InvalidInput
from db.models import Sos
from tests.builders import T0, add_user


def _count(session) -> int:
    return session.execute(select(func.count()).select_from(Sos)).scalar_one()


def _send(session, citizen, key, **changes):
    fields = {"latitude": 12.97, "longitude": 77.59, "emergency_type": "choking", "note": "Gate 2", **changes}
    return sos_ops.create_sos(session, actor=citizen, now=T0, client_key=key, **fields)


def test_a_repeat_gets_the_sos_its_key_made_even_once_closed(session):
    citizen = add_user(session)
    made, created = _send(session, citizen, "phone-key-0001")
    assert created and made.client_key == "phone-key-0001"
    made.status = "cancelled"
    session.flush()
    again, created = _send(session, citizen, "phone-key-0001", note="  Gate 2 ")
    assert (again.id, created) == (made.id, False)
    assert _count(session) == 1


def test_the_same_key_with_other_content_is_refused(session):
    citizen = add_user(session)
    made, _ = _send(session, citizen, "phone-key-0002")
    for changes in ({"latitude": 12.5}, {"emergency_type": None}, {"note": "other"}):
        with pytest.raises(Conflict, match=f"already sent as SOS-{made.id:05d} with other details"):
            _send(session, citizen, "phone-key-0002", **changes)
    assert _count(session) == 1


def test_keys_are_per_citizen(session):
    one, two = add_user(session), add_user(session, email="two@example.in")
    first, _ = _send(session, one, "shared-key-0003")
    second, created = _send(session, two, "shared-key-0003")
    assert created and second.id != first.id


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 65, "semi;colon-key"])
def test_a_damaged_key_is_refused(session, key):
    citizen = add_user(session)
    with pytest.raises(InvalidInput) as error:
        _send(session, citizen, key)
    assert error.value.field == "client_key"
    assert _count(session) == 0

"""User management by super admins: disable, enable, change role, bind a hospital, list.

Every refusal leaves the account as it was and writes no audit entry; every change is audited
with the account's state before and after.
"""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from db import audit, users
from db.errors import DomainError, InvalidInput, NotAllowed, NotFound
from db.models import AuditEntry, User
from tests.builders import PASSWORD, T0, add_hospital, add_user, one_of_each

LATER = T0 + timedelta(hours=1)


@pytest.fixture
def world(session):
    made = one_of_each(session)
    session.commit()
    return made


def entries(session, action):
    return list(session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def state_of(session, user_id):
    session.expire_all()
    user = session.get(User, user_id)
    return user.role, user.status, user.hospital_id, user.session_token


def assert_refused_and_unchanged(session, user_id, error_type, call, match=None):
    before = state_of(session, user_id)
    audit_count = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with pytest.raises(error_type, match=match) as raised:
        with session.begin_nested():
            call()
    session.commit()
    assert state_of(session, user_id) == before
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == audit_count
    return raised.value


# ---- disable --------------------------------------------------------------------------------


def test_disable_ends_sessions_and_login(session, world):
    citizen = world["citizen"]
    old_cookie = users.session_id(citizen)
    assert users.load_for_session(session, old_cookie) is not None
    users.disable_user(session, actor=world["super"], user_id=citizen.id, now=LATER)
    session.commit()

    assert citizen.status == "disabled"
    assert citizen.decided_by_id == world["super"].id and citizen.decided_at == LATER
    assert users.load_for_session(session, old_cookie) is None  # their open sessions end
    refused = users.authenticate(session, email=citizen.email, password=PASSWORD, now=LATER)
    assert not refused.ok and "disabled" in refused.message

    [entry] = entries(session, "user.disable")
    assert entry.actor_id == world["super"].id and entry.target_id == str(citizen.id)
    detail = json.loads(entry.detail)
    assert detail["before"] == {"role": "citizen", "status": "active", "hospital_id": None}
    assert detail["after"] == {"role": "citizen", "status": "disabled", "hospital_id": None}
    assert audit.verify_chain(session).ok


def test_disabled_hospital_admin_keeps_their_hospital(session, world):
    admin = world["admin_a"]
    users.disable_user(session, actor=world["super"], user_id=admin.id, now=LATER)
    session.commit()
    assert (admin.status, admin.hospital_id) == ("disabled", world["hospital_a"].id)


def test_super_admin_cannot_disable_themself(session, world):
    me = world["super"]
    error = assert_refused_and_unchanged(
        session, me.id, NotAllowed,
        lambda: users.disable_user(session, actor=me, user_id=me.id, now=LATER))
    assert error.message == "You cannot disable your own account."


def test_another_super_admin_can_be_disabled_while_one_remains(session, world):
    other = add_user(session, "super_admin", email="super2@example.in")
    session.commit()
    users.disable_user(session, actor=world["super"], user_id=other.id, now=LATER)
    session.commit()
    assert other.status == "disabled"
    # The disabled one can do nothing any more, not even to the last super admin.
    assert_refused_and_unchanged(
        session, world["super"].id, NotAllowed,
        lambda: users.disable_user(session, actor=other, user_id=world["super"].id, now=LATER))


def test_disabling_twice_or_a_pending_account_is_refused(session, world):
    pending = add_user(session, "health_officer", status="pending")
    session.commit()
    assert_refused_and_unchanged(
        session, pending.id, InvalidInput,
        lambda: users.disable_user(session, actor=world["super"], user_id=pending.id, now=LATER),
        match="Approvals")
    users.disable_user(session, actor=world["super"], user_id=world["citizen"].id, now=LATER)
    session.commit()
    assert_refused_and_unchanged(
        session, world["citizen"].id, InvalidInput,
        lambda: users.disable_user(session, actor=world["super"], user_id=world["citizen"].id, now=LATER),
        match="already disabled")


def test_unknown_account(session, world):
    with pytest.raises(NotFound, match="no longer exists"):
        users.disable_user(session, actor=world["super"], user_id=999_999, now=LATER)
    with pytest.raises(NotFound, match="Select an account"):
        users.enable_user(session, actor=world["super"], user_id=None, now=LATER)


# ---- only super admins ----------------------------------------------------------------------

OPERATIONS = {
    "disable": lambda s, actor, w: users.disable_user(s, actor=actor, user_id=w["citizen2"].id, now=LATER),
    "enable": lambda s, actor, w: users.enable_user(s, actor=actor, user_id=w["citizen2"].id, now=LATER),
    "change_role": lambda s, actor, w: users.change_role(s, actor=actor, user_id=w["citizen2"].id,
                                                         role="health_officer", now=LATER),
    "bind_hospital": lambda s, actor, w: users.bind_hospital(s, actor=actor, user_id=w["admin_b"].id,
                                                             hospital_id=w["hospital_a"].id, now=LATER),
    "list_users": lambda s, actor, w: users.list_users(s, actor=actor),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("role", ["citizen", "hospital_admin", "health_officer", "display"])
def test_only_super_admins_manage_users(session, world, role, operation):
    actor = {"citizen": world["citizen"], "hospital_admin": world["admin_a"],
             "health_officer": world["officer"], "display": world["display"]}[role]
    targets = (world["citizen2"].id, world["admin_b"].id)
    before = [state_of(session, user_id) for user_id in targets]
    with pytest.raises(NotAllowed):
        OPERATIONS[operation](session, actor, world)
    session.rollback()
    assert [state_of(session, user_id) for user_id in targets] == before
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


def test_a_disabled_super_admin_is_refused(session, world):
    other = add_user(session, "super_admin", status="disabled")
    session.commit()
    with pytest.raises(NotAllowed):
        users.disable_user(session, actor=other, user_id=world["citizen"].id, now=LATER)


# ---- enable ---------------------------------------------------------------------------------


def test_enable_lets_a_disabled_account_log_in_again(session, world):
    citizen = world["citizen"]
    users.disable_user(session, actor=world["super"], user_id=citizen.id, now=T0)
    session.commit()
    users.enable_user(session, actor=world["super"], user_id=citizen.id, now=LATER)
    session.commit()
    assert citizen.status == "active"
    assert users.authenticate(session, email=citizen.email, password=PASSWORD, now=LATER).user.id == citizen.id
    detail = json.loads(entries(session, "user.enable")[0].detail)
    assert (detail["before"]["status"], detail["after"]["status"]) == ("disabled", "active")


def test_enable_refuses_accounts_that_are_not_disabled(session, world):
    rejected = add_user(session, "health_officer", status="rejected")
    session.commit()
    assert_refused_and_unchanged(
        session, world["citizen"].id, InvalidInput,
        lambda: users.enable_user(session, actor=world["super"], user_id=world["citizen"].id, now=LATER),
        match="already active")
    assert_refused_and_unchanged(
        session, rejected.id, InvalidInput,
        lambda: users.enable_user(session, actor=world["super"], user_id=rejected.id, now=LATER),
        match="only disabled accounts")


def test_hospital_admin_needs_an_active_hospital_to_be_enabled(session, world):
    gone = add_hospital(session, "Closed Clinic", status="rejected")
    admin = add_user(session, "hospital_admin", status="disabled", hospital=gone)
    session.commit()
    error = assert_refused_and_unchanged(
        session, admin.id, InvalidInput,
        lambda: users.enable_user(session, actor=world["super"], user_id=admin.id, now=LATER))
    assert error.field == "hospital" and "without an active hospital" in error.message
    # Bind them to an active hospital, then they can be enabled.
    users.bind_hospital(session, actor=world["super"], user_id=admin.id,
                        hospital_id=world["hospital_b"].id, now=LATER)
    users.enable_user(session, actor=world["super"], user_id=admin.id, now=LATER)
    session.commit()
    assert (admin.status, admin.hospital_id) == ("active", world["hospital_b"].id)


# ---- change role ----------------------------------------------------------------------------


def test_change_role_rotates_the_session_token(session, world):
    citizen = world["citizen"]
    old_cookie = users.session_id(citizen)
    users.change_role(session, actor=world["super"], user_id=citizen.id, role="health_officer", now=LATER)
    session.commit()
    assert (citizen.role, citizen.status, citizen.hospital_id) == ("health_officer", "active", None)
    assert users.load_for_session(session, old_cookie) is None
    assert users.load_for_session(session, users.session_id(citizen)).role == "health_officer"
    detail = json.loads(entries(session, "user.change_role")[0].detail)
    assert detail["before"]["role"] == "citizen" and detail["after"]["role"] == "health_officer"


def test_making_a_hospital_admin_binds_an_active_hospital(session, world):
    citizen = world["citizen"]
    hospital = world["hospital_b"]
    users.change_role(session, actor=world["super"], user_id=citizen.id, role="hospital_admin",
                      hospital_id=hospital.id, now=LATER)
    session.commit()
    assert (citizen.role, citizen.hospital_id) == ("hospital_admin", hospital.id)
    detail = json.loads(entries(session, "user.change_role")[0].detail)
    assert detail["after"] == {"role": "hospital_admin", "status": "active", "hospital_id": hospital.id}


@pytest.mark.parametrize("hospital", [None, "proposed", "rejected", "missing"])
def test_hospital_admin_without_an_active_hospital_is_refused(session, world, hospital):
    hospital_id = {None: None, "missing": 999_999}.get(hospital)
    if hospital in ("proposed", "rejected"):
        hospital_id = add_hospital(session, f"A {hospital} one", status=hospital).id
        session.commit()
    error = assert_refused_and_unchanged(
        session, world["citizen"].id, InvalidInput,
        lambda: users.change_role(session, actor=world["super"], user_id=world["citizen"].id,
                                  role="hospital_admin", hospital_id=hospital_id, now=LATER))
    assert error.field == "hospital"


def test_other_roles_clear_the_hospital(session, world):
    admin = world["admin_a"]
    users.change_role(session, actor=world["super"], user_id=admin.id, role="display",
                      hospital_id=world["hospital_b"].id, now=LATER)
    session.commit()
    assert (admin.role, admin.hospital_id) == ("display", None)


def test_nobody_is_made_super_admin_in_the_console(session, world):
    error = assert_refused_and_unchanged(
        session, world["officer"].id, NotAllowed,
        lambda: users.change_role(session, actor=world["super"], user_id=world["officer"].id,
                                  role="super_admin", now=LATER))
    assert "command line" in error.message
    assert_refused_and_unchanged(
        session, world["officer"].id, InvalidInput,
        lambda: users.change_role(session, actor=world["super"], user_id=world["officer"].id,
                                  role="root", now=LATER))


def test_a_super_admin_cannot_change_their_own_role(session, world):
    me = world["super"]
    assert_refused_and_unchanged(
        session, me.id, NotAllowed,
        lambda: users.change_role(session, actor=me, user_id=me.id, role="citizen", now=LATER),
        match="your own role")


def test_another_super_admin_can_be_demoted_while_one_remains(session, world):
    other = add_user(session, "super_admin", email="super2@example.in")
    session.commit()
    users.change_role(session, actor=world["super"], user_id=other.id, role="health_officer", now=LATER)
    session.commit()
    assert other.role == "health_officer"
    assert session.execute(select(func.count()).select_from(User).where(
        User.role == "super_admin", User.status == "active")).scalar_one() == 1


def test_same_role_or_undecided_registration_is_refused(session, world):
    pending = add_user(session, "health_officer", status="pending")
    session.commit()
    assert_refused_and_unchanged(
        session, world["officer"].id, InvalidInput,
        lambda: users.change_role(session, actor=world["super"], user_id=world["officer"].id,
                                  role="health_officer", now=LATER),
        match="already")
    assert_refused_and_unchanged(
        session, pending.id, InvalidInput,
        lambda: users.change_role(session, actor=world["super"], user_id=pending.id, role="citizen", now=LATER),
        match="Approvals")


def test_role_of_a_disabled_account_can_change(session, world):
    citizen = world["citizen"]
    users.disable_user(session, actor=world["super"], user_id=citizen.id, now=T0)
    users.change_role(session, actor=world["super"], user_id=citizen.id, role="display", now=LATER)
    session.commit()
    assert (citizen.role, citizen.status) == ("display", "disabled")


# ---- bind hospital --------------------------------------------------------------------------


def test_bind_moves_a_hospital_admin_and_ends_their_sessions(session, world):
    admin = world["admin_a"]
    old_cookie = users.session_id(admin)
    users.bind_hospital(session, actor=world["super"], user_id=admin.id,
                        hospital_id=world["hospital_b"].id, now=LATER)
    session.commit()
    assert admin.hospital_id == world["hospital_b"].id
    assert users.load_for_session(session, old_cookie) is None
    [entry] = entries(session, "user.bind_hospital")
    detail = json.loads(entry.detail)
    assert detail["before"]["hospital_id"] == world["hospital_a"].id
    assert detail["after"]["hospital_id"] == world["hospital_b"].id


def test_choosing_hospital_admin_again_with_another_hospital_moves_them(session, world):
    admin = world["admin_a"]
    users.change_role(session, actor=world["super"], user_id=admin.id, role="hospital_admin",
                      hospital_id=world["hospital_b"].id, now=LATER)
    session.commit()
    assert admin.hospital_id == world["hospital_b"].id
    assert len(entries(session, "user.bind_hospital")) == 1


def test_bind_refusals(session, world):
    proposed = add_hospital(session, "Proposed Clinic", status="proposed")
    session.commit()
    cases = [
        (world["officer"].id, world["hospital_a"].id, "not a hospital admin"),
        (world["admin_a"].id, proposed.id, "active hospital"),
        (world["admin_a"].id, world["hospital_a"].id, "already bound"),
    ]
    for user_id, hospital_id, message in cases:
        assert_refused_and_unchanged(
            session, user_id, InvalidInput,
            lambda user_id=user_id, hospital_id=hospital_id: users.bind_hospital(
                session, actor=world["super"], user_id=user_id, hospital_id=hospital_id, now=LATER),
            match=message)


# ---- list -----------------------------------------------------------------------------------


def test_list_is_newest_first_and_filtered(session, world):
    newest = add_user(session, "citizen", email="Newest.Person@example.in", now=LATER)
    newest.full_name = "Zara Newest"
    newest.phone = "+91 99000 11111"
    add_user(session, "health_officer", status="disabled", email="gone@example.in", now=LATER - timedelta(minutes=1))
    session.commit()
    me = world["super"]
    everyone = users.list_users(session, actor=me)
    assert everyone[0].id == newest.id and len(everyone) == 9
    assert [u.id for u in users.list_users(session, actor=me, text="newest.PERSON")] == [newest.id]
    assert [u.id for u in users.list_users(session, actor=me, text="zara")] == [newest.id]
    assert [u.id for u in users.list_users(session, actor=me, text="99000")] == [newest.id]
    assert {u.email for u in users.list_users(session, actor=me, role="hospital_admin")} == \
        {"admin.a@example.in", "admin.b@example.in"}
    assert [u.email for u in users.list_users(session, actor=me, status="disabled")] == ["gone@example.in"]
    assert users.list_users(session, actor=me, text="%") == []  # a wildcard is just a character
    admins = users.list_users(session, actor=me, role="hospital_admin")
    assert {u.hospital.name for u in admins} == {"Alpha Hospital", "Beta Hospital"}


def test_list_is_limited_to_500(session, world):
    session.add_all([
        User(email=f"bulk{i}@example.in", password_hash="x", full_name="Bulk", role="citizen",
             status="active", session_token=f"t{i}", failed_login_count=0, created_at=T0)
        for i in range(500)
    ])
    session.commit()
    assert len(users.list_users(session, actor=world["super"])) == users.LIST_LIMIT == 500


# ---- two super admins at once ---------------------------------------------------------------


def _race(factory, operation):
    """Two super admins act on each other at the same instant; return how many succeeded."""
    with factory() as session:
        session.execute(update(User).where(User.role == "super_admin").values(status="disabled"))
        a = add_user(session, "super_admin")
        b = add_user(session, "super_admin")
        session.commit()
        pair = (a.id, b.id)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(actor_id, target_id):
        with factory() as session:
            actor = session.get(User, actor_id)
            session.commit()
            barrier.wait()
            try:
                operation(session, actor, target_id)
                session.commit()
                outcomes.append("ok")
            except DomainError:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=act, args=pair), threading.Thread(target=act, args=pair[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with factory() as session:
        active = session.execute(select(func.count()).select_from(User).where(
            User.role == "super_admin", User.status == "active")).scalar_one()
    return sorted(outcomes), active


@pytest.mark.parametrize("how", ["disable", "demote"])
def test_two_super_admins_acting_on_each_other_leave_one(db, how):
    def operation(session, actor, target_id):
        if how == "disable":
            users.disable_user(session, actor=actor, user_id=target_id, now=LATER)
        else:
            users.change_role(session, actor=actor, user_id=target_id, role="citizen", now=LATER)

    for _ in range(8):
        outcomes, active = _race(db.factory, operation)
        assert outcomes == ["ok", "refused"]
        assert active == 1

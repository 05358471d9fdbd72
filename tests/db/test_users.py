"""Accounts: registration, approval, login checks."""

import pytest
from sqlalchemy import func, select

from db import users
from db.errors import InvalidInput, NotAllowed
from db.models import AuditEntry, Hospital, User
from tests.builders import PASSWORD, T0, add_hospital, add_user


def count_users(session):
    return session.execute(select(func.count()).select_from(User)).scalar_one()


def test_citizen_registration_is_active_at_once(session):
    user = users.register_citizen(session, email="  Asha@Example.IN ", password="Strong-pass-77",
                                  full_name="Asha", phone="+91 98450 12345", now=T0)
    session.commit()
    assert user.status == "active"
    assert user.email == "asha@example.in"
    assert user.password_hash.startswith("$argon2id$")
    assert users.authenticate(session, email="asha@example.in", password="Strong-pass-77", now=T0).user.id == user.id


@pytest.mark.parametrize(
    "email,password,field",
    [
        ("not-an-email", "Strong-pass-77", "email"),
        ("a@example.in", "short", "password"),
        ("a@example.in", "password123", "password"),
        ("a@example.in", "aaaaaaaaaaaa", "password"),
    ],
)
def test_bad_registration_is_refused_and_stores_nothing(session, email, password, field):
    with pytest.raises(InvalidInput) as error:
        users.register_citizen(session, email=email, password=password, full_name="X",
                               phone=None, now=T0)
    assert error.value.field == field
    session.rollback()
    assert count_users(session) == 0


def test_email_already_registered_is_refused(session):
    add_user(session, "citizen", email="taken@example.in")
    session.commit()
    with pytest.raises(InvalidInput, match="already exists"):
        users.register_citizen(session, email="TAKEN@example.in", password="Strong-pass-77",
                               full_name="Y", phone=None, now=T0)


def test_hospital_admin_registration_is_pending_and_cannot_log_in(session):
    hospital = add_hospital(session)
    user = users.register_staff(session, role="hospital_admin", email="new.admin@example.in",
                                password="Strong-pass-77", full_name="New Admin", phone=None,
                                now=T0, hospital_id=hospital.id)
    session.commit()
    assert user.status == "pending"
    refused = users.authenticate(session, email="new.admin@example.in", password="Strong-pass-77", now=T0)
    assert not refused.ok and "waiting for approval" in refused.message


def test_nobody_can_register_as_super_admin(session):
    with pytest.raises(InvalidInput):
        users.register_staff(session, role="super_admin", email="evil@example.in",
                             password="Strong-pass-77", full_name="Evil", phone=None, now=T0)


def test_proposed_hospital_becomes_active_only_on_approval(session):
    superuser = add_user(session, "super_admin")
    user = users.register_staff(
        session, role="hospital_admin", email="prop@example.in", password="Strong-pass-77",
        full_name="Proposer", phone=None, now=T0,
        proposed_hospital=users.ProposedHospital("New Clinic", "2 Road", "Pune", 18.52, 73.85),
    )
    session.commit()
    hospital = session.get(Hospital, user.hospital_id)
    assert hospital.status == "proposed"
    users.approve_user(session, actor=superuser, user_id=user.id, now=T0)
    session.commit()
    assert hospital.status == "active" and user.status == "active"


def test_proposed_hospital_needs_valid_coordinates(session):
    with pytest.raises(InvalidInput) as error:
        users.register_staff(
            session, role="hospital_admin", email="p2@example.in", password="Strong-pass-77",
            full_name="P", phone=None, now=T0,
            proposed_hospital=users.ProposedHospital("Clinic", "", "", 123.0, 73.0),
        )
    assert error.value.field == "hospital_location"


def test_only_super_admin_approves(session):
    officer = add_user(session, "health_officer")
    pending = add_user(session, "health_officer", status="pending")
    session.commit()
    with pytest.raises(NotAllowed):
        users.approve_user(session, actor=officer, user_id=pending.id, now=T0)
    assert pending.status == "pending"


def test_approving_twice_says_so_and_changes_nothing(session):
    superuser = add_user(session, "super_admin")
    pending = add_user(session, "health_officer", status="pending")
    users.approve_user(session, actor=superuser, user_id=pending.id, now=T0)
    session.commit()
    with pytest.raises(InvalidInput, match="already active"):
        users.reject_user(session, actor=superuser, user_id=pending.id, now=T0)
    assert pending.status == "active"


def test_rejected_account_cannot_log_in(session):
    superuser = add_user(session, "super_admin")
    pending = add_user(session, "health_officer", status="pending", email="rej@example.in")
    users.reject_user(session, actor=superuser, user_id=pending.id, now=T0)
    session.commit()
    refused = users.authenticate(session, email="rej@example.in", password=PASSWORD, now=T0)
    assert not refused.ok and "not approved" in refused.message


def test_wrong_passwords_lock_the_account_for_a_while(db, clock):
    with db.factory() as session:
        add_user(session, "citizen", email="victim@example.in")
        session.commit()

    def attempt(password):
        # Each attempt is its own request: its own unit of work, committed whatever the outcome.
        with db.factory() as session:
            decision = users.authenticate(session, email="victim@example.in", password=password, now=clock())
            session.commit()
            return decision

    for _ in range(users.MAX_FAILED_LOGINS - 1):
        assert attempt("wrong").message == users.WRONG_CREDENTIALS
    locked = attempt("wrong")
    assert not locked.ok and "locked until 13:45 (15 more minutes)" in locked.message  # T0 08:00 UTC = 13:30 IST
    # Even the right password is refused while locked, saying until when ...
    clock.advance(minutes=5)
    right_too_early = attempt(PASSWORD)
    assert not right_too_early.ok and "locked until 13:45 (10 more minutes)" in right_too_early.message
    # ... and accepted once the lock has passed.
    clock.advance(minutes=11)
    assert attempt(PASSWORD).ok
    with db.factory() as session:
        assert [e.action for e in session.query(AuditEntry).filter_by(action="user.locked")] == ["user.locked"]


def test_demo_accounts_log_in_only_where_demo_data_is_on(session):
    demo_user = add_user(session, "super_admin", email="superadmin@demo.healthfirst.in")
    session.commit()
    refused = users.authenticate(session, email=demo_user.email, password=PASSWORD, now=T0)
    assert not refused.ok and refused.message == users.DEMO_OFF
    assert users.load_for_session(session, users.session_id(demo_user)) is None  # an old cookie too
    assert users.authenticate(session, email=demo_user.email, password=PASSWORD, now=T0, demo_accounts=True).ok
    assert users.load_for_session(session, users.session_id(demo_user), demo_accounts=True) is not None
    assert users.demo_account_count(session) == 1


def test_nobody_registers_an_address_of_the_demo(session):
    with pytest.raises(InvalidInput, match="belong to the demo"):
        users.register_citizen(session, email="someone@demo.healthfirst.in", password="Strong-pass-77",
                               full_name="Someone", phone=None, now=T0)


def test_unknown_email_and_wrong_password_get_the_same_message(session):
    add_user(session, "citizen", email="known@example.in")
    session.commit()
    unknown = users.authenticate(session, email="unknown@example.in", password="x", now=T0)
    wrong = users.authenticate(session, email="known@example.in", password="x", now=T0)
    assert not unknown.ok and not wrong.ok
    assert unknown.message == wrong.message


def test_session_token_rotation_invalidates_old_cookie(session):
    user = add_user(session, "citizen")
    session.commit()
    old_cookie = users.session_id(user)
    assert users.load_for_session(session, old_cookie).id == user.id
    users.end_all_sessions(session, user)
    session.commit()
    assert users.load_for_session(session, old_cookie) is None
    assert users.load_for_session(session, users.session_id(user)).id == user.id


def test_create_superuser_only_once_per_email(session):
    users.create_superuser(session, email="root@example.in", password="Strong-pass-77",
                           full_name="Root", now=T0)
    session.commit()
    with pytest.raises(InvalidInput, match="already exists"):
        users.create_superuser(session, email="root@example.in", password="Strong-pass-77",
                               full_name="Root", now=T0)

"""The audit log's hash chain detects edits and removals."""

from sqlalchemy import text

from db import audit
from tests.builders import T0, add_user


def _log_three(session):
    actor = add_user(session, "super_admin")
    for index in range(3):
        audit.record(session, actor=actor, action=f"test.{index}", now=T0, target_type="user",
                     target_id=index, detail={"n": index})
    session.commit()


def test_untouched_chain_verifies(session):
    _log_three(session)
    report = audit.verify_chain(session)
    assert report.ok and report.checked == 3


def test_edited_entry_is_named(session):
    _log_three(session)
    session.execute(text("UPDATE audit_log SET detail = '{\"n\": 99}' WHERE action = 'test.1'"))
    session.commit()
    second = session.execute(text("SELECT id FROM audit_log WHERE action='test.1'")).scalar_one()
    report = audit.verify_chain(session)
    assert not report.ok and report.first_bad_id == second


def test_removed_entry_is_detected(session):
    _log_three(session)
    session.execute(text("DELETE FROM audit_log WHERE action = 'test.1'"))
    session.commit()
    third = session.execute(text("SELECT id FROM audit_log WHERE action='test.2'")).scalar_one()
    report = audit.verify_chain(session)
    assert not report.ok and report.first_bad_id == third


def test_removed_newest_entry_is_detected(session):
    _log_three(session)
    session.execute(text("DELETE FROM audit_log WHERE action = 'test.2'"))
    session.commit()
    assert not audit.verify_chain(session).ok

"""The login check's read (db/users.py `session_row`) runs on the driver's cursor
(db/prepared.py `DriverSelect`): the same row SQLAlchemy would give, on SQLite and PostgreSQL, and
the connection left outside any transaction (the request's unit of work runs on it next)."""

from datetime import timedelta

from db import users
from db.models import User
from tests.builders import T0, add_user


def test_the_login_row_is_the_one_sqlalchemy_reads(db):
    with db.factory() as session:
        user = add_user(session, "citizen")
        user.language, user.locked_until, user.failed_login_count = "hi", T0 + timedelta(minutes=5), 2
        session.commit()
        user_id, token = user.id, user.session_token
    with db.engine.connect() as connection:
        row = users.session_row(connection, f"{user_id}:{token}")
        assert not connection.in_transaction()
        if db.backend == "postgresql":
            import psycopg2.extensions

            raw = connection.connection.dbapi_connection
            assert raw.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
            assert raw.autocommit is False
        expected = dict(connection.execute(users._SESSION_ROW._statement, {"user_id": user_id}).mappings().one())
    assert row == expected
    assert row["locked_until"] == T0 + timedelta(minutes=5) and row["locked_until"].tzinfo is not None
    assert isinstance(users.detached_user(row), User)


def test_a_wrong_token_or_an_unknown_person_reads_nobody(db):
    with db.factory() as session:
        user = add_user(session, "citizen")
        session.commit()
        user_id = user.id
    with db.engine.connect() as connection:
        assert users.session_row(connection, f"{user_id}:not-the-token") is None
        assert users.session_row(connection, f"{user_id + 1000}:x") is None


def test_inside_a_transaction_it_reads_as_any_statement(db):
    with db.factory() as session:
        user = add_user(session, "citizen")
        session.commit()
        user_id, token = user.id, user.session_token
    with db.engine.connect() as connection, connection.begin():
        assert users.session_row(connection, f"{user_id}:{token}")["id"] == user_id
        assert connection.in_transaction()

"""Shared fixtures and hooks: databases (SQLite and PostgreSQL), a controlled clock, users per
role, the web app, its test client, `auth` (log in and out through the client) and `browser` (a
real browser on the app). Plain data builders and constants are in tests/builders.py.

PostgreSQL: a throwaway database is created for the run and dropped afterwards. When it cannot
be reached the PostgreSQL variants are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from db.capacity import ensure_bed_types
from db.engine import make_engine, make_session_factory, upgrade_database
from db.models import Base
from tests.builders import PASSWORD, Clock, one_of_each
from tests.e2e.browser import Browser, chrome_options

PG_ADMIN_URL = os.environ.get(
    "HEALTHFIRST_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_FIXTURES = {"pg_url", "pg_db"}
# A transparent 1×1 PNG as the browser tests' map tiles (the `web_app` fixture).
BLANK_TILE = ("data:image/png;base64,"
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=")


def _ports_of_this_worker() -> None:
    """pytest-xdist runs the suite in several processes (scripts/test.sh): dash_duo numbers its
    servers' ports from 58050 in each process, so each worker starts a thousand further on."""
    from dash.testing.application_runners import BaseDashRunner

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    BaseDashRunner._next_port += 1000 * int(worker[2:] or 0)


_ports_of_this_worker()


def pytest_setup_options():
    """dash_duo's browser: headless Chromium (tests/e2e/browser.py)."""
    return chrome_options()


def pytest_collection_modifyitems(items):
    """`-m postgres` selects every test that needs PostgreSQL: those using pg_url or pg_db,
    including the PostgreSQL half of the `db` fixture's parameters."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db") == "postgresql"
        if on_postgres or POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


# ---- clock ----------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


# ---- databases ------------------------------------------------------------------------------


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(error).__name__}: {error}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_url():
    problem = _pg_available()
    if problem:
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}"
        if IN_CI:
            pytest.fail(message + " (in CI this is a failure, not a skip)", pytrace=False)
        pytest.skip(message)
    name = f"healthfirst_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"


_MIGRATED: dict[str, object] = {}


def _engine_for(url: str):
    if url not in _MIGRATED:
        upgrade_database(url)  # the real migrations, so the tests also prove them
        _MIGRATED[url] = make_engine(url, pool_size=20, max_overflow=20)
    return _MIGRATED[url]


def _wipe(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@dataclass
class Database:
    url: str
    engine: object
    factory: object

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, sqlite_url) -> Database:
    """A clean, migrated database, once on SQLite and once on PostgreSQL."""
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = _engine_for(url)
    _wipe(engine)
    yield Database(url, engine, make_session_factory(engine))
    _wipe(engine)


@pytest.fixture
def pg_db(pg_url) -> Database:
    """PostgreSQL only: the concurrency tests."""
    engine = _engine_for(pg_url)
    _wipe(engine)
    yield Database(pg_url, engine, make_session_factory(engine))
    _wipe(engine)


@pytest.fixture
def session(db) -> Session:
    with db.factory() as session:
        yield session


# ---- people and places ----------------------------------------------------------------------


@pytest.fixture
def people(session):
    """One active account per role, two hospitals, committed."""
    result = one_of_each(session)
    session.commit()
    return result


# ---- the web app ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def web_app(tmp_path_factory):
    """One Dash app for the whole run (Dash registers page callbacks once per process)."""
    from app import create_app
    from config import Config

    instance = tmp_path_factory.mktemp("instance")
    url = f"sqlite:///{instance / 'web.sqlite3'}"
    config = Config(
        database_url=url,
        secret_key="test-secret-key-" + uuid.uuid4().hex,
        upload_dir=instance / "uploads",
        instance_dir=instance,
        testing=True,
        demo_data=False,
        login_rate_limit="1000 per minute",
        # No internet here, but maps still get a tile layer and its attribution as in production
        # (what the axe sweep must see): every tile is this blank image, which loads from nowhere.
        map_tiles_url=BLANK_TILE,
        report_hmac_key=b"web-test-hmac-key",
        display_cache_seconds=0,  # each test sees its own data at once
        display_session_cache_seconds=0,  # a revoked kiosk or disabled display stops at once
    )
    upgrade_database(url)
    app = create_app(config)
    app.server.config["TESTING"] = True
    return app


@pytest.fixture
def web_db(web_app) -> Database:
    from auth.context import EXTENSION_KEY

    state = web_app.server.extensions[EXTENSION_KEY]
    _wipe(state["engine"])
    _forget_figures(state)
    with state["session_factory"]() as session:
        ensure_bed_types(session)
        session.commit()
    yield Database(state["config"].database_url, state["engine"], state["session_factory"])
    _wipe(state["engine"])


def _forget_figures(state: dict) -> None:
    """The web app's per-process memory of bed figures is keyed by a fingerprint of versions and
    times, which a wiped database starts again from: a test's figures must not be another's."""
    from db import capacity

    capacity._VERSION_MEMO.clear()
    capacity._OWN_MEMO.clear()
    state["live"].forget()  # the live views' versions and grants (web/live.py)


@pytest.fixture
def web_people(web_db):
    with web_db.factory() as session:
        made = one_of_each(session)
        session.commit()
    return made


@pytest.fixture
def client(web_app, web_db):
    with web_app.server.test_client() as test_client:
        yield test_client


# ---- logging in through the test client ----------------------------------------------------


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Auth:
    """Logging in and out through a test client, as the login form and the navbar do."""

    def __init__(self, client, web_app):
        self.client = client
        self._web_app = web_app

    @staticmethod
    def csrf_from(html: str) -> str:
        match = _CSRF.search(html)
        assert match, "no CSRF token in the form"
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD, *, remember: bool = False):
        page = self.client.get("/login")
        data = {"email": email, "password": password,
                "csrf_token": self.csrf_from(page.get_data(as_text=True))}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        # The navbar's logout form carries the session's CSRF token; any form page has the same one.
        token = self.csrf_from(self.client.get("/register").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})

    def dash_headers(self) -> dict:
        """The double-submit CSRF header that Dash's renderer sends from its cookie."""
        self.client.get("/")  # any page GET while logged in sets the cookie
        cookie = self.client.get_cookie("_csrf_token")
        return {"X-CSRFToken": cookie.value if cookie else ""}

    def set_login_limit(self, limit: str) -> None:
        """A new login limit, counted from zero (earlier tests' attempts are forgotten)."""
        from auth import limiter
        from auth.context import EXTENSION_KEY

        state = self._web_app.server.extensions[EXTENSION_KEY]
        state["config"] = replace(state["config"], login_rate_limit=limit)
        limiter.reset()


@pytest.fixture
def auth_for(web_app):
    """`Auth` for a client of the test's own, e.g. a second person's: `auth_for(other_client)`."""
    return lambda client: Auth(client, web_app)


@pytest.fixture
def auth(auth_for, client) -> Auth:
    """Log in and out through the test's `client`: `auth.login(email)`, `auth.dash_headers()` …"""
    return auth_for(client)


# ---- the browser ----------------------------------------------------------------------------


@pytest.fixture
def browser(web_db, web_app, dash_duo) -> Browser:
    """A real browser on the app (tests/e2e/browser.py). It asks for `web_db` before `dash_duo`,
    so the browsers and the server stop before the database is wiped."""
    made = Browser(dash_duo.driver, duo=dash_duo, app=web_app)
    try:
        yield made
    finally:
        made.close_others()


@pytest.fixture
def statements(web_db):
    """Every SQL statement the web app's engine runs during the test, in order."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(web_db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(web_db.engine, "before_cursor_execute", note)


@pytest.fixture
def database_cut(web_app):
    """The database stops answering (connection refused) until the test ends."""
    from auth.context import EXTENSION_KEY

    state = web_app.server.extensions[EXTENSION_KEY]
    factory = state["session_factory"]
    dead = make_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none")
    state["session_factory"] = make_session_factory(dead)
    yield
    state["session_factory"] = factory
    dead.dispose()

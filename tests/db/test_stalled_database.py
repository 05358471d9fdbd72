"""A database that accepts connections but stops answering (a stalled server, a hung proxy) must
not hold a web request for ever: past HEALTHFIRST_DB_WAIT_SECONDS the request fails as an outage
("Not saved"), and once the database answers again the next request works."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from db.engine import bound_database_waits, make_engine


class StallingProxy:
    """A TCP proxy to PostgreSQL that can stop passing bytes (its sockets stay open)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.stalled = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                while self.stalled.is_set():
                    time.sleep(0.05)
                sink.sendall(data)
        except OSError:
            pass

    def close(self):
        self.stalled.clear()
        self.listener.close()
        for open_socket in self.sockets:
            open_socket.close()


@pytest.fixture
def bounded_waits():
    bound_database_waits(1.5)
    yield 1.5
    bound_database_waits(0)


def test_a_stalled_database_fails_the_request_in_seconds_and_is_used_again_after(pg_url, bounded_waits):
    url = make_url(pg_url)
    proxy = StallingProxy(url.host or "127.0.0.1", url.port or 5432)
    engine = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:  # a pooled connection, as a web worker holds
            assert connection.execute(text("select 1")).scalar_one() == 1
        proxy.stalled.set()
        started = time.monotonic()
        with pytest.raises(OperationalError) as failure, engine.connect() as connection:
            connection.execute(text("select 2"))
        waited = time.monotonic() - started
        assert waited < bounded_waits + 2.5, f"the request waited {waited:.1f} s"
        assert failure.value.connection_invalidated or "no answer within" in str(failure.value)
        proxy.stalled.clear()
        with engine.connect() as connection:  # the stalled connection was thrown away
            assert connection.execute(text("select 3")).scalar_one() == 3
    finally:
        engine.dispose()
        proxy.close()


def test_without_a_bound_the_default_is_three_seconds(monkeypatch, tmp_path):
    from config import Config

    monkeypatch.setenv("HEALTHFIRST_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("HEALTHFIRST_DB_WAIT_SECONDS", raising=False)
    assert Config.from_env().db_wait_seconds == 3

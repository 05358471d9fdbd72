"""gunicorn forks its workers from a master that built the app (preload_app): a worker must not
keep a database connection the master opened, or two workers share one socket and their answers
cross ("error with status PGRES_TUPLES_OK and no message from the libpq", seen by the display
benchmark with one session per screen). `post_fork` runs before gunicorn sets `worker.wsgi`."""

from __future__ import annotations

import runpy
from types import SimpleNamespace

from auth.context import EXTENSION_KEY
from tests.builders import ROOT


class _Engine:
    def __init__(self):
        self.disposed = []

    def dispose(self, close=True):
        self.disposed.append(close)


def test_post_fork_drops_the_masters_connections_before_the_worker_serves():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    engine = _Engine()
    app = SimpleNamespace(extensions={EXTENSION_KEY: {"engine": engine}})
    # A worker as gunicorn hands it to post_fork: its application, not yet its `wsgi` attribute.
    worker = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    settings["post_fork"](None, worker)
    assert engine.disposed == [False]  # the pool forgets the master's sockets without closing them

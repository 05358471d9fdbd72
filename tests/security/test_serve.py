"""Production serving, `python -m serve` (Granian): started for real, as an operator starts it, on
the settings the README's configuration table names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config import Config
from serve import settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_listens_where_the_readme_and_config_say_by_default():
    chosen = settings({})
    assert chosen["address"] == "127.0.0.1" == Config.__dataclass_fields__["host"].default  # this machine only
    assert chosen["port"] == 8050 == Config.__dataclass_fields__["port"].default
    assert "| `HEALTHFIRST_HOST` | `127.0.0.1` |" in (ROOT / "README.md").read_text()
    assert chosen["factory"] and chosen["target"] == "app:create_server"  # each worker builds its own app
    assert chosen["log_access"] is False


def test_the_variables_set_workers_threads_and_the_access_log(tmp_path):
    chosen = settings({"HEALTHFIRST_HOST": "0.0.0.0", "HEALTHFIRST_PORT": "9000", "HEALTHFIRST_WEB_WORKERS": "3",
                       "HEALTHFIRST_WEB_THREADS": "4", "HEALTHFIRST_ACCESS_LOG": str(tmp_path / "access.log")})
    assert (chosen["address"], chosen["port"], chosen["workers"], chosen["blocking_threads"]) == ("0.0.0.0", 9000, 3, 4)
    handler = chosen["log_dictconfig"]["handlers"]["access_file"]
    assert chosen["log_access"] and handler["filename"] == str(tmp_path / "access.log")


@pytest.fixture
def served(tmp_path):
    """`python -m serve` with two workers on a fresh SQLite database, stopped after the test."""
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HEALTHFIRST_INSTANCE_DIR": str(tmp_path),
           "HEALTHFIRST_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", "HEALTHFIRST_PORT": str(port),
           "HEALTHFIRST_WEB_WORKERS": "2", "HEALTHFIRST_ACCESS_LOG": str(tmp_path / "access.log")}
    subprocess.run([sys.executable, "-m", "db.setup"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    output = open(tmp_path / "serve.out", "w")  # noqa: SIM115 - closed when the server stops
    server = subprocess.Popen([sys.executable, "-m", "serve"], cwd=ROOT, env=env, stdout=output,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    (tmp_path / "serve.out").read_text()[-3000:]
                time.sleep(0.3)
        yield base, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)
        output.close()


def test_the_production_server_serves_the_app_and_believes_only_its_balancer(served):
    base, folder = served
    with urllib.request.urlopen(base + "/login", timeout=30) as answer:
        assert answer.status == 200 and "HealthFirst" in answer.read().decode()
        assert "Strict-Transport-Security" not in answer.headers  # plain HTTP: no HSTS
    # The balancer on this machine (127.0.0.1, the default HEALTHFIRST_FORWARDED_ALLOW_IPS) says HTTPS.
    request = urllib.request.Request(base + "/login", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert "max-age=" in answer.headers["Strict-Transport-Security"]
    # Signed out, a page of the app sends the person to log in.
    with urllib.request.urlopen(base + "/hospital/queue", timeout=30) as answer:
        assert answer.url.startswith(base + "/login")
    time.sleep(0.5)
    assert '"GET /login HTTP/1.1" 200' in (folder / "access.log").read_text()


_COUNT_ARENAS = """
import ctypes, sys, tempfile, threading
import serve
limited = serve.limit_malloc_arenas({}) if sys.argv[1] == "limit" else None
held = []
together = threading.Barrier(8)
def allocate():
    together.wait()  # all 8 threads alive at once, as a worker's are (an ended thread's arena is reused)
    held.append([bytes(2048) for _ in range(2000)])  # above Python's small-object size: glibc's malloc
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile("r") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(limited, out.read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_a_worker_keeps_at_most_two_malloc_arenas_however_many_threads_allocate():
    def arenas(mode: str) -> tuple[str, int]:
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
        out = subprocess.run([sys.executable, "-c", _COUNT_ARENAS, mode], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=60, check=True).stdout.split()
        return out[0], int(out[1])

    limited, count = arenas("limit")
    assert limited == "2" and count <= 2
    assert arenas("default")[1] > 2  # what the limit saves: without it each thread takes its own

"""Production serving: `python -m serve` runs the web app under Granian on each web machine.

Granian is an HTTP server written in Rust: it parses HTTP, keeps connections alive and queues
requests outside Python, and hands each request to one of `HEALTHFIRST_WEB_THREADS` Python
threads per worker process. Measured on this project's 2-core benchmark machine, gunicorn's
gthread worker spent 1.09 ms of CPU on each request of an app that does nothing; Granian 0.10 ms.
At thousands of live-view polls a second that difference is the server's whole capacity
(bench/README.md, "The HTTP server").

Web workers are stateless (sessions are signed cookies; the scheduler runs in `python -m jobs`),
so any number of them, on any number of machines, can serve behind a load balancer. Each worker
builds the app itself (`app:create_server`, a factory), so no database connection is ever shared
between processes, and every worker has its whole callback map before its first request.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os

APP = "app:create_server"
# glibc gives threads that allocate at once their own malloc arenas, up to 8 per core, and each
# arena keeps its own freed memory: a worker's 8 threads grew it by ~20 MB more under the heaviest
# benchmark than two arenas do, at no measurable cost in speed (README, "Benchmarks": web_rss_mb).
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number for it (malloc.h)


def settings(environ=os.environ) -> dict:
    """Granian's settings from the HEALTHFIRST_* variables (README, Configuration)."""
    from granian.constants import Interfaces
    from granian.log import LogLevels

    log_level = environ.get("HEALTHFIRST_LOG_LEVEL", "WARNING").lower()
    access_log = environ.get("HEALTHFIRST_ACCESS_LOG", "")
    return {
        "target": APP,
        "factory": True,
        "interface": Interfaces.WSGI,
        # The same default as `python app.py` (config.py): this machine only. Behind a load
        # balancer set HEALTHFIRST_HOST=0.0.0.0 (or the interface it reaches) explicitly.
        "address": environ.get("HEALTHFIRST_HOST", "127.0.0.1"),
        "port": int(environ.get("HEALTHFIRST_PORT", "8050")),
        "workers": int(environ.get("HEALTHFIRST_WEB_WORKERS", multiprocessing.cpu_count())),
        # Threads let one worker overlap database waits. A crew phone's post waits for its
        # worker's next group commit (db/position_writer.py), holding a thread until then.
        "blocking_threads": int(environ.get("HEALTHFIRST_WEB_THREADS", "8")),
        "backlog": 2048,
        # A worker that dies is replaced; one that grows past HEALTHFIRST_WEB_MAX_RSS_MB on three
        # samples a minute apart (a slow leak) is replaced gracefully, finishing what it serves.
        "respawn_failed_workers": True,
        "workers_max_rss": int(environ.get("HEALTHFIRST_WEB_MAX_RSS_MB", "512")),
        "rss_sample_interval": 60,
        "rss_samples": 3,
        "workers_kill_timeout": 20,
        "log_level": LogLevels(log_level if log_level in {m.value for m in LogLevels} else "warning"),
        "log_access": bool(access_log),
        "log_dictconfig": _access_log_to_file(access_log) if access_log not in ("", "-") else None,
    }


def _access_log_to_file(path: str) -> dict:
    """Granian's logging, with its access lines (one per request) appended to `path`."""
    from granian.log import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "handlers": dict(LOGGING_CONFIG["handlers"]),
              "loggers": dict(LOGGING_CONFIG["loggers"])}
    config["handlers"]["access_file"] = {"class": "logging.FileHandler", "filename": path,
                                         "formatter": "access"}
    config["loggers"]["granian.access"] = {**config["loggers"]["granian.access"], "handlers": ["access_file"]}
    return config


def limit_malloc_arenas(environ=os.environ) -> int | None:
    """At most MALLOC_ARENAS malloc arenas in this process and the workers it forks; None where
    glibc's own MALLOC_ARENA_MAX is set (the operator's choice stands) or the C library has no
    mallopt (not glibc). Called before Granian forks its workers."""
    if "MALLOC_ARENA_MAX" in environ:
        return None
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    return MALLOC_ARENAS if mallopt(_M_ARENA_MAX, MALLOC_ARENAS) == 1 else None


def main() -> None:
    from granian.server import Server

    limit_malloc_arenas()
    Server(**settings()).serve()


if __name__ == "__main__":
    main()

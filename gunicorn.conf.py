"""Production serving: `gunicorn -c gunicorn.conf.py 'app:create_server()'`.

Web workers are stateless (sessions are signed cookies; the scheduler runs in `python -m jobs`),
so any number of them, on any number of machines, can serve behind a load balancer.
"""

import multiprocessing
import os

# The same default as `python app.py` (config.py): this machine only. Behind a load balancer set
# HEALTHFIRST_HOST=0.0.0.0 (or the interface it reaches) explicitly.
bind = f"{os.environ.get('HEALTHFIRST_HOST', '127.0.0.1')}:{os.environ.get('HEALTHFIRST_PORT', '8050')}"
workers = int(os.environ.get("HEALTHFIRST_WEB_WORKERS", multiprocessing.cpu_count()))
# Threads let one worker overlap database waits; Dash callbacks are short. A crew phone's post
# waits for its worker's next group commit (db/position_writer.py): at 1,000 posts/s a worker
# holds 5-8 of them at once, so 4 threads capped a worker near 800 posts/s (bench/README.md).
worker_class = "gthread"
threads = int(os.environ.get("HEALTHFIRST_WEB_THREADS", "8"))
timeout = 30
graceful_timeout = 20
# Wall displays poll every 5 s: keep their connections open between polls.
keepalive = 15
# Recycle workers now and then so no slow leak can grow without bound, but rarely: a thousand wall
# displays make 200 requests a second, and a recycled worker is a moment of lost capacity.
max_requests = 200_000
max_requests_jitter = 20_000
# Build the app once in the master and fork workers from it: a replacement worker is serving
# as soon as it is forked instead of importing Dash again. (Nothing opens a database connection
# while the app is built, so no connection is shared across the fork.)
preload_app = True
accesslog = os.environ.get("HEALTHFIRST_ACCESS_LOG", None)
forwarded_allow_ips = os.environ.get("HEALTHFIRST_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """A forked worker must never reuse a database connection the master might have opened."""
    from auth.context import EXTENSION_KEY

    # `worker.wsgi` is set only later (in init_process): ask the application, which hands back
    # the app the master preloaded (the same object the worker will serve).
    app = worker.app.wsgi()
    state = getattr(app, "extensions", {}).get(EXTENSION_KEY) if app is not None else None
    if state is not None:
        state["engine"].dispose(close=False)

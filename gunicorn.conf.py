"""Production serving: `gunicorn -c gunicorn.conf.py 'app:create_server()'`.

Web workers are stateless (sessions are signed cookies; the scheduler runs in `python -m jobs`),
so any number of them, on any number of machines, can serve behind a load balancer.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HEALTHFIRST_HOST', '0.0.0.0')}:{os.environ.get('HEALTHFIRST_PORT', '8050')}"
workers = int(os.environ.get("HEALTHFIRST_WEB_WORKERS", multiprocessing.cpu_count()))
# Threads let one worker overlap database waits; Dash callbacks are short.
worker_class = "gthread"
threads = int(os.environ.get("HEALTHFIRST_WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 20
# Wall displays poll every 5 s: keep their connections open between polls.
keepalive = 15
# Recycle workers now and then so no slow leak can grow without bound.
max_requests = 20_000
max_requests_jitter = 2_000
accesslog = os.environ.get("HEALTHFIRST_ACCESS_LOG", None)
forwarded_allow_ips = os.environ.get("HEALTHFIRST_FORWARDED_ALLOW_IPS", "127.0.0.1")

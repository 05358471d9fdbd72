"""Which connections may say a request reached the load balancer over HTTPS.

A TLS-terminating balancer forwards plain HTTP and says `X-Forwarded-Proto: https`. The app
believes that header only from the addresses in `HEALTHFIRST_FORWARDED_ALLOW_IPS` (comma-separated,
or `*`; default `127.0.0.1`), as gunicorn's `forwarded_allow_ips` did: from anyone else it is a
client's claim and is ignored. What it decides is `wsgi.url_scheme`, which HSTS and the crew
path's secure-cookie checks read (auth/headers.py, web/crew.py)."""

from __future__ import annotations

SCHEMES = {"http", "https"}


class ForwardedProto:
    """WSGI middleware, outermost: every other layer sees the scheme the balancer saw."""

    def __init__(self, app, allowed: str):
        self.app = app
        names = {part.strip() for part in allowed.split(",") if part.strip()}
        self.anyone = "*" in names
        self.allowed = frozenset(names - {"*"})

    def __call__(self, environ, start_response):
        said = environ.get("HTTP_X_FORWARDED_PROTO")
        if said and (self.anyone or environ.get("REMOTE_ADDR") in self.allowed):
            scheme = said.split(",")[0].strip().lower()  # the first proxy's word: the client's own hop
            if scheme in SCHEMES:
                environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)


def install_forwarded_proto(server, allowed: str) -> None:
    server.wsgi_app = ForwardedProto(server.wsgi_app, allowed)

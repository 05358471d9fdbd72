"""X-Forwarded-Proto is believed from the configured balancers only (auth/proxy.py)."""

import pytest

from auth.proxy import ForwardedProto


def _scheme(allowed: str, remote: str, said: str | None) -> str:
    seen = {}

    def app(environ, _start_response):
        seen["scheme"] = environ["wsgi.url_scheme"]
        return [b""]

    environ = {"REMOTE_ADDR": remote, "wsgi.url_scheme": "http"}
    if said is not None:
        environ["HTTP_X_FORWARDED_PROTO"] = said
    ForwardedProto(app, allowed)(environ, None)
    return seen["scheme"]


@pytest.mark.parametrize("allowed,remote,said,scheme", [
    ("127.0.0.1", "127.0.0.1", "https", "https"),        # the balancer on this machine
    ("10.0.0.5", "10.0.0.5", "HTTPS, http", "https"),     # the first proxy's word
    ("10.0.0.5", "203.0.113.9", "https", "http"),          # a client's own claim: ignored
    ("*", "203.0.113.9", "https", "https"),                # anyone, when the operator says so
    ("10.0.0.5", "10.0.0.5", "gopher", "http"),            # not a scheme
    ("10.0.0.5", "10.0.0.5", None, "http"),
])
def test_only_the_configured_balancers_set_the_scheme(allowed, remote, said, scheme):
    assert _scheme(allowed, remote, said) == scheme

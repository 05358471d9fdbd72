"""Security headers on every response: a Content-Security-Policy strict enough to stop injected
script, no framing (except the wall display where a kiosk player is configured to frame it), no
referrer leaving the site, no MIME sniffing, and HSTS over HTTPS."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, request

from auth.context import state
from config import Config


def is_framable(path: str) -> bool:
    """The documents a kiosk player may frame (HEALTHFIRST_DISPLAY_FRAME_ANCESTORS): the wall display
    and the kiosk links that open it. Nothing else, not even a path that merely begins the same
    way (`/displays`), nor a crew link (`/kiosk/crew/…`: a phone, never a frame)."""
    if path == "/display" or path.startswith("/display/"):
        return True
    return path.startswith("/kiosk/") and not path.startswith("/kiosk/crew/")


def tiles_source(tiles_url: str) -> str:
    """The CSP source of the map tile server (`{s}` subdomains become a wildcard)."""
    parts = urlsplit(tiles_url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def content_security_policy(config: Config, script_hashes: list[str], *, framable: bool) -> str:
    ancestors = (config.display_frame_ancestors.strip() if framable else "") or "'none'"
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tiles_source(config.map_tiles_url)]))
    directives = {
        "default-src": "'self'",
        # Dash's one inline script (the renderer's start) and any inline clientside callback are
        # allowed by their hashes; nothing else inline runs.
        "script-src": " ".join(["'self'", *script_hashes]),
        # Plotly and Leaflet set styles at run time.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": images,
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "media-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _hashes_memo(script_hashes: Callable[[], list[str]]) -> Callable[[], tuple[str, ...]]:
    """`script_hashes()`, hashed again only when the inline scripts it hashes change. Dash's
    `csp_hashes` hashes every inline script (the renderer's start, inline clientside callbacks) on
    each call; for the app's own bound method the scripts are its `_inline_scripts`, `renderer`
    and the clientside callbacks registered since (`dash._callback.GLOBAL_INLINE_SCRIPTS`), so
    their count and the renderer tell when to hash again. Anything else is asked every time."""
    owner = getattr(script_hashes, "__self__", None)
    if owner is None or not hasattr(owner, "_inline_scripts"):
        return lambda: tuple(script_hashes())
    from dash._callback import GLOBAL_INLINE_SCRIPTS

    held: list = [None, ()]

    def hashes() -> tuple[str, ...]:
        key = (len(owner._inline_scripts), len(GLOBAL_INLINE_SCRIPTS), owner.renderer)
        if held[0] != key:
            found = tuple(script_hashes())  # moves GLOBAL_INLINE_SCRIPTS into _inline_scripts
            held[:] = [(len(owner._inline_scripts), len(GLOBAL_INLINE_SCRIPTS), owner.renderer), found]
        return held[1]

    return hashes


SECURITY_HEADERS_KEY = "healthfirst.security_headers"


def install_security_headers(server: Flask, script_hashes: Callable[[], list[str]]) -> None:
    """`script_hashes()` gives the CSP hashes of the app's own inline scripts (Dash's renderer start
    and any inline clientside callback), asked on each response so that a callback registered
    late is never blocked; the policy text is built once per distinct setting. The headers are
    also `server.extensions[SECURITY_HEADERS_KEY](config, path, secure)`, for an answer given
    before Flask (web/crew.py)."""
    policies: dict[tuple, str] = {}
    hashes_for = _hashes_memo(script_hashes)

    def policy(config: Config, framable: bool) -> str:
        hashes = hashes_for()
        key = (framable, config.display_frame_ancestors, config.map_tiles_url, hashes)
        if key not in policies:
            policies[key] = content_security_policy(config, list(hashes), framable=framable)
        return policies[key]

    def headers_for(config: Config, path: str, secure: bool) -> list[tuple[str, str]]:
        framable = is_framable(path) and bool(config.display_frame_ancestors.strip())
        headers = [("Content-Security-Policy", policy(config, framable))]
        if not framable:
            headers.append(("X-Frame-Options", "DENY"))
        headers.append(("X-Content-Type-Options", "nosniff"))
        # Kiosk links carry their token in the path: never send a path to another site.
        headers.append(("Referrer-Policy", "same-origin"))
        headers.append(("Permissions-Policy", "geolocation=(self), camera=(), microphone=()"))
        if config.https or secure:
            headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        return headers

    server.extensions[SECURITY_HEADERS_KEY] = headers_for

    @server.after_request
    def _headers(response: Response) -> Response:
        # A route with a stricter policy of its own (a report download) keeps it.
        for name, value in headers_for(state()["config"], request.path, request.is_secure):
            response.headers.setdefault(name, value)
        return response

"""Compression and cache lifetimes of every response.

Compression (Flask-Compress, brotli where the browser takes it, else gzip): pages, scripts,
stylesheets, callback answers, the wall feed, CAP and HAVE documents, CSV exports. Untouched:
report downloads (binary, and never worth a guess), anything already encoded, and answers under
500 bytes (the wall's idle stamp), where the encoding costs more than it saves.

Bodies that many requests share are compressed once and the result reused: Dash's component
libraries (the same bytes for the life of the process) and the wall feed's bodies, which the
feed route names with `compress_once(key)`. Everything else is compressed per response.

Cache lifetimes: a fingerprinted file (Dash's `….v4_4_1m1796373224.min.js`, an asset's
`?m=<mtime>`, the favicon's `?v=<Dash version>`) changes its URL when it changes, so the browser may keep it a year without asking;
everything that has no lifetime of its own (pages, callbacks, layouts) is `no-store`.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
from collections import OrderedDict

from dash.fingerprint import check_fingerprint
from flask import Flask, Response, g, request
from flask_compress import Compress

COMPONENT_SUITES = "/_dash-component-suites/"
ASSETS = "/assets/"
FAVICON = "/_favicon.ico"
IMMUTABLE = "public, max-age=31536000, immutable"
# Routes whose answers stay as they are (endpoint names).
NOT_COMPRESSED = {"report_files.download"}
# Text types beyond Flask-Compress's own list: CSV exports, CAP documents, EDXL-HAVE.
EXTRA_MIMETYPES = ["text/csv", "application/cap+xml"]
# Per worker. Every component library and asset of every page, both encodings, takes ~6 MB: they
# are kept apart from the wall feed's bodies, which change with every view (a few KB each; only the
# latest views' are asked for), so that those never push the libraries out or grow the worker.
CACHE_BYTES = 16 * 2**20
FEED_CACHE_BYTES = 2 * 2**20
FEED_KEY_PREFIX = "display:"


class _CompressedBodies:
    """Compressed bodies by key, least recently used dropped first beyond `limit` bytes."""

    def __init__(self, limit: int = CACHE_BYTES):
        self._limit = limit
        self._size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self._size += len(value) - (len(old) if old is not None else 0)
            self._items[key] = value
            while self._size > self._limit and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def compress_once(key: str) -> None:
    """The current response's body is the same for every request naming `key`: compress it once."""
    g.compress_key = key


def _shared_key() -> str | None:
    # Keys never come from what a caller may vary at will (a made-up fingerprint or `?m=`), so
    # that nobody can fill the cache or make a worker compress the same file over and over.
    if request.path.startswith(COMPONENT_SUITES):
        return check_fingerprint(request.path)[0]  # a package's file does not change while the process runs
    return g.get("compress_key")


def _fingerprinted() -> bool:
    if request.path.startswith(COMPONENT_SUITES):
        return check_fingerprint(request.path)[1]
    if request.path == FAVICON:
        return "v" in request.args  # Dash names it by its own version
    return request.path.startswith(ASSETS) and "m" in request.args


class _SharedBodies:
    """The libraries' cache and the wall feed's (keys starting FEED_KEY_PREFIX), each with its limit."""

    def __init__(self):
        self._libraries = _CompressedBodies(CACHE_BYTES)
        self._feed = _CompressedBodies(FEED_CACHE_BYTES)

    def _for(self, key: str) -> _CompressedBodies:
        # Flask-Compress names an entry "<encoding>;<our key>".
        return self._feed if key.partition(";")[2].startswith(FEED_KEY_PREFIX) else self._libraries

    def get(self, key: str) -> bytes | None:
        return self._for(key).get(key)

    def set(self, key: str, value: bytes) -> None:
        self._for(key).set(key, value)


def _read_whole(response: Response) -> None:
    source = response.response
    try:
        response.direct_passthrough = False
        response.set_data(b"".join(source))
    finally:
        getattr(source, "close", lambda: None)()


def install_compression(server: Flask) -> None:
    server.config.update(
        COMPRESS_REGISTER=False,  # the hook below decides what is left alone
        COMPRESS_ALGORITHM=["br", "gzip"],
        # Flask-Compress's streaming path drops the file's close (a leaked descriptor per answer):
        # files from assets/ (small, at most a few hundred KB) are read whole instead, below.
        COMPRESS_STREAMS=False,
    )
    Compress().init_app(server)  # fills in Flask-Compress's defaults: levels, text types, 500-byte floor
    server.config["COMPRESS_MIMETYPES"] = [*server.config["COMPRESS_MIMETYPES"], *EXTRA_MIMETYPES]
    each, shared = Compress(), Compress()
    each.init_app(server)
    shared.init_app(server)
    shared.cache = _SharedBodies()
    shared.cache_key = lambda _request: _shared_key()

    @server.after_request
    def _compress(response: Response) -> Response:
        if response.status_code in (200, 304) and _fingerprinted():
            response.headers["Cache-Control"] = IMMUTABLE
        elif "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if request.endpoint in NOT_COMPRESSED:
            return response
        if response.is_streamed and response.status_code == 200 and request.path.startswith(ASSETS):
            _read_whole(response)
            etag, _weak = response.get_etag()  # Flask's: the file's modification time, size and name
            if etag:
                compress_once(f"{request.path}:{etag}")
        return (shared if _shared_key() else each).after_request(response)


# ---- content fingerprints ------------------------------------------------------------------
#
# Dash names a file by its modification time (`?m=1796373224` for assets/, `.v4_4_1m1796373224.`
# for component libraries): a redeploy that copies or reinstalls unchanged files gives them new
# times, new URLs, and every returning phone downloads them all again. Named by a hash of their
# content instead, unchanged files keep their URLs (and the browser's year-long copy) across
# deploys. The hash is hexadecimal, which Dash's own fingerprint check accepts in place of the time.

_HASHES: dict[tuple[str, int, int], str] = {}
_HASHES_LOCK = threading.Lock()


def content_fingerprint(path: str) -> str:
    """The first 12 hex digits of the file's SHA-256, computed once per file version."""
    info = os.stat(path)
    key = (path, info.st_mtime_ns, info.st_size)
    with _HASHES_LOCK:
        found = _HASHES.get(key)
    if found is None:
        with open(path, "rb") as handle:
            found = hashlib.sha256(handle.read()).hexdigest()[:12]
        with _HASHES_LOCK:
            _HASHES[key] = found
    return found


def asset_url(assets_folder: str, relative: str) -> str:
    """`/assets/<relative>?m=<content hash>`: the URL of an asset for the plain HTML pages."""
    return f"{ASSETS}{relative}?m={content_fingerprint(os.path.join(assets_folder, relative))}"


_SUITE_URL = re.compile(r"^(?P<prefix>.*/_dash-component-suites/(?P<namespace>[^/]+)/)(?P<file>[^?]+)$")
_DASH_FINGERPRINT = re.compile(r"^(?P<version>v[\w-]+)m[0-9a-fA-F]+$")  # Dash's: the file name's 2nd part


def _suite_by_content(url: str) -> str:
    suite = _SUITE_URL.match(url)
    if not suite:
        return url
    folder, _, name = suite["file"].rpartition("/")
    parts = name.split(".")
    mark = _DASH_FINGERPRINT.match(parts[1]) if len(parts) > 2 else None
    module = sys.modules.get(suite["namespace"])
    if mark is None or module is None or module.__file__ is None:
        return url
    original, _ = check_fingerprint(suite["file"])
    file = os.path.join(os.path.dirname(module.__file__), original)
    if not os.path.isfile(file):
        return url
    parts[1] = f"{mark['version']}m{content_fingerprint(file)}"
    return suite["prefix"] + (folder + "/" if folder else "") + ".".join(parts)


def _by_content(url: str, assets_folder: str) -> str:
    path, _, query = url.partition("?")
    if path.startswith(ASSETS) and query.startswith("m="):
        relative = path[len(ASSETS):]
        return f"{path}?m={content_fingerprint(os.path.join(assets_folder, relative))}"
    return _suite_by_content(url)


def install_content_fingerprints(app) -> None:
    """Name every script and stylesheet a Dash page loads by its content (see above). Dash builds
    those URLs in `_collect_and_register_resources`; this wraps it on the app."""
    original = app._collect_and_register_resources
    folder = app.config.assets_folder

    def by_content(*args, **kwargs):
        found = []
        for src in original(*args, **kwargs):
            if isinstance(src, dict):
                src = {k: _by_content(v, folder) if k in ("src", "href") else v for k, v in src.items()}
            else:
                src = _by_content(src, folder)
            found.append(src)
        return found

    app._collect_and_register_resources = by_content

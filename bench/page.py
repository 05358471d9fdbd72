"""sos_page_kb: bytes on the wire for everything the citizen's SOS page loads (issue 18).

gunicorn as production runs it, on the demo city; the demo citizen logs in through the real form,
then, as Chromium would (`Accept-Encoding: gzip, deflate, br, zstd`), the benchmark fetches
`/citizen`, every script, stylesheet and icon its HTML names, and Dash's `/_dash-layout` and
`/_dash-dependencies`. The value is the sum of the bodies as they travel (compressed where the
server compressed them), in KB (1,000 bytes). Headers, and the scripts a component may load
later on its own (none on the SOS page today), are not counted.
"""

from __future__ import annotations

import gzip
import html
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from bench.env import Bench, log
from bench.results import Result

CITIZEN_EMAIL, CITIZEN_PASSWORD = "citizen@demo.healthfirst.in", "Citizen-demo-2026"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "User-Agent": "HealthFirst-bench"}
BUDGET_KB = 100
_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')  # as bench/client.py (aiohttp-free here)
_REFERENCED = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"')


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


def measure(base: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(base + "/login") as response:
        token = _CSRF_FIELD.search(response.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": CITIZEN_EMAIL, "password": CITIZEN_PASSWORD, "csrf_token": token})
    with opener.open(base + "/login", data=form.encode()) as response:
        response.read()
    files = []

    def fetch(path: str) -> bytes:
        request = urllib.request.Request(base + path, headers=BROWSER)
        with opener.open(request) as response:
            body = response.read()
            encoding = response.headers.get("Content-Encoding")
            files.append({"path": path, "wire": len(body), "decoded": len(_decoded(body, encoding)),
                          "encoding": encoding, "cache": response.headers.get("Cache-Control")})
            return _decoded(body, encoding)

    page = fetch("/citizen").decode()
    for path in _REFERENCED.findall(page):
        fetch(html.unescape(path))
    fetch("/_dash-layout")
    fetch("/_dash-dependencies")
    wire = sum(f["wire"] for f in files)
    again = sum(f["wire"] for f in files if "immutable" not in (f["cache"] or ""))
    return {"kb": round(wire / 1000, 1), "decoded_kb": round(sum(f["decoded"] for f in files) / 1000, 1),
            "revisit_kb": round(again / 1000, 1), "files": files}


def run(bench: Bench) -> list[Result]:
    stack = bench.stack("page", job_processes=0)
    try:
        detail = measure(stack.urls[0])
        log(f"sos_page_kb: {detail['kb']} KB on the wire ({detail['decoded_kb']} KB decoded, "
            f"{detail['revisit_kb']} KB on a return visit)")
        return [Result("sos_page_kb", detail["kb"], "KB", f"≤ {BUDGET_KB}", detail["kb"] <= BUDGET_KB, detail)]
    finally:
        bench.stop_stack(stack)

"""The citizen's SOS path on a slow phone network (issue 18).

The web server as production runs it, on the demo city; the demo citizen logs in through the real form.

- `sos_page_kb`: as Chromium would (`Accept-Encoding: gzip, deflate, br, zstd`), the benchmark
  fetches `/citizen`, every script, stylesheet, icon and manifest its HTML names, the service
  worker when the page has one, and, for a Dash page, `/_dash-layout` and `/_dash-dependencies`.
  The sum of the bodies as they travel (compressed where the server compressed them), in KB
  (1,000 bytes). Headers are not counted.
- `sos_page_4g_s`, `sos_page_3g_s`: headless Chromium, already logged in, empty cache (and no
  service worker), with the browser's network emulation (CDP `Network.emulateNetworkConditions`:
  4 Mbit/s down, 3 up, 20 ms; 750 kbit/s down, 250 up, 100 ms). From the moment the citizen opens
  `/citizen` to a working SOS button: on the plain page, the form's button shown with its style
  (it works as soon as it is there: it posts the form); on a Dash page, the button rendered by
  Dash (its callbacks are wired then). Median of 5. `detail` also has the tracking page's status
  painted the same way (`tracking_median_s`, the issue's same budget).
- `tracking_idle_bytes`: one automatic refresh of the tracking page when nothing changed, as it
  travels: request line and headers, answer status line, headers and body. For the Dash page
  (before), its refresh callback and the feedback callback that runs on the same timer.
- `step_to_tracking_p95_s`: an accept or an ambulance step is committed → the citizen's open
  tracking page (Chromium, no network emulation) shows the new status; p95 over several SOS.
"""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import statistics
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from bench.env import Bench, log
from bench.results import Result, percentiles

CITIZEN_EMAIL, CITIZEN_PASSWORD = "citizen@demo.healthfirst.in", "Citizen-demo-2026"
ADMIN_EMAIL = "admin.indiranagar@demo.healthfirst.in"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "User-Agent": "HealthFirst-bench"}
BUDGET_KB = 100
BUDGET_4G_S, BUDGET_3G_S = 2.0, 5.0
BUDGET_IDLE_BYTES = 2000
BUDGET_STEP_S = 2.0
RUNS = 5
# (download, upload in bytes per second; latency in ms): CDP's units.
NETWORKS = {"4g": (4_000_000 / 8, 3_000_000 / 8, 20), "3g": (750_000 / 8, 250_000 / 8, 100)}
_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')  # as bench/client.py (aiohttp-free here)
_REFERENCED = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"')


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


def _logged_in(base: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login") as response:
        token = _CSRF_FIELD.search(response.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": CITIZEN_EMAIL, "password": CITIZEN_PASSWORD, "csrf_token": token})
    with opener.open(base + "/login", data=form.encode()) as response:
        response.read()
    return opener, jar


def measure(base: str) -> dict:
    opener, _jar = _logged_in(base)
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
    if "DashRenderer" in page:
        fetch("/_dash-layout")
        fetch("/_dash-dependencies")
    if "/manifest.webmanifest" in page:
        fetch("/sw.js")  # registered by the page's script (the manifest is one of the links above)
    wire = sum(f["wire"] for f in files)
    again = sum(f["wire"] for f in files if "immutable" not in (f["cache"] or ""))
    return {"kb": round(wire / 1000, 1), "decoded_kb": round(sum(f["decoded"] for f in files) / 1000, 1),
            "revisit_kb": round(again / 1000, 1), "files": files}


# ---- the browser ----------------------------------------------------------------------------


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--window-size=360,640"):
        options.add_argument(arg)
    options.page_load_strategy = "none"  # navigation returns at once; the bench watches the page itself
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(30)
    return driver


def _browser_login(driver, base: str) -> None:
    driver.get(base + "/login")
    _wait(driver, "return !!document.getElementById('login-submit')", 30)
    driver.execute_script(
        "document.getElementById('email').value = arguments[0];"
        "document.getElementById('password').value = arguments[1];"
        "document.getElementById('login-submit').click();", CITIZEN_EMAIL, CITIZEN_PASSWORD)
    _wait(driver, "return location.pathname === '/citizen' && document.readyState === 'complete'", 30)


def _wait(driver, script: str, timeout: float, poll: float = 0.01) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if driver.execute_script(script):
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 - the page is being replaced: ask again
            pass
        time.sleep(poll)
    raise TimeoutError(f"not within {timeout} s: {script}")


# The button is painted: there, laid out with its style, every stylesheet of the page loaded and
# the first paint done; on a Dash page, rendered by Dash (which wires its callbacks before
# rendering). The plain page's button works as soon as it is painted: it posts the form.
BUTTON_READY = """
const b = document.getElementById('sos-button');
if (!b) return false;
const r = b.getBoundingClientRect();
const sheets = Array.from(document.querySelectorAll('link[rel=stylesheet]')).every(l => l.sheet);
const painted = performance.getEntriesByType('paint').some(p => p.name === 'first-contentful-paint');
return sheets && painted && r.width > 100 && r.height > 100 && getComputedStyle(b).borderRadius !== '0px';
"""


def _cold(driver, base: str) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    origin = base.rstrip("/")
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": origin,
                                                          "storageTypes": "service_workers,cache_storage"})


# The tracking page's status is painted (its badge there with its text, stylesheets loaded).
STATUS_READY = """
const s = document.getElementById('track-status');
const sheets = Array.from(document.querySelectorAll('link[rel=stylesheet]')).every(l => l.sheet);
const painted = performance.getEntriesByType('paint').some(p => p.name === 'first-contentful-paint');
return !!s && s.textContent.trim().length > 0 && sheets && painted;
"""


def _cold_load(driver, base: str, path: str, ready: str, network: str) -> float:
    down, up, latency = NETWORKS[network]
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    driver.get("about:blank")
    _cold(driver, base)
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency, "downloadThroughput": down, "uploadThroughput": up})
    started = time.monotonic()
    driver.get(base + path)
    _wait(driver, ready, 120)
    return round(time.monotonic() - started, 3)


def page_seconds(base: str, network: str, runs: int = RUNS, *, sos_id: int | None = None) -> dict:
    """The SOS page's button (the figure) and, with `sos_id`, the tracking page's status (detail)."""
    driver = _chromium()
    try:
        _browser_login(driver, base)
        times = [_cold_load(driver, base, "/citizen", BUTTON_READY, network) for _ in range(runs)]
        found = {"median_s": round(statistics.median(times), 2), "runs_s": times}
        if sos_id is not None:
            tracking = [_cold_load(driver, base, f"/citizen/sos/{sos_id}", STATUS_READY, network)
                        for _ in range(runs)]
            found.update(tracking_median_s=round(statistics.median(tracking), 2), tracking_runs_s=tracking)
        return found
    finally:
        driver.quit()


# ---- tracking -------------------------------------------------------------------------------


def _new_sos(config) -> int:
    """An SOS of the demo citizen near the demo admin's hospital, offered to it."""
    from sqlalchemy import select, update

    from db import matching
    from db import sos as sos_ops
    from db.clock import utcnow
    from db.engine import make_engine, make_session_factory, session_scope
    from db.models import Hospital, Sos, User

    engine = make_engine(config.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            citizen = session.execute(select(User).where(User.email == CITIZEN_EMAIL)).scalar_one()
            session.execute(update(Sos).where(Sos.citizen_id == citizen.id, Sos.status.not_in(("resolved", "cancelled")))
                            .values(status="cancelled", closed_at=utcnow()))
            admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
            hospital = session.get(Hospital, admin.hospital_id)
            sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=hospital.latitude + 0.001,
                                        longitude=hospital.longitude, now=utcnow(), location_source="typed")
            session.flush()
            matching.match_due(session, now=utcnow(), sos_id=sos.id, rings=(50.0,))
            return sos.id
    finally:
        engine.dispose()


def _steps(config, sos_id: int):
    """Each step as a function committing it: accept, send an ambulance, then its status steps."""
    from sqlalchemy import select

    from db import dispatch
    from db import sos as sos_ops
    from db.clock import utcnow
    from db.engine import make_engine, make_session_factory, session_scope
    from db.models import Ambulance, User

    engine = make_engine(config.database_url)
    factory = make_session_factory(engine)
    state = {}

    def run(operation):
        with session_scope(factory) as session:
            admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
            operation(session, admin)

    def accept(session, admin):
        sos_ops.accept_sos(session, actor=admin, sos_id=sos_id, now=utcnow())

    def assign(session, admin):
        unit = session.execute(select(Ambulance).where(Ambulance.hospital_id == admin.hospital_id,
                                                       Ambulance.status == "available")).scalars().first()
        if unit is None:
            unit = dispatch.register_unit(session, actor=admin, call_sign=f"BENCH-{sos_id}", now=utcnow())
        state["unit"] = unit.id
        dispatch.assign_unit(session, actor=admin, sos_id=sos_id, unit_id=unit.id, now=utcnow())

    def move(to_status):
        return lambda session, admin: dispatch.move_unit(session, actor=admin, unit_id=state["unit"],
                                                         to_status=to_status, now=utcnow())

    steps = [("accepted", accept), ("dispatched", assign), ("en_route", move("en_route")),
             ("on_scene", move("on_scene")), ("transporting", move("transporting")),
             ("at_hospital", move("at_hospital"))]
    return [(status, lambda op=op: run(op)) for status, op in steps], engine


def step_seconds(base: str, config, sos_count: int = 4) -> dict:
    from db.vocabulary import SOS_STATUS_LABELS

    driver = _chromium()
    delays = []
    try:
        _browser_login(driver, base)
        for _ in range(sos_count):
            sos_id = _new_sos(config)
            driver.get(f"{base}/citizen/sos/{sos_id}")
            _wait(driver, "return !!document.getElementById('track-status')", 30)
            time.sleep(1.5)  # the page's own scripts are running
            steps, engine = _steps(config, sos_id)
            try:
                for status, commit in steps:
                    label = SOS_STATUS_LABELS[status]
                    commit()
                    delays.append(round(_wait(driver, "const e = document.getElementById('track-status');"
                                                      f"return !!e && e.textContent.trim() === {json.dumps(label)}",
                                              30), 3))
                    time.sleep(0.3)
            finally:
                engine.dispose()
    finally:
        driver.quit()
    p50, p95 = percentiles(delays, 50, 95)
    return {"p50_s": p50, "p95_s": p95, "count": len(delays), "delays_s": delays}


def _raw_size(connection, method: str, path: str, headers: dict, body: bytes = b""):
    """(bytes sent, bytes received, body) of one request on a kept-alive connection."""
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    sent = len(f"{method} {path} HTTP/1.1\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers.items()) + 2 + len(body)
    received = (len(f"HTTP/1.1 {response.status} {response.reason}\r\n")
                + sum(len(f"{k}: {v}\r\n") for k, v in response.getheaders()) + 2 + len(data))
    return sent, received, data, response


def tracking_idle(base: str, config) -> dict:
    sos_id = _new_sos(config)
    _opener, jar = _logged_in(base)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Host": parts.netloc, "Cookie": cookies, **BROWSER}
    page_sent, page_received, page, response = _raw_size(connection, "GET", f"/citizen/sos/{sos_id}", headers)
    etag = response.getheader("ETag")
    if etag:  # the plain page: its poll with the version it shows
        asked = {**headers, "If-None-Match": etag, "Accept": "application/json"}
        _raw_size(connection, "GET", f"/citizen/sos/{sos_id}/live", asked)  # warm
        sent, received, _body, answer = _raw_size(connection, "GET", f"/citizen/sos/{sos_id}/live", asked)
        return {"bytes": sent + received, "sent": sent, "received": received, "status": answer.status}
    # The Dash page (before): its 2-s timer fires the body's refresh and the feedback question.
    token = next((c.value for c in jar if c.name == "_csrf_token"), "")
    dash_headers = {**headers, "Content-Type": "application/json", "X-CSRFToken": token}
    bodies = [
        {"output": "track-body.children", "outputs": {"id": "track-body", "property": "children"},
         "inputs": [{"id": "track-refresh", "property": "n_intervals", "value": 2},
                    {"id": "track-changed", "property": "data", "value": None}],
         "state": [{"id": "track-sos-id", "property": "data", "value": sos_id}],
         "changedPropIds": ["track-refresh.n_intervals"]},
        {"output": "..feedback-area.children...feedback-shown.data..",
         "outputs": [{"id": "feedback-area", "property": "children"}, {"id": "feedback-shown", "property": "data"}],
         "inputs": [{"id": "track-refresh", "property": "n_intervals", "value": 2}],
         "state": [{"id": "track-sos-id", "property": "data", "value": sos_id},
                   {"id": "feedback-shown", "property": "data", "value": "not_yet"}],
         "changedPropIds": ["track-refresh.n_intervals"]},
    ]
    total_sent = total_received = 0
    for body in bodies:
        sent, received, _data, _answer = _raw_size(connection, "POST", "/_dash-update-component", dash_headers,
                                                   json.dumps(body).encode())
        total_sent += sent
        total_received += received
    return {"bytes": total_sent + total_received, "sent": total_sent, "received": total_received,
            "status": "dash callbacks"}


def run(bench: Bench) -> list[Result]:
    stack = bench.stack("page", job_processes=0)
    base = stack.urls[0]
    try:
        detail = measure(base)
        log(f"sos_page_kb: {detail['kb']} KB on the wire ({detail['decoded_kb']} KB decoded, "
            f"{detail['revisit_kb']} KB on a return visit)")
        results = [Result("sos_page_kb", detail["kb"], "KB", f"≤ {BUDGET_KB}", detail["kb"] <= BUDGET_KB, detail)]
        sos_id = _new_sos(stack.config)
        for network, budget in (("4g", BUDGET_4G_S), ("3g", BUDGET_3G_S)):
            timing = page_seconds(base, network, sos_id=sos_id)
            log(f"sos_page_{network}_s: median {timing['median_s']} s of {timing['runs_s']}; the tracking "
                f"page's status: median {timing['tracking_median_s']} s of {timing['tracking_runs_s']}")
            results.append(Result(f"sos_page_{network}_s", timing["median_s"], "s", f"≤ {budget}",
                                  timing["median_s"] <= budget, timing))
        idle = tracking_idle(base, stack.config)
        log(f"tracking_idle_bytes: {idle['bytes']} B ({idle})")
        results.append(Result("tracking_idle_bytes", idle["bytes"], "B", f"≤ {BUDGET_IDLE_BYTES}",
                              idle["bytes"] <= BUDGET_IDLE_BYTES, idle))
        steps = step_seconds(base, stack.config)
        log(f"step_to_tracking_p95_s: p95 {steps['p95_s']} s, p50 {steps['p50_s']} s of {steps['count']}")
        results.append(Result("step_to_tracking_p95_s", steps["p95_s"], "s", f"≤ {BUDGET_STEP_S}",
                              steps["p95_s"] is not None and steps["p95_s"] <= BUDGET_STEP_S, steps))
        return results
    finally:
        bench.stop_stack(stack)

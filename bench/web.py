"""Figures against the running product (gunicorn with production settings + the job process, on a
database holding the real 10k hospitals and the demo city):

- the live views' figures (bench/live.py): the queue with 1,000 waiting SOS, a new SOS on 16 queue
  screens, accepts over HTTP, find a bed, a hospital's own beds.
- display_capacity: simulated wall displays doing what the display page does on its intervals
  (read from the page itself): its server callbacks, and the data fetch its page names in the
  `wall-source` store (a clientside callback), sending back the versions they hold; in ramp steps.
- web_rss_mb: the largest gunicorn worker's RSS, the highest of those taken after each run.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import random
import time
from dataclasses import dataclass

from bench import client as web
from bench.env import Bench, Stack, give_beds, import_real_hospitals, log, worker_pids
from bench.results import Result, percentiles
from components.shell import ID as SHELL

# Ids of the pages driven here, read from their modules (a page module cannot be imported here).
QUEUE = web.page_ids("pages/hospital/queue.py")
WALL = web.page_ids("pages/display/wall.py")
ERROR_BANNER = f'"{SHELL.ERROR_BANNER}"'.encode()

DISPLAY_EMAIL, DISPLAY_PASSWORD = "display@demo.healthfirst.in", "Display-demo-2026"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin.indiranagar@demo.healthfirst.in", "Hospital-demo-2026"
P95_LIMIT_S = 0.250


def start_stack(bench: Bench) -> Stack:
    def load(database):
        imported = import_real_hospitals(database)
        give_beds(database)
        log(f"web stack: {imported} real hospitals with beds loaded")

    return bench.stack("web", before_start=load)


def _interval_components(components: dict) -> dict:
    """id -> interval in ms for every enabled dcc.Interval on the page."""
    found = {}
    for ident, (kind, props) in components.items():
        if kind == "Interval" and not props.get("disabled"):
            found[ident] = int(props.get("interval") or 1000)
    return found


# ---- display capacity -----------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """A URL the page fetches itself on an interval (a clientside callback), e.g. the wall's data."""

    url: str
    output: str


class DisplayLoad:
    """N simulated wall displays sharing one logged-in session: each fires every server callback
    and feed the display page triggers from a dcc.Interval, at that interval, with a random phase."""

    def __init__(self, session: web.Login, plan: list[tuple[web.Callback, str, float]], defaults: dict,
                 feedback: set, fed: set):
        self.session, self.plan, self.defaults, self.feedback, self.fed = session, plan, defaults, feedback, fed
        self.heap: list = []
        self.displays: list[dict] = []
        self.window: web.Stats = web.Stats()
        self.window_open = False
        self.bytes = 0
        self.lag: list = []
        self.inflight: set = set()

    def add_displays(self, count: int) -> None:
        now = time.monotonic()
        for _ in range(count):
            index = len(self.displays)
            self.displays.append({"n": {}, "values": {}, "have": ""})
            for slot, (_cb, _interval_id, period) in enumerate(self.plan):
                heapq.heappush(self.heap, (now + random.uniform(0, period), index, slot))

    async def fire(self, index: int, slot: int, scheduled: float) -> None:
        source, interval_id, _period = self.plan[slot]
        display = self.displays[index]
        started = time.monotonic()
        counted = self.window_open
        try:
            if isinstance(source, Feed):
                status, payload = await web.get_bytes(self.session, source.url, {"have": display["have"]})
            else:
                n = display["n"].get(slot, 0) + 1
                display["n"][slot] = n
                values = dict(self.defaults)
                values.update(display["values"])
                values[(interval_id, "n_intervals")] = n
                body = source.body(values, trigger=(interval_id, "n_intervals"))
                status, payload = await web.post_callback(self.session, body)
            elapsed = time.monotonic() - started
            if status == 200:
                self._remember(display, source, payload)
            if not counted:
                return
            if status == 204:
                self.window.add(elapsed)
            elif status != 200:
                self.window.error(f"HTTP {status}")
            elif ERROR_BANNER in payload:
                self.window.error("callback failed (error banner)")
            else:
                self.window.add(elapsed)
                self.bytes += len(payload)
            self.lag.append(started - scheduled)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - timeouts, resets: errors of the step
            if counted:
                self.window.error(type(error).__name__)

    def _remember(self, display: dict, source, payload: bytes) -> None:
        """What the screen sends back next time: the versions of the parts it now holds (a feed),
        or the values a callback feeds back to itself. Not the tiles: a thousand copies of every
        tile would make this process the bottleneck."""
        if isinstance(source, Feed):
            display["have"] = json.loads(payload)["stamp"]["have"]
        elif source.output in self.feedback:
            for ident, props in json.loads(payload).get("response", {}).items():
                for prop, value in props.items():
                    if (ident, prop) in self.fed:
                        display["values"][(ident, prop)] = value

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if not self.heap:
                await asyncio.sleep(0.05)
                continue
            when, index, slot = self.heap[0]
            delay = when - time.monotonic()
            if delay > 0:
                await asyncio.sleep(min(delay, 0.05))
                continue
            heapq.heappop(self.heap)
            heapq.heappush(self.heap, (when + self.plan[slot][2], index, slot))
            task = asyncio.create_task(self.fire(index, slot, when))
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)


def _cpu_snapshot(stack: Stack) -> dict:
    import psutil

    groups = {"gunicorn": [], "jobs": [], "postgres": [], "bench": [psutil.Process()]}
    for proc in stack.web:
        groups["gunicorn"] += [psutil.Process(pid) for pid in [proc.pid] + worker_pids(proc)]
    for proc in stack.jobs:
        groups["jobs"].append(psutil.Process(proc.pid))
    for candidate in psutil.process_iter(["name"]):
        if (candidate.info.get("name") or "").startswith("postgres"):
            groups["postgres"].append(candidate)
    times = {}
    for name, procs in groups.items():
        for proc in procs:
            try:
                cpu = proc.cpu_times()
                times[(name, proc.pid)] = cpu.user + cpu.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    return times


def _cpu_used(before: dict, after: dict, seconds: float) -> dict:
    """Cores used per group over the window (processes present at both ends)."""
    used: dict = {}
    for key, value in after.items():
        if key in before:
            used[key[0]] = used.get(key[0], 0.0) + value - before[key]
    return {name: round(total / seconds, 2) for name, total in used.items()}


def _display_plan(callbacks: list, components: dict, intervals: dict) -> list[tuple]:
    """What one display does: (server callback or Feed, the interval that fires it, its period in s)."""
    plan = []
    for cb in callbacks:
        if cb.clientside:
            continue
        triggers = [i for i, p in cb.inputs if p == "n_intervals" and i in intervals]
        needed = [i for i, _ in cb.inputs + cb.state + cb.outputs if isinstance(i, str)]
        if triggers and all(i in components for i in needed):
            plan.append((cb, triggers[0], intervals[triggers[0]] / 1000))
    # The wall fetches its data from the URL its page names in the wall-source store, on the
    # wall-refresh interval (pages/display/wall.py).
    source = components.get(WALL.SOURCE, (None, {}))[1].get("data") or {}
    if source.get("url") and WALL.REFRESH in intervals:
        plan.append((Feed(source["url"], f"{WALL.SOURCE} → {source['url']}"), WALL.REFRESH,
                     intervals[WALL.REFRESH] / 1000))
    if not any(interval_id == WALL.REFRESH for _cb, interval_id, _p in plan):
        raise RuntimeError(f"nothing on the display page refreshes on {WALL.REFRESH} (intervals: {intervals})")
    return plan


def _display_load(session: web.Login, plan: list[tuple], components: dict) -> DisplayLoad:
    """The displays start from the page's property values, and send back what a planned callback
    outputs into another's inputs or state."""
    defaults = {(ident, prop): value for ident, (_kind, props) in components.items()
                for prop, value in props.items() if prop != "children"}
    callbacks_planned = [cb for cb, _t, _per in plan if not isinstance(cb, Feed)]
    fed = {(i, p) for cb in callbacks_planned for i, p in cb.state + cb.inputs}
    feedback = {cb.output for cb in callbacks_planned if any(o in fed for o in cb.outputs)}
    return DisplayLoad(session, plan, defaults, feedback, fed)


async def _measure_step(load: DisplayLoad, stack: Stack, count: int, measure_s: float, settle_s: float) -> dict:
    """Grow to `count` displays, let them settle, then measure a window of measure_s."""
    load.add_displays(count - len(load.displays))
    await asyncio.sleep(settle_s)
    load.window, load.bytes, load.lag = web.Stats(), 0, []
    cpu_before = _cpu_snapshot(stack)
    load.window_open = True
    started = time.monotonic()
    await asyncio.sleep(measure_s)
    load.window_open = False
    elapsed = time.monotonic() - started
    cpu_after = _cpu_snapshot(stack)
    # Requests sent in the window and still running count as they finish (up to 15 s).
    wait_until = time.monotonic() + 15
    window = load.window
    while load.inflight and time.monotonic() < wait_until and window is load.window:
        if all(t.done() for t in load.inflight):
            break
        await asyncio.sleep(0.1)
    done = len(window.latencies)
    p50, p95, p99 = percentiles(window.latencies, 50, 95, 99, scale=1000, digits=1)
    point = {
        "displays": count, "requests": done + window.errors, "errors": window.errors,
        "error_kinds": window.error_kinds,
        "req_per_s": round((done + window.errors) / elapsed, 1),
        "offered_req_per_s": round(count * sum(1 / p for _c, _t, p in load.plan), 1),
        "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
        "mean_response_kb": round(load.bytes / max(1, done) / 1024, 1),
        "client_lag_p95_ms": percentiles(load.lag, 95, scale=1000, digits=1)[0],
        "cpu_cores_used": _cpu_used(cpu_before, cpu_after, elapsed),
    }
    point["ok"] = bool(done) and point["errors"] == 0 and point["p95_ms"] <= P95_LIMIT_S * 1000
    return point


async def _ramp(load: DisplayLoad, stack: Stack, steps: list[int], measure_s: float, settle_s: float) -> list[dict]:
    """One measured point per step, up to the first step that does not hold."""
    stop = asyncio.Event()
    runner = asyncio.create_task(load.run(stop))
    curve = []
    try:
        for count in steps:
            point = await _measure_step(load, stack, count, measure_s, settle_s)
            curve.append(point)
            log(f"display step {count}: p50 {point['p50_ms']} ms, p95 {point['p95_ms']} ms, errors "
                f"{point['errors']}, {point['req_per_s']} req/s, cpu {point['cpu_cores_used']}")
            if not point["ok"]:
                break  # overloaded: higher steps only pile up
    finally:
        stop.set()
        await runner
        for task in list(load.inflight):
            task.cancel()
        await asyncio.gather(*load.inflight, return_exceptions=True)
    return curve


async def _display_capacity(stack: Stack, steps: list[int], measure_s: float, settle_s: float) -> dict:
    http = web.make_session(limit=256, timeout=web.aiohttp.ClientTimeout(total=15))
    try:
        session = await web.login(http, stack.urls[0], DISPLAY_EMAIL, DISPLAY_PASSWORD, landing="/display")
        callbacks = await web.dependencies(session)
        components = await web.page_components(session, "/display", callbacks)
        plan = _display_plan(callbacks, components, _interval_components(components))
        plan_text = [f"{cb.output} every {period:g} s" for cb, _t, period in plan]
        log(f"display: callbacks per display: {plan_text}")
        curve = await _ramp(_display_load(session, plan, components), stack, steps, measure_s, settle_s)
    finally:
        await http.close()
    held = [p["displays"] for p in curve if p["ok"]]
    # The largest step held, with every step below it held too.
    capacity = 0
    for point in curve:
        if not point["ok"]:
            break
        capacity = point["displays"]
    return {"capacity": capacity, "curve": curve, "callbacks": plan_text, "held_steps": held}


def _worker_rss(stack: Stack) -> dict:
    import psutil

    rss = {}
    for proc in stack.web:
        for pid in worker_pids(proc):
            try:
                rss[pid] = round(psutil.Process(pid).memory_info().rss / (1024 * 1024), 1)
            except psutil.NoSuchProcess:
                pass
    return rss


def run(bench: Bench, wanted: set) -> list[Result]:
    from bench import live

    results = []
    stack = start_stack(bench)
    rss_after: dict[str, float] = {}  # the largest worker's RSS after each run: web_rss_mb is the highest

    def note_rss(run_name: str) -> None:
        rss = _worker_rss(stack)
        if rss:
            rss_after[run_name] = max(rss.values())

    try:
        if wanted & set(live.FIGURES):
            results += live.run(stack, bench, wanted)
            note_rss("live views (queue 1,000, accepts, beds)")
        if "display_capacity" in wanted or "web_rss_mb" in wanted:
            if bench.quick:
                steps, measure, settle = [100, 250, 500, 1000, 2000], 6.0, 5.0
            else:
                steps, measure, settle = [250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 12000], 20.0, 10.0
            detail = asyncio.run(_display_capacity(stack, steps, measure, settle))
            results.append(Result("display_capacity", detail["capacity"], "displays", "≥ 1000",
                                  detail["capacity"] >= 1000, detail))
            note_rss("display capacity ramp")
        if "web_rss_mb" in wanted:
            value = max(rss_after.values()) if rss_after else None
            results.append(Result("web_rss_mb", value, "MB", "≤ 200", value is not None and value <= 200,
                                  {"largest_worker_rss_mb_after": rss_after, "workers_rss_mb_now": _worker_rss(stack),
                                   "hospitals": "10k real + demo city + 1,000 waiting SOS"}))
        return results
    finally:
        bench.stop_stack(stack)

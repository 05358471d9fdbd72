"""Figures against the running product (`python -m serve` with production settings + the job process, on a
database holding the real 10k hospitals and the demo city):

- the live views' figures (bench/live.py): the queue with 1,000 waiting SOS, a new SOS on 16 queue
  screens, accepts over HTTP, find a bed, a hospital's own beds.
- display_capacity: simulated wall displays, each signed in through its own kiosk link (its own
  session and cookie jar), doing what the display page does on its intervals (read from the page
  itself): its server callbacks, and the data fetch its page names in the `wall-source` store (a
  clientside callback), sending back the versions they hold; ramped ×1.5 per step until a step
  fails (p95 > 250 ms or any error) or the ceiling.
- web_rss_mb: the largest web worker's RSS, the highest of those taken after each run.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import os
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

OFFICER_EMAIL = "officer@demo.healthfirst.in"  # issues the kiosk links, as an officer does
P95_LIMIT_S = 0.250
# The ramp: FIRST displays, then ×GROWTH per step, up to MAX (the ceiling). Environment variables,
# so a run can go further (or stop sooner) without editing code.
RAMP_ENV = ("HEALTHFIRST_BENCH_DISPLAY_FIRST", "HEALTHFIRST_BENCH_DISPLAY_GROWTH", "HEALTHFIRST_BENCH_DISPLAY_MAX")
RAMP_QUICK = (250, 1.5, 6_000)
RAMP_FULL = (250, 1.5, 40_000)
SIGN_IN_AT_ONCE = 16  # screens opening their link at the same time while the others poll


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
    """N simulated wall displays, each with its own kiosk session: each fires every server callback
    and feed the display page triggers from a dcc.Interval, at that interval, with a random phase."""

    def __init__(self, plan: list[tuple[web.Callback, str, float]], defaults: dict, feedback: set, fed: set):
        self.plan, self.defaults, self.feedback, self.fed = plan, defaults, feedback, fed
        self.heap: list = []
        self.displays: list[dict] = []
        self.window: web.Stats = web.Stats()
        self.window_open = False
        self.bytes = 0
        self.lag: list = []
        self.inflight: set = set()

    def add_displays(self, sessions: list[web.Login]) -> None:
        """Screens that just opened their kiosk link start polling, each at a random phase."""
        now = time.monotonic()
        for session in sessions:
            index = len(self.displays)
            self.displays.append({"session": session, "n": {}, "values": {}, "have": ""})
            for slot, (_cb, _interval_id, period) in enumerate(self.plan):
                heapq.heappush(self.heap, (now + random.uniform(0, period), index, slot))

    async def fire(self, index: int, slot: int, scheduled: float) -> None:
        source, interval_id, _period = self.plan[slot]
        display = self.displays[index]
        started = time.monotonic()
        counted = self.window_open
        try:
            if isinstance(source, Feed):
                status, payload = await web.get_bytes(display["session"], source.url, {"have": display["have"]})
            else:
                n = display["n"].get(slot, 0) + 1
                display["n"][slot] = n
                values = dict(self.defaults)
                values.update(display["values"])
                values[(interval_id, "n_intervals")] = n
                body = source.body(values, trigger=(interval_id, "n_intervals"))
                status, payload = await web.post_callback(display["session"], body)
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
            display["have"] = _stamp(payload)["have"]
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


_STAMP_FIRST = b'{"stamp":'
_DECODER = json.JSONDecoder()


def _stamp(payload: bytes) -> dict:
    """The feed's stamp, which its answers put first (web/display_feed.View.body_for): read alone,
    so that this one process can play a thousand screens, whose browsers each read the whole
    answer on their own."""
    if payload.startswith(_STAMP_FIRST):
        head = payload[len(_STAMP_FIRST):len(_STAMP_FIRST) + 16_384].decode(errors="replace")
        try:
            return _DECODER.raw_decode(head)[0]
        except ValueError:
            pass  # a stamp longer than the head: read the whole answer
    return json.loads(payload)["stamp"]


def _cpu_snapshot(stack: Stack) -> dict:
    """CPU seconds so far per (group, pid), and the whole machine's busy seconds (`machine`)."""
    import psutil

    groups = {"web": [], "jobs": [], "postgres": [], "bench": [psutil.Process()]}
    for proc in stack.web:
        groups["web"] += [psutil.Process(pid) for pid in [proc.pid] + worker_pids(proc)]
    for proc in stack.jobs:
        groups["jobs"].append(psutil.Process(proc.pid))
    # PostgreSQL serves other sessions' databases too on a shared host: only the backends of this
    # benchmark's database count (their title names it: "postgres: 15/main: user <db> …").
    for candidate in psutil.process_iter(["name", "cmdline"]):
        title = " ".join(candidate.info.get("cmdline") or ())
        if (candidate.info.get("name") or "").startswith("postgres") and f" {stack.db.name} " in title:
            groups["postgres"].append(candidate)
    times = {}
    for name, procs in groups.items():
        for proc in procs:
            try:
                cpu = proc.cpu_times()
                times[(name, proc.pid)] = cpu.user + cpu.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    total = psutil.cpu_times()
    times[("machine", 0)] = sum(total) - total.idle - getattr(total, "iowait", 0.0) - getattr(total, "steal", 0.0)
    return times


def _cpu_used(before: dict, after: dict, seconds: float) -> dict:
    """Cores used per group over the window (processes present at both ends); `others` is what the
    rest of the machine used meanwhile (other sessions' tests and benchmarks on a shared host)."""
    used: dict = {}
    for key, value in after.items():
        if key in before:
            used[key[0]] = used.get(key[0], 0.0) + value - before[key]
    cores = {name: round(total / seconds, 2) for name, total in used.items()}
    machine = cores.pop("machine", 0.0)
    cores["others"] = round(max(0.0, machine - sum(cores.values())), 2)
    return cores


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


def _display_load(plan: list[tuple], components: dict) -> DisplayLoad:
    """The displays start from the page's property values, and send back what a planned callback
    outputs into another's inputs or state."""
    defaults = {(ident, prop): value for ident, (_kind, props) in components.items()
                for prop, value in props.items() if prop != "children"}
    callbacks_planned = [cb for cb, _t, _per in plan if not isinstance(cb, Feed)]
    fed = {(i, p) for cb in callbacks_planned for i, p in cb.state + cb.inputs}
    feedback = {cb.output for cb in callbacks_planned if any(o in fed for o in cb.outputs)}
    return DisplayLoad(plan, defaults, feedback, fed)


class KioskLinks:
    """Kiosk links issued as a health officer issues them (`db.kiosk.issue`: a hashed token, an
    audit entry), one per simulated screen, as many as the ramp reaches."""

    def __init__(self, stack: Stack):
        from db.engine import make_session_factory

        self.engine = stack.db.engine()
        self.factory = make_session_factory(self.engine)
        self.issued = 0
        self.seconds = 0.0

    def issue(self, count: int) -> list[str]:
        from sqlalchemy import select

        from db import kiosk
        from db.clock import utcnow
        from db.engine import session_scope
        from db.models import User

        started = time.monotonic()
        tokens = []
        with session_scope(self.factory) as session:
            officer = session.execute(select(User).where(User.email == OFFICER_EMAIL)).scalar_one()
            now = utcnow()
            for _ in range(count):
                self.issued += 1
                token, _row = kiosk.issue(session, actor=officer, label=f"Bench wall {self.issued}", now=now)
                tokens.append(token)
        self.seconds += time.monotonic() - started
        return tokens

    def close(self) -> None:
        self.engine.dispose()


class Screens:
    """Opens new screens: a kiosk link each, signed in by its own browser (own cookie jar) over
    one shared connection pool."""

    def __init__(self, stack: Stack, connector, timeout):
        self.base, self.connector, self.timeout = stack.urls[0], connector, timeout
        self.links = KioskLinks(stack)
        self.browsers: list = []

    async def open(self, count: int) -> tuple[list[web.Login], dict, dict]:
        """`count` new screens signed in (SIGN_IN_AT_ONCE at a time). A screen whose link fails to
        open is reloaded once, as the person at the wall would: (screens opened, first attempts
        that failed by kind, screens that failed twice by kind)."""
        tokens = await asyncio.to_thread(self.links.issue, count)
        gate = asyncio.Semaphore(SIGN_IN_AT_ONCE)
        retried: dict = {}
        failures: dict = {}

        async def one(token: str):
            async with gate:
                for attempt, record in enumerate((retried, failures)):
                    if attempt:
                        await asyncio.sleep(1.0)
                    http = web.browser_on(self.connector, timeout=self.timeout)
                    self.browsers.append(http)
                    try:
                        return await web.kiosk_sign_in(http, self.base, token)
                    except Exception as error:  # noqa: BLE001 - counted, and an error of the step if twice
                        kind = f"{type(error).__name__} {str(error)[:80]}".strip()
                        record[kind] = record.get(kind, 0) + 1
                return None

        opened = await asyncio.gather(*(one(t) for t in tokens))
        return [s for s in opened if s is not None], retried, failures

    async def close(self) -> None:
        await asyncio.gather(*(http.close() for http in self.browsers), return_exceptions=True)
        self.links.close()


def ramp_steps(first: int, growth: float, ceiling: int) -> list[int]:
    """first, first × growth, … (rounded), up to the ceiling."""
    if first < 1 or growth <= 1:
        raise ValueError(f"display ramp: first {first} must be ≥ 1 and growth {growth} > 1")
    steps, count = [], float(first)
    while round(count) <= ceiling:
        steps.append(int(round(count)))
        count *= growth
    return steps


def _ramp_settings(quick: bool) -> tuple[int, float, int]:
    defaults = RAMP_QUICK if quick else RAMP_FULL
    raw = [os.environ.get(name) for name in RAMP_ENV]
    return (int(raw[0] or defaults[0]), float(raw[1] or defaults[1]), int(raw[2] or defaults[2]))


async def _measure_step(load: DisplayLoad, stack: Stack, count: int, measure_s: float, settle_s: float) -> dict:
    """Let the displays settle, then measure a window of measure_s."""
    import psutil

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
    requests = done + window.errors
    p50, p95, p99 = percentiles(window.latencies, 50, 95, 99, scale=1000, digits=1)
    cores = _cpu_used(cpu_before, cpu_after, elapsed)
    server = round(sum(cores.get(g, 0.0) for g in ("web", "postgres", "jobs")), 2)
    generator = cores.get("bench", 0.0)
    point = {
        "displays": count, "sessions": len(load.displays), "requests": requests, "errors": window.errors,
        "error_kinds": window.error_kinds,
        "req_per_s": round(requests / elapsed, 1),
        "offered_req_per_s": round(len(load.displays) * sum(1 / p for _c, _t, p in load.plan), 1),
        "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
        "mean_response_kb": round(load.bytes / max(1, done) / 1024, 1),
        "client_lag_p95_ms": percentiles(load.lag, 95, scale=1000, digits=1)[0],
        "cpu_cores_used": cores,
        "server_cores": server,  # the web server + PostgreSQL + the job process
        "generator_cores": generator,  # this process: the load generator
        "server_cpu_ms_per_request": round(server * elapsed * 1000 / max(1, requests), 2),
        "generator_cpu_ms_per_request": round(generator * elapsed * 1000 / max(1, requests), 2),
        "machine_cores": os.cpu_count(),
        "load_average_1m": round(psutil.getloadavg()[0], 2),
    }
    point["ok"] = bool(done) and point["errors"] == 0 and point["p95_ms"] <= P95_LIMIT_S * 1000
    return point


async def _ramp(load: DisplayLoad, screens: Screens, stack: Stack, steps: list[int], measure_s: float,
                settle_s: float) -> list[dict]:
    """One measured point per step, up to the first step that does not hold. Each step first opens
    its new screens (kiosk link, sign-in) while the others keep polling, then settles and measures."""
    stop = asyncio.Event()
    runner = asyncio.create_task(load.run(stop))
    curve = []
    try:
        for count in steps:
            started = time.monotonic()
            opened, retried, failures = await screens.open(count - len(load.displays))
            load.add_displays(opened)
            opening_s = round(time.monotonic() - started, 1)
            if retried:
                log(f"display step {count}: {sum(retried.values())} kiosk links failed to open at the first "
                    f"attempt (reloaded once): {retried}")
            point = await _measure_step(load, stack, count, measure_s, settle_s)
            point["opened"] = {"screens": len(opened), "seconds": opening_s, "failures": failures,
                               "failed_first_attempt": retried}
            if failures:
                point["ok"] = False  # a screen that cannot open its link is not served
            curve.append(point)
            log(f"display step {count} ({len(load.displays)} sessions): p50 {point['p50_ms']} ms, p95 "
                f"{point['p95_ms']} ms, errors {point['errors'] + sum(failures.values())}, {point['req_per_s']} req/s; "
                f"cores: server {point['server_cores']}, generator {point['generator_cores']}, others "
                f"{point['cpu_cores_used'].get('others')}; load avg {point['load_average_1m']}; "
                f"{len(opened)} opened in {opening_s} s")
            if not point["ok"]:
                break  # overloaded: higher steps only pile up
    finally:
        stop.set()
        await runner
        for task in list(load.inflight):
            task.cancel()
        await asyncio.gather(*load.inflight, return_exceptions=True)
    return curve


async def _display_capacity(stack: Stack, ramp: tuple[int, float, int], measure_s: float, settle_s: float) -> dict:
    steps = ramp_steps(*ramp)
    connector = web.make_connector(limit=256)
    screens = Screens(stack, connector, web.aiohttp.ClientTimeout(total=15))
    try:
        # The first screen reads the page (its intervals, callbacks and feed) as every screen sees it.
        first, _retried, failures = await screens.open(1)
        if not first:
            raise RuntimeError(f"a kiosk link did not open the display: {failures}")
        callbacks = await web.dependencies(first[0])
        components = await web.page_components(first[0], "/display", callbacks)
        plan = _display_plan(callbacks, components, _interval_components(components))
        plan_text = [f"{cb.output} every {period:g} s" for cb, _t, period in plan]
        log(f"display: callbacks per display: {plan_text}; ramp {steps}")
        load = _display_load(plan, components)
        load.add_displays(first)
        curve = await _ramp(load, screens, stack, steps, measure_s, settle_s)
    finally:
        await screens.close()
        await connector.close()
    held = [p["displays"] for p in curve if p["ok"]]
    # The largest step held, with every step below it held too.
    capacity = 0
    for point in curve:
        if not point["ok"]:
            break
        capacity = point["displays"]
    failed = next((p for p in curve if not p["ok"]), None)
    if failed is None:
        stopped = f"the ceiling ({ramp[2]:,} displays; the next step would exceed it)"
    else:
        stopped = (f"{failed['displays']:,} displays: p95 {failed['p95_ms']} ms, {failed['errors']} errors "
                   f"{failed['error_kinds'] or ''}{failed['opened']['failures'] or ''}; server "
                   f"{failed['server_cores']} cores, generator {failed['generator_cores']}, others "
                   f"{failed['cpu_cores_used'].get('others')} of {failed['machine_cores']}")
    return {"capacity": capacity, "stopped_at": stopped, "curve": curve, "callbacks": plan_text,
            "held_steps": held, "ramp": {"first": ramp[0], "growth": ramp[1], "ceiling": ramp[2], "steps": steps},
            "distinct_sessions": screens.links.issued,
            "kiosk_issue_ms_per_link": round(screens.links.seconds * 1000 / max(1, screens.links.issued), 2),
            "measure_s": measure_s, "settle_s": settle_s}


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
            measure, settle = (6.0, 5.0) if bench.quick else (20.0, 10.0)
            detail = asyncio.run(_display_capacity(stack, _ramp_settings(bench.quick), measure, settle))
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

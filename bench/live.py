"""Live views under load (issue 19), on the web stack of bench/web.py (`python -m serve` + the job process,
the real 10k hospitals with beds, the demo city), every request over HTTP as the browser sends it:

- queue_1000_rps / queue_idle_bytes: 8 hospital admins (each their own session) polling the SOS
  queue of a hospital holding 1,000 waiting SOS, back to back, keeping what the page keeps between
  polls (the version and the cards drawn); the largest answer of an unchanged poll.
- sos_to_queue_p95_s: 16 queue screens (own sessions) polling as the page does, at its interval,
  on that hospital; SOS sent as the SOS button sends them; from each commit to the first answer
  of each screen that shows its number; sos_to_wall_p95_s: the same SOS on a wall display
  fetching its feed as the page does.
- accept_http_rps / accept_http_double: 16 hospitals, one admin session each, pressing Accept
  (the queue's press callback, as assets/queue.js posts it) on the same SOS at the same instant.
- beds_search_rps / own_beds_rps: 8 clients running "find a bed" (/beds) and a hospital's own
  capacity view (/hospital/capacity) refresh, back to back, as their interval fires them.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import timedelta

from bench import client as web
from bench.env import BENCH_PASSWORD, Stack, add_users, log, utcnow
from bench.rawhttp import RawConnection, cookie_header
from bench.results import Result, percentiles

QUEUE = web.page_ids("pages/hospital/queue.py")
WALL = web.page_ids("pages/display/wall.py")
DISPLAY_EMAIL = "display@demo.healthfirst.in"  # its password is the demo one, not BENCH_PASSWORD
BEDS = web.page_ids("pages/beds.py")
CAPACITY = web.page_ids("pages/hospital/capacity.py")
ADMIN_EMAIL = "admin.indiranagar@demo.healthfirst.in"


def _email(prefix: str, index: int) -> str:
    return f"{prefix}{index}@bench.healthfirst.in"  # as bench.env.add_users names them


# ---- a hospital holding 1,000 waiting SOS --------------------------------------------------------


def seed_long_queue(stack: Stack, count: int, admins: int) -> dict:
    """`count` SOS offered to the demo Indiranagar hospital and waiting (pending, their next
    escalation a day away, so the job process leaves them be), of every emergency type; and
    `admins` more admins of that hospital, so every screen has its own session."""
    from sqlalchemy import select, update

    from db.engine import make_session_factory, session_scope
    from db.models import Hospital, Sos, SosOffer, User
    from db.sos import EMERGENCY_TYPES, create_sos

    rng = random.Random(19)
    engine = stack.db.engine()
    try:
        with session_scope(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
            hospital = session.get(Hospital, admin.hospital_id)
            add_users(session, "hospital_admin", admins, prefix="queue-admin", hospital_ids=[hospital.id] * admins)
            citizens = add_users(session, "citizen", count, prefix="queue-waiting")
            now = utcnow()
            types = [None] + list(EMERGENCY_TYPES)
            ids = []
            for index, citizen in enumerate(citizens):
                sos, _ = create_sos(session, actor=citizen, latitude=hospital.latitude + rng.uniform(-0.02, 0.02),
                                    longitude=hospital.longitude + rng.uniform(-0.02, 0.02),
                                    now=now - timedelta(seconds=count - index), emergency_type=rng.choice(types))
                ids.append(sos.id)
            session.flush()
            session.execute(SosOffer.__table__.insert(), [
                {"sos_id": sos_id, "hospital_id": hospital.id, "ring": 0, "distance_km": rng.uniform(0.1, 3.0),
                 "status": "offered", "offered_at": now - timedelta(minutes=5)} for sos_id in ids])
            session.execute(update(Sos).where(Sos.id.in_(ids)).values(ring=1, next_escalation_at=now + timedelta(days=1)))
            point = (hospital.latitude, hospital.longitude)
    finally:
        engine.dispose()
    log(f"long queue: {count} SOS waiting at the demo Indiranagar hospital, {admins} more admins")
    return {"point": point, "admins": [_email("queue-admin", i) for i in range(admins)]}


class LivePage:
    """One open live page, as the browser runs it: on each tick of its timer it asks the view's
    version (`GET /_live/<view>`, web/live.py, over a lean kept-alive connection carrying the
    session's cookies), and only when the version moved it posts the page's refresh callback,
    triggered by the live store, with what the page keeps between refreshes (every store the
    callback writes and reads back)."""

    def __init__(self, login: web.Login, refresh: web.Callback, live_id: str, live_url: str,
                 values: dict | None = None, present: list | None = None):
        self.login, self.refresh, self.live_id, self.live_url = login, refresh, live_id, live_url
        self.values: dict = dict(values or {})
        self.present = present or []
        self.held = None
        self.raw = RawConnection(login.base, cookie=cookie_header(login.http, login.base))
        self.fed = {(i, p) for i, p in refresh.state + refresh.inputs if isinstance(i, str)}
        self.refreshes = 0

    def body(self) -> dict:
        return self.refresh.body(self.values, trigger=(self.live_id, "data"), present=self.present)

    async def poll(self) -> tuple[int, bytes]:
        """One tick: (status, the last answer's body): the version's, or the refresh's when it ran."""
        status, _headers, payload = await self.raw.request("GET", self.live_url)
        if status != 200:
            return status, payload
        version = json.loads(payload)["v"]
        if version == self.held:
            return status, payload
        self.values[(self.live_id, "data")] = version
        status, payload = await web.post_callback(self.login, self.body())
        if status == 200:
            self.held = version
            self.refreshes += 1
            for ident, props in json.loads(payload).get("response", {}).items():
                for prop, value in props.items():
                    if (ident, prop) in self.fed:
                        self.values[(ident, prop)] = value
        return status, payload

    def close(self) -> None:
        self.raw.close()


async def live_pages(http: Browsers, stack: Stack, emails: list[str], path: str, live_id: str,
                     source_id: str) -> list[LivePage]:
    """One open `path` per account (each its own session), found as the browser finds it: the
    refresh callback the live store `live_id` triggers, the URL the page's `source_id` store names."""
    logins = [await http.login(stack, email, path) for email in emails]
    callbacks = await web.dependencies(logins[0])
    components = await web.page_components(logins[0], path, callbacks)
    refresh = web.server_callback_on(callbacks, live_id, components)
    url = components[source_id][1]["data"]["url"]
    defaults = {(ident, prop): value for ident, (_kind, props) in components.items()
                for prop, value in props.items() if prop != "children"}
    present = [json.loads(k) for k in components if k.startswith("{")]
    pages = [LivePage(login, refresh, live_id, url, defaults, present) for login in logins]
    http.pages.extend(pages)
    return pages


class Browsers:
    """One cookie jar (an aiohttp session) per person: each logs in on their own."""

    def __init__(self):
        self.sessions: list = []
        self.pages: list[LivePage] = []

    async def login(self, stack: Stack, email: str, landing: str) -> web.Login:
        http = web.make_session(limit=8)
        self.sessions.append(http)
        password = "Display-demo-2026" if email == DISPLAY_EMAIL else BENCH_PASSWORD
        return await web.login(http, stack.urls[0], email, password, landing=landing)

    async def close(self) -> None:
        for page in self.pages:
            page.close()
        for http in self.sessions:
            await http.close()


async def _screens(http: Browsers, stack: Stack, emails: list[str]) -> list[LivePage]:
    return await live_pages(http, stack, emails, "/hospital/queue", QUEUE.LIVE, QUEUE.LIVE_SOURCE)


async def _closed_loop(clients: list, send, seconds: float) -> dict:
    """Each client sends its next request as soon as its last is answered, for `seconds`."""
    latencies, errors, sizes = [], [], []
    stop = time.monotonic() + seconds

    async def run(client):
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                status, payload = await send(client)
            except Exception as error:  # noqa: BLE001 - counted
                errors.append(type(error).__name__)
                continue
            if status != 200:
                errors.append(f"HTTP {status}")
                continue
            latencies.append(time.monotonic() - started)
            sizes.append(payload)

    started = time.monotonic()
    await asyncio.gather(*(run(c) for c in clients))
    elapsed = time.monotonic() - started
    p50, p95 = percentiles(latencies, 50, 95, scale=1000, digits=1)
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1), "p50_ms": p50, "p95_ms": p95,
            "errors": len(errors), "first_errors": errors[:3], "answers": sizes}


async def _queue_1000(stack: Stack, emails: list[str], seconds: float) -> dict:
    http = Browsers()
    try:
        screens = await _screens(http, stack, emails)
        first = [await screen.poll() for screen in screens]  # the page opens: its first page drawn
        first_bytes = max(len(payload) for _s, payload in first)
        refreshes = sum(s.refreshes for s in screens)
        run = await _closed_loop(screens, LivePage.poll, seconds)
        run["refreshes_run"] = sum(s.refreshes for s in screens) - refreshes
        idle = [len(p) for p in run.pop("answers") if QUEUE.ROWS.encode() not in p]
        # For comparison: every poll a screen just opened (nothing kept), i.e. the first page drawn.
        cold = await _closed_loop(screens, lambda s: web.post_callback(s.login, s.refresh.body(
            {(QUEUE.LIVE, "data"): "new"}, trigger=(QUEUE.LIVE, "data"))), min(seconds, 5.0))
        cold.pop("answers")
    finally:
        await http.close()
    return {**run, "clients": len(emails), "first_draw_bytes": first_bytes, "idle_answers": len(idle),
            "idle_max_bytes": max(idle) if idle else None, "cold_draws": cold}


# ---- a new SOS on 16 screens ---------------------------------------------------------------------


class Deliveries:
    """When each SOS sent first showed on each queue screen and on the wall."""

    def __init__(self):
        self.created: dict[bytes, float] = {}  # SOS number -> when it was committed and offered
        self.seen: dict[tuple, float] = {}  # (number, screen) -> first answer showing it
        self.on_wall: dict[bytes, float] = {}
        self.errors: list = []
        self.stop = asyncio.Event()

    def _note(self, payload: bytes, arrived: float, screen=None) -> None:
        for number in list(self.created):
            if screen is None:
                if number not in self.on_wall and number in payload:
                    self.on_wall[number] = arrived
            elif (number, screen) not in self.seen and number in payload:
                self.seen[(number, screen)] = arrived

    async def watch_screen(self, index: int, screen: LivePage, interval_s: float) -> None:
        """One queue page: its refresh on its interval, with a random phase."""
        await asyncio.sleep(random.uniform(0, interval_s))
        next_at = time.monotonic()
        while not self.stop.is_set():
            try:
                status, payload = await screen.poll()
                if status != 200:
                    self.errors.append(f"HTTP {status}")
                self._note(payload, time.monotonic(), index)
            except Exception as error:  # noqa: BLE001
                self.errors.append(type(error).__name__)
            next_at += interval_s
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def watch_wall(self, wall: web.Login, url: str, interval_s: float) -> None:
        """The wall page: its feed on its interval, sending back the versions it holds."""
        have, next_at = "", time.monotonic()
        while not self.stop.is_set():
            try:
                status, payload = await web.get_bytes(wall, url, {"have": have})
                if status == 200:
                    have = json.loads(payload)["stamp"]["have"]
                    self._note(payload, time.monotonic())
                else:
                    self.errors.append(f"wall HTTP {status}")
            except Exception as error:  # noqa: BLE001
                self.errors.append(f"wall {type(error).__name__}")
            next_at += interval_s
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def done(self, screens: int) -> bool:
        return len(self.seen) >= len(self.created) * screens and len(self.on_wall) >= len(self.created)


def _sos_sender(stack: Stack, point: tuple, count: int):
    """(citizen ids, create(citizen_id) -> SOS id as the SOS button sends it, engine)."""
    from db.engine import make_session_factory, session_scope
    from db.models import User
    from db.sos import create_sos

    engine = stack.db.engine()
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        citizen_ids = [u.id for u in add_users(session, "citizen", count, prefix="queue-new")]

    def create(citizen_id: int) -> int:
        from db.matching import match_due

        with session_scope(factory) as session:
            sos, _ = create_sos(session, actor=session.get(User, citizen_id), latitude=point[0], longitude=point[1],
                                now=utcnow(), location_source="gps")
            sos_id = sos.id
        with session_scope(factory) as session:  # what the SOS button's callback does next
            match_due(session, now=utcnow(), sos_id=sos_id)
        return sos_id

    return citizen_ids, create, engine


async def _sos_to_queue(stack: Stack, emails: list[str], point: tuple, count: int) -> dict:
    citizen_ids, create, engine = _sos_sender(stack, point, count)
    http = Browsers()
    got = Deliveries()
    try:
        screens = await _screens(http, stack, emails)
        page = await web.page_components(screens[0].login, "/hospital/queue", await web.dependencies(screens[0].login))
        interval_s = int(page[QUEUE.REFRESH][1].get("interval") or 1000) / 1000
        wall = await http.login(stack, DISPLAY_EMAIL, "/display")
        wall_page = await web.page_components(wall, "/display", await web.dependencies(wall))
        wall_interval_s = int(wall_page[WALL.REFRESH][1].get("interval") or 5000) / 1000
        watchers = [asyncio.create_task(got.watch_screen(i, s, interval_s)) for i, s in enumerate(screens)]
        watchers.append(asyncio.create_task(got.watch_wall(wall, wall_page[WALL.SOURCE][1]["data"]["url"],
                                                           wall_interval_s)))
        await asyncio.sleep(2 * interval_s)
        for citizen_id in citizen_ids:
            sos_id = await asyncio.to_thread(create, citizen_id)
            got.created[f"SOS-{sos_id:05d}".encode()] = time.monotonic()  # committed and offered
            await asyncio.sleep(random.uniform(1.0, 2.0))
        deadline = time.monotonic() + 15
        while not got.done(len(screens)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        got.stop.set()
        await asyncio.gather(*watchers)
    finally:
        await http.close()
        engine.dispose()
    delays = [got.seen[key] - got.created[key[0]] for key in got.seen]
    missing = len(got.created) * len(emails) - len(got.seen)
    p50, p95, top = percentiles(delays, 50, 95, 100)
    wall_delays = [got.on_wall[n] - got.created[n] for n in got.on_wall]
    wall_missing = len(got.created) - len(got.on_wall)
    w50, w95, wtop = percentiles(wall_delays, 50, 95, 100)
    return {"screens": len(emails), "sos": count, "waiting_before": 1000, "poll_interval_s": interval_s,
            "deliveries": len(got.seen), "missing": missing, "p50_s": p50, "p95_s": None if missing else p95,
            "max_s": top, "errors": len(got.errors), "first_errors": got.errors[:3],
            "wall": {"poll_interval_s": wall_interval_s, "shown": len(got.on_wall), "missing": wall_missing,
                     "p50_s": w50, "p95_s": None if wall_missing else w95, "max_s": wtop}}


# ---- accepts over HTTP ---------------------------------------------------------------------------


async def _accept_http(stack: Stack, hospitals: int, sos_count: int) -> dict:
    from bench.race import _database_counts, _seed
    from db.engine import make_session_factory

    engine = stack.db.engine()
    sos_ids, _admin_ids = _seed(make_session_factory(engine), hospitals, sos_count)
    http = Browsers()
    told: dict[int, list] = {}
    latencies, unexpected = [], []
    try:
        logins = [await http.login(stack, _email("race-admin", i), "/hospital/queue") for i in range(hospitals)]

        async def accept(login: web.Login, sos_id: int):
            started = time.monotonic()
            status, answer = await web.post_answer(login, "accept", sos_id)  # as assets/queue.js posts it
            latencies.append(time.monotonic() - started)
            said = answer.get("message", "") if status == 200 and isinstance(answer, dict) else f"HTTP {status}"
            if "is yours" in said:
                told.setdefault(sos_id, []).append(login.email)
            elif not said.startswith("Already accepted by "):
                unexpected.append(said[:200])

        started = time.monotonic()
        for sos_id in sos_ids:  # everyone presses Accept on this SOS at the same instant
            await asyncio.gather(*(accept(login, sos_id) for login in logins))
        elapsed = time.monotonic() - started
    finally:
        await http.close()
    db_double, mismatched, _accepted = _database_counts(engine)
    engine.dispose()
    p50, p95 = percentiles(latencies, 50, 95, scale=1000, digits=1)
    double = sum(1 for winners in told.values() if len(winners) > 1)
    return {"hospitals": hospitals, "sos": sos_count, "attempts": len(latencies), "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": p50, "p95_ms": p95,
            "sos_told_won_twice": double, "sos_with_two_accepted_offers_in_db": db_double,
            "sos_hospital_not_its_accepted_offer": mismatched,
            "sos_without_winner": sum(1 for s in sos_ids if s not in told),
            "unexpected": len(unexpected), "first_unexpected": unexpected[:3]}


# ---- find a bed, a hospital's own beds -----------------------------------------------------------


def _add_citizens(stack: Stack, count: int, prefix: str) -> None:
    from db.engine import make_session_factory, session_scope

    engine = stack.db.engine()
    with session_scope(make_session_factory(engine)) as session:
        add_users(session, "citizen", count, prefix=prefix)
    engine.dispose()


async def _page_refresh_rps(stack: Stack, emails: list[str], path: str, live_id: str, source_id: str,
                            seconds: float) -> dict:
    """One client per account (its own session) ticking the timer of `path` back to back, as the
    page does on each tick (the version poll, the refresh when it moved)."""
    http = Browsers()
    try:
        pages = await live_pages(http, stack, emails, path, live_id, source_id)
        for page in pages:
            await page.poll()  # the page opens: its first draw
        refreshes = sum(p.refreshes for p in pages)
        run = await _closed_loop(pages, LivePage.poll, seconds)
        run["refreshes_run"] = sum(p.refreshes for p in pages) - refreshes
        answers = run.pop("answers")
    finally:
        await http.close()
    run["mean_bytes"] = round(sum(len(a) for a in answers) / max(1, len(answers)))
    run["clients"] = len(emails)
    run["callback"] = pages[0].refresh.output[:120]
    run["poll_url"] = pages[0].live_url
    return run


FIGURES = ("queue_1000_rps", "queue_idle_bytes", "sos_to_queue_p95_s", "sos_to_wall_p95_s", "accept_http_rps", "accept_http_double",
           "beds_search_rps", "own_beds_rps")


def _worker_cpu(stack: Stack) -> dict[int, float]:
    import psutil

    from bench.env import worker_pids

    seconds = {}
    for proc in stack.web:
        for pid in worker_pids(proc):
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.NoSuchProcess:
                continue
            seconds[pid] = times.user + times.system
    return seconds


def _measured(stack: Stack, measure):
    """`measure()`'s detail, with the cores each web worker used meanwhile (`worker_cores`): the
    rates of the web stack hold only while the workers share the load (bench/README.md)."""
    before, started = _worker_cpu(stack), time.monotonic()
    detail = measure()
    after, elapsed = _worker_cpu(stack), time.monotonic() - started
    detail["worker_cores"] = [round((after[pid] - before[pid]) / elapsed, 2) for pid in sorted(after) if pid in before]
    return detail


def run(stack: Stack, bench, wanted: set) -> list[Result]:
    results = []
    quick = bench.quick
    seeded = seed_long_queue(stack, 1000, 8 + 16)
    if wanted & {"queue_1000_rps", "queue_idle_bytes"}:
        detail = _measured(stack, lambda: asyncio.run(_queue_1000(stack, seeded["admins"][:8], 6.0 if quick else 20.0)))
        log(f"queue_1000: {detail['rps']} req/s, p95 {detail['p95_ms']} ms, idle max {detail['idle_max_bytes']} B, "
            f"cold {detail['cold_draws']['rps']} req/s")
        ok = not detail["errors"]
        results.append(Result("queue_1000_rps", detail["rps"], "req/s", "≥ 160", ok and detail["rps"] >= 160, detail))
        idle = detail["idle_max_bytes"]
        results.append(Result("queue_idle_bytes", idle, "B", "≤ 1024", idle is not None and idle <= 1024,
                              {"idle_answers": detail["idle_answers"], "first_draw_bytes": detail["first_draw_bytes"]}))
    if wanted & {"sos_to_queue_p95_s", "sos_to_wall_p95_s"}:
        detail = _measured(stack, lambda: asyncio.run(
            _sos_to_queue(stack, seeded["admins"][8:24], seeded["point"], 8 if quick else 30)))
        log(f"sos_to_queue: {detail}")
        on_wall = detail.pop("wall")
        value = detail["p95_s"]
        results.append(Result("sos_to_queue_p95_s", value, "s", "≤ 1 (16 screens, 1,000 waiting)",
                               value is not None and value <= 1.0 and not detail["errors"], detail))
        value = on_wall["p95_s"]
        results.append(Result("sos_to_wall_p95_s", value, "s", "≤ 2", value is not None and value <= 2.0, on_wall))
    if wanted & {"accept_http_rps", "accept_http_double"}:
        detail = _measured(stack, lambda: asyncio.run(_accept_http(stack, 16, 50 if quick else 200)))
        log(f"accept_http: {detail}")
        doubles = (detail["sos_told_won_twice"] + detail["sos_with_two_accepted_offers_in_db"]
                   + detail["sos_hospital_not_its_accepted_offer"])
        results.append(Result("accept_http_rps", detail["rps"], "attempts/s", "≥ 360",
                              detail["rps"] >= 360 and not detail["unexpected"], detail))
        results.append(Result("accept_http_double", doubles, "SOS", "0",
                              doubles == 0 and not detail["unexpected"] and not detail["sos_without_winner"],
                              {k: detail[k] for k in ("sos_told_won_twice", "sos_with_two_accepted_offers_in_db",
                                                      "sos_hospital_not_its_accepted_offer", "sos_without_winner",
                                                      "unexpected")}))
    seconds = 6.0 if quick else 20.0
    if "beds_search_rps" in wanted:
        _add_citizens(stack, 8, "beds-citizen")
        detail = _measured(stack, lambda: asyncio.run(_page_refresh_rps(
            stack, [_email("beds-citizen", i) for i in range(8)], "/beds", BEDS.LIVE, BEDS.LIVE_SOURCE, seconds)))
        log(f"beds_search: {detail}")
        results.append(Result("beds_search_rps", detail["rps"], "req/s", "≥ 1600",
                              detail["rps"] >= 1600 and not detail["errors"], detail))
    if "own_beds_rps" in wanted:
        detail = _measured(stack, lambda: asyncio.run(_page_refresh_rps(
            stack, seeded["admins"][:8], "/hospital/capacity", CAPACITY.BEDS_LIVE, CAPACITY.BEDS_LIVE_SOURCE, seconds)))
        log(f"own_beds: {detail}")
        results.append(Result("own_beds_rps", detail["rps"], "req/s", "≥ 3700",
                              detail["rps"] >= 3700 and not detail["errors"], detail))
    return results

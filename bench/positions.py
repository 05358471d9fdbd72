"""position_writes_per_s: how many crew positions per second the product stores through HTTP,
with p95 ≤ 250 ms (issue 14).

The web server as production runs it, on PostgreSQL with the demo city. 2,000 units are registered and
each gets a crew link, which the load generator opens as a crew's phone does (GET
/kiosk/crew/<token>, then /crew for Dash's CSRF cookie). Each phone then posts to /crew/position
as assets/crew.js does (JSON, its own session and CSRF cookies and X-CSRFToken, its time always
newer than the unit's last): open loop, in steps of 10 s at 100, 200, 400 (the fleet's own rate:
every unit once every 5 s), 1,000, 2,000 and 3,000 posts/s, stopping at the first step missed.
The figure is the highest step served at its full rate with p95 ≤ 250 ms and no error; every
answer must be 202 (stored): an ignored or refused post counts as an error.

The posts go over 64 kept-alive connections (bench/rawhttp.py's OpenLoop: ~0.07 ms of CPU a
request; aiohttp cost 0.3-0.7 ms, which on 2 cores shared with the server was the limit), each
request carrying its phone's own headers; a post's time runs from the moment it is due, so
waiting for a free connection counts.
"""

from __future__ import annotations

import asyncio
import random
import time

import aiohttp

from bench.env import Bench, log
from bench.results import Result, percentiles

UNITS = 2_000
EVERY_S = 5.0
P95_LIMIT_MS = 250.0
TARGET = 2_000
ADMIN_EMAIL = "admin.indiranagar@demo.healthfirst.in"


def _crew_links(stack, count: int) -> list[str]:
    """`count` units of the demo hospital, each with a crew link; their tokens."""
    from sqlalchemy import select

    from db import crew, dispatch
    from db.clock import utcnow
    from db.engine import make_session_factory, session_scope
    from db.models import User

    engine = stack.db.engine()
    tokens = []
    try:
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
            now = utcnow()
            for index in range(count):
                unit = dispatch.register_unit(session, actor=admin, call_sign=f"BENCH-{index:04d}", now=now)
                token, _link = crew.issue(session, actor=admin, ambulance_id=unit.id, now=now)
                tokens.append(token)
    finally:
        engine.dispose()
    return tokens


# A phone's browser: the same User-Agent at sign-in and on every post (Flask-Login's session
# protection ties the session to it).
USER_AGENT = "Mozilla/5.0 (Linux; Android 14; bench crew phone) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
CONNECTIONS = 64


async def _phone(http: aiohttp.ClientSession, base: str, token: str) -> dict:
    """Open a crew link as a phone does; the headers its posts carry (assets/crew.js's fetch): its
    cookies (session, remember, Dash's CSRF cookie), the CSRF header, JSON."""
    async with http.get(f"{base}/kiosk/crew/{token}", allow_redirects=False) as response:
        if response.status != 302:
            raise RuntimeError(f"crew link refused: HTTP {response.status}")
        cookies = {k: v.value for k, v in response.cookies.items()}
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    async with http.get(f"{base}/crew", headers={"Cookie": header}) as response:
        await response.read()
        cookies.update({k: v.value for k, v in response.cookies.items()})
    csrf = cookies.get("_csrf_token")
    if not csrf:
        raise RuntimeError("no _csrf_token cookie after GET /crew")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "X-CSRFToken": csrf,
            "Content-Type": "application/json", "User-Agent": USER_AGENT, "Origin": base,
            "Referer": f"{base}/crew", "Accept-Encoding": "gzip, deflate, br, zstd"}


async def _open_phones(base: str, tokens: list[str]) -> list[dict]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), headers={"User-Agent": USER_AGENT},
                                     connector=aiohttp.TCPConnector(limit=32)) as http:
        phones = []
        for start in range(0, len(tokens), 64):
            phones += await asyncio.gather(*(_phone(http, base, t) for t in tokens[start:start + 64]))
        return phones


def _body(rng: random.Random) -> bytes:
    lat, lon = 12.9 + rng.random() * 0.15, 77.5 + rng.random() * 0.2
    return (f'{{"lat":{lat:.6f},"lon":{lon:.6f},"accuracy":12,"speed":9.5,'
            f'"at_ms":{int(time.time() * 1000)}}}').encode()


def _step(stack, phones: list[dict], rate: float, seconds: float) -> dict:
    """Post at `rate` per second for `seconds`, open loop (bench.rawhttp.OpenLoop): each post is
    due at its moment whatever the answers before it, and its time runs from that moment."""
    from bench.rawhttp import OpenLoop, request_bytes
    from bench.web import _cpu_snapshot, _cpu_used

    rng = random.Random(int(rate))
    order = list(range(len(phones)))
    rng.shuffle(order)
    total = int(rate * seconds)
    base = stack.urls[0]

    # Each phone's request head is the same for every post but for the body's length: made once.
    heads = [request_bytes(base, "POST", "/crew/position", phone)[:-len(b"Content-Length: 0\r\n\r\n")]
             for phone in phones]

    def build(index: int) -> bytes:
        body = _body(rng)
        return heads[order[index % len(order)]] + b"Content-Length: %d\r\n\r\n" % len(body) + body

    load = OpenLoop(base, build, total, rate, connections=CONNECTIONS)
    cpu_before = _cpu_snapshot(stack)
    began = time.perf_counter()
    answers = load.run()
    elapsed = time.perf_counter() - began
    cores = _cpu_used(cpu_before, _cpu_snapshot(stack), elapsed)
    latencies = [ms for status, ms in answers if status == "202"]
    errors: dict[str, int] = {}
    for status, _ms in answers:
        if status != "202":
            errors[status] = errors.get(status, 0) + 1
    p50, p95, p99 = percentiles(latencies, 50, 95, 99, digits=1)
    served = len(latencies) / elapsed if elapsed else 0.0
    server = round(cores.get("web", 0.0) + cores.get("postgres", 0.0), 2)
    return {"rate": rate, "sent": total, "stored": len(latencies), "served_per_s": round(served, 1),
            "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "errors": errors, "cpu_cores_used": cores,
            "server_cpu_ms_per_post": round(server * elapsed * 1000 / max(1, total), 3),
            "generator_cpu_ms_per_post": round(cores.get("bench", 0.0) * elapsed * 1000 / max(1, total), 3),
            "ok": not errors and p95 is not None and p95 <= P95_LIMIT_MS and served >= 0.95 * rate}


def run(bench: Bench) -> list[Result]:
    stack = bench.stack("positions", job_processes=0)
    try:
        tokens = _crew_links(stack, UNITS)
        phones = asyncio.run(_open_phones(stack.urls[0], tokens))
        log(f"position_writes: {len(phones)} crew phones signed in")
        seconds = 5.0 if bench.quick else 10.0
        # From below the crew fleet's own rate (2,000 units every 5 s: 400/s) up past the target.
        rates = [100, 200, UNITS / EVERY_S, 1_000, 2_000, 3_000] if not bench.quick else [200, UNITS / EVERY_S, 2_000]
        steps = []
        for rate in rates:
            step = _step(stack, phones, rate, seconds)
            steps.append(step)
            log(f"position_writes at {rate:.0f}/s: served {step['served_per_s']}/s, p50 {step['p50_ms']} ms, "
                f"p95 {step['p95_ms']} ms, errors {step['errors'] or 'none'}; cores {step['cpu_cores_used']}")
            if not step["ok"]:
                break
        sustained = max((s["rate"] for s in steps if s["ok"]), default=0)
        ok = sustained >= TARGET
        return [Result("position_writes_per_s", sustained, "positions/s", f"≥ {TARGET} (p95 ≤ 250 ms)", ok,
                       {"units": UNITS, "every_s": EVERY_S, "steps": steps})]
    finally:
        bench.stop_stack(stack)

"""CPU per request of the hot requests, on one web worker: `python -m bench.cpu`.

Throughput figures swing with whatever else the machine runs; the CPU a worker spends per request
does not (much). This starts the web stack as `python -m bench` does (the real 10k hospitals with
beds, the demo city, 1,000 SOS waiting at the demo hospital, no job process) with ONE web
worker (production's settings otherwise), sends each kind of request over HTTP as the
browser sends it, and divides the worker's CPU time (user + system, from psutil) by the requests.

    python -m bench.cpu                       # every kind, 2,000 requests each (accept: 50 SOS × 16)
    python -m bench.cpu --only beds,own_beds --requests 4000

Kinds: healthz (GET /healthz, anonymous: the frame alone), beds (find a bed's interval refresh,
citizens), own_beds (a hospital's own beds refresh, its admins), queue (the SOS queue's poll,
unchanged, on 1,000 waiting), accept (16 hospitals pressing Accept on the same SOS at once),
position (crew phones posting positions).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

import psutil

from bench import client as web
from bench.env import Bench, add_users, log, worker_pids
from bench.live import BEDS, CAPACITY, QUEUE, Browsers, LivePage, _email, live_pages, seed_long_queue

KINDS = ("healthz", "beds", "own_beds", "queue", "accept", "position")
CONCURRENCY = 4


def _worker(proc) -> psutil.Process:
    pids = worker_pids(proc)
    if len(pids) != 1:
        raise RuntimeError(f"expected one web worker, found {pids}")
    return psutil.Process(pids[0])


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _measure(worker: psutil.Process, clients: list, send, count: int, concurrency: int = CONCURRENCY) -> dict:
    """`count` requests, `concurrency` at a time (each client in turn); the worker's CPU per request."""
    done = {"n": 0, "errors": 0}
    latencies: list[float] = []

    async def run(offset: int):
        index = offset
        while done["n"] < count:
            done["n"] += 1
            client = clients[index % len(clients)]
            index += concurrency
            started = time.perf_counter()
            status = await send(client)
            latencies.append(time.perf_counter() - started)
            if status not in (200, 202, 204):
                done["errors"] += 1

    before, wall = _cpu(worker), time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(concurrency)))
    used, wall = _cpu(worker) - before, time.perf_counter() - wall
    latencies.sort()
    return {"requests": done["n"], "cpu_ms_per_request": round(used / done["n"] * 1000, 3),
            "rps_one_worker": round(done["n"] / wall, 1), "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "errors": done["errors"]}


async def _live_sender(http: Browsers, stack, emails: list[str], path: str, live_id: str, source_id: str):
    """Open live pages (bench.live.live_pages), each one's first draw out of the measurement;
    `send` is one tick of a page's timer and answers the status only."""
    pages = await live_pages(http, stack, emails, path, live_id, source_id)
    for page in pages:
        await page.poll()

    async def send(page: LivePage):
        return (await page.poll())[0]

    return pages, send


async def _kinds(stack, worker, wanted: list[str], count: int, seeded: dict, race: tuple, tokens: list[str]) -> dict:
    results = {}
    http = Browsers()
    try:
        if "healthz" in wanted:
            plain = web.make_session()
            http.sessions.append(plain)

            async def healthz(_client):
                async with plain.get(stack.urls[0] + "/healthz") as response:
                    await response.read()
                    return response.status
            results["healthz"] = await _measure(worker, [None], healthz, count)
        if "beds" in wanted:
            pages, send = await _live_sender(http, stack, [_email("cpu-citizen", i) for i in range(4)],
                                             "/beds", BEDS.LIVE, BEDS.LIVE_SOURCE)
            results["beds"] = await _measure(worker, pages, send, count)
        if "own_beds" in wanted:
            pages, send = await _live_sender(http, stack, seeded["admins"][:4], "/hospital/capacity",
                                             CAPACITY.BEDS_LIVE, CAPACITY.BEDS_LIVE_SOURCE)
            results["own_beds"] = await _measure(worker, pages, send, count)
        if "queue" in wanted:
            screens, _send = await _live_sender(http, stack, seeded["admins"][4:8], "/hospital/queue",
                                                QUEUE.LIVE, QUEUE.LIVE_SOURCE)

            async def poll(screen):
                status, _payload = await screen.poll()
                return status
            results["queue"] = await _measure(worker, screens, poll, count)
        if "accept" in wanted:
            results["accept"] = await _accept(stack, worker, http, race)
        if "position" in wanted:
            results["position"] = await _positions(stack, worker, tokens, count)
    finally:
        await http.close()
    return results


async def _accept(stack, worker, http: Browsers, race: tuple) -> dict:
    sos_ids, hospitals = race
    logins = [await http.login(stack, _email("race-admin", i), "/hospital/queue") for i in range(hospitals)]
    outcomes = {"won": 0, "lost": 0, "other": 0}
    latencies = []

    async def accept(login, sos_id):
        started = time.perf_counter()
        status, answer = await web.post_answer(login, "accept", sos_id)  # as assets/queue.js posts it
        latencies.append(time.perf_counter() - started)
        said = answer.get("message", "") if status == 200 and isinstance(answer, dict) else f"HTTP {status}"
        outcomes["won" if "is yours" in said else "lost" if said.startswith("Already accepted by ") else "other"] += 1

    before, wall = _cpu(worker), time.perf_counter()
    for sos_id in sos_ids:
        await asyncio.gather(*(accept(login, sos_id) for login in logins))
    used, wall = _cpu(worker) - before, time.perf_counter() - wall
    attempts = len(sos_ids) * hospitals
    latencies.sort()
    return {"requests": attempts, "cpu_ms_per_request": round(used / attempts * 1000, 3),
            "rps_one_worker": round(attempts / wall, 1), "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2), **outcomes}


async def _positions(stack, worker, tokens: list[str], count: int) -> dict:
    from bench.positions import _open_phones

    phones = await _open_phones(stack.urls[0], tokens)
    http = web.make_session()
    state = {"i": 0}

    async def post(headers):
        state["i"] += 1
        body = (f'{{"lat": {12.9 + (state["i"] % 97) * 0.001:.6f}, "lon": 77.6, "accuracy": 12, "speed": 9.5, '
                f'"at_ms": {int(time.time() * 1000) + state["i"]}}}')
        async with http.post(stack.urls[0] + "/crew/position", data=body, headers=headers) as response:
            await response.read()
            return response.status
    try:
        return await _measure(worker, phones, post, count)
    finally:
        await http.close()


def _seed(stack, race_sos: int, units: int) -> tuple[dict, tuple, list[str]]:
    from bench.positions import _crew_links
    from bench.race import _seed as race_seed
    from db.engine import make_session_factory, session_scope

    seeded = seed_long_queue(stack, 1000, 8)
    engine = stack.db.engine()
    try:
        with session_scope(make_session_factory(engine)) as session:
            add_users(session, "citizen", 4, prefix="cpu-citizen")
        sos_ids, _admins = race_seed(make_session_factory(engine), 16, race_sos)
    finally:
        engine.dispose()
    return seeded, (sos_ids, 16), _crew_links(stack, units)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help=f"comma-separated kinds: {', '.join(KINDS)}")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--accept-sos", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1, help="measure each kind this many times")
    args = parser.parse_args(argv)
    wanted = [k.strip() for k in args.only.split(",") if k.strip()] or list(KINDS)
    bench = Bench()
    try:
        from bench.web import start_stack

        os.environ["HEALTHFIRST_WEB_WORKERS"] = "1"
        stack = start_stack(bench)
        bench.stop(stack.jobs[0])  # nothing should change the data under the measurement
        seeded, race, tokens = _seed(stack, args.accept_sos * args.repeat, 64)
        worker = _worker(stack.web[0])
        log(f"one worker, pid {worker.pid}")
        for attempt in range(args.repeat):
            sos_ids = race[0][attempt * args.accept_sos:(attempt + 1) * args.accept_sos]
            results = asyncio.run(_kinds(stack, worker, wanted, args.requests, seeded, (sos_ids, race[1]), tokens))
            for kind, figures in results.items():
                print(f"{kind:10} {json.dumps(figures)}", flush=True)
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

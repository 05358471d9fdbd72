"""scale_out: 2 web instances + 2 job processes on one PostgreSQL database under random
traffic, then proofs in SQL against what the client recorded:

- no SOS accepted twice (one accepted offer per SOS, the SOS's hospital is that offer's, no two
  hospitals told "it is yours" for one SOS);
- every report verified exactly once per round (round 1 for each upload, unique (report, round));
- no hospital offered the same SOS twice;
- no lost bed or blood update (final figures = initial + every successful step/adjustment the
  client saw; versioned bed saves: one version per successful save, the last one stands).

Traffic: citizens send SOS (stored as the citizen page does; half matched inline like the page,
half left to the job processes) and cancel them later; hospital admins poll their queue and
accept/decline through the queue's button callbacks (the queue then redraws, as the page does),
step beds and save figures on their capacity page's cards, receive/issue blood through its
callbacks, upload reports through /reports/upload; a few wall displays poll. Every request goes
to a random instance. Callbacks and ids come from the running app and the page/component modules.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections import defaultdict

from dash import ALL, MATCH
from sqlalchemy import select, text

from bench import client as web
from bench.env import BENCH_PASSWORD, Bench, Stack, add_users, log
from bench.results import Result
from components.capacity import ID as BED
from db.vocabulary import sos_number

# Ids of the pages driven here, read from their modules (a page module cannot be imported here).
QUEUE = web.page_ids("pages/hospital/queue.py")
CAPACITY = web.page_ids("pages/hospital/capacity.py")
WALL = web.page_ids("pages/display/wall.py")

GROUPS = ("O+", "A+", "B+", "AB-")


class Recorder:
    def __init__(self):
        self.wins: dict[int, set] = defaultdict(set)  # sos -> hospitals told "yours"
        self.bed_steps: dict[tuple, int] = defaultdict(int)  # (hospital, code) -> sum of deltas
        self.bed_saves: dict[int, list] = defaultdict(list)  # hospital -> [(version, total, available)]
        self.blood: dict[tuple, int] = defaultdict(int)  # (hospital, group) -> sum of deltas
        self.uncertain: set = set()  # keys whose last request ended without an answer
        self.reports: list[int] = []
        self.counts: dict[str, int] = defaultdict(int)
        self.errors: dict[str, int] = defaultdict(int)

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


class Actions:
    """The server callbacks a hospital admin's browser posts to, found once in /_dash-dependencies:
    the queue's refresh (pages/hospital/queue.py; its Accept / Decline go to their own route,
    `Admin.answer`), the capacity page's bed refresh, save and ±1 steppers (the
    cards' ids from components/capacity.py) and its blood received/issued buttons."""

    def __init__(self, callbacks: list, capacity_page: dict):
        self.queue = web.server_callback_on(callbacks, QUEUE.LIVE)  # runs when the queue's version moved
        self.beds_refresh = web.server_callback_on(callbacks, CAPACITY.BEDS_LIVE, capacity_page)
        self.bed_save = web.server_callback_on(callbacks, BED.save(MATCH), capacity_page)
        self.bed_step = web.server_callback_on(callbacks, BED.step(MATCH, ALL), capacity_page)
        self.blood = {"received": web.server_callback_on(callbacks, CAPACITY.BLOOD_RECEIVED, capacity_page),
                      "issued": web.server_callback_on(callbacks, CAPACITY.BLOOD_ISSUED, capacity_page)}


class Admin:
    def __init__(self, login: web.Login, hospital_id: int, urls: list[str], actions: Actions | None, rec: Recorder,
                 citizens: list[str]):
        self.login, self.hospital_id, self.urls, self.rec, self.citizens = login, hospital_id, urls, rec, citizens
        self.actions = actions
        self.present: list[dict] = []  # the pattern ids on this admin's capacity page (its bed cards)
        self.page: dict = {}  # (id_key, property) -> value of the capacity page's components
        self.versions: dict = {}  # bed code -> the version its card's store holds
        self.offered: list[int] = []
        self.changed = None  # the queue's "changed" store, bumped by an action
        self.n = 0

    async def open_capacity(self, callbacks: list) -> dict:
        """What the browser gets opening /hospital/capacity: this hospital's bed cards, each with
        the version of its figures in its own store."""
        components = await web.page_components(self.login, "/hospital/capacity", callbacks)
        self.present = [json.loads(k) for k in components if k.startswith("{")]
        self.page = {(k, prop): value for k, (_kind, props) in components.items() for prop, value in props.items()
                     if prop != "children"}
        self.versions = {p["code"]: self.page.get((web.id_key(p), "data")) for p in self.present
                         if p == BED.version(p.get("code"))}
        return components

    async def post(self, body: dict) -> tuple[int, bytes]:
        return await web.post_callback(self.login, body, base=random.choice(self.urls))

    async def refresh_queue(self, trigger: tuple = (QUEUE.LIVE, "data")) -> None:
        """The queue's refresh: when its version moved (each time here: the worst case), or at once
        when an action bumped "changed"."""
        self.n += 1
        values = {(QUEUE.LIVE, "data"): str(self.n), (QUEUE.CHANGED, "data"): self.changed}
        status, payload = await self.post(self.actions.queue.body(values, trigger=trigger))
        if status != 200:
            self.rec.error(f"queue HTTP {status}")
            return
        self.offered = list(web.response_value(payload, QUEUE.NEW_IDS, "data") or [])
        self.rec.counts["queue_polls"] += 1

    async def answer(self, kind: str) -> None:
        """Accept or Decline pressed on one of the SOS offered; the queue then redraws."""
        if not self.offered:
            return
        sos_id = random.choice(self.offered)
        try:  # as assets/queue.js posts it (web/queue_answer.py)
            status, said = await web.post_answer(self.login, kind, sos_id, base=random.choice(self.urls))
        except Exception as error:  # noqa: BLE001
            self.rec.error(f"{kind} {type(error).__name__}")
            return
        if status != 200:
            self.rec.error(f"{kind} HTTP {status}")
            return
        if kind == "accept":
            self.rec.counts["accept_attempts"] += 1
            if f"{sos_number(sos_id)} is yours" in said.get("message", ""):
                self.rec.wins[sos_id].add(self.hospital_id)
                self.rec.counts["accepts_won"] += 1
        else:
            self.rec.counts["declines"] += 1
        # The page then bumps its "changed" store, and the queue redraws at once.
        self.changed = time.time_ns()
        await self.refresh_queue((QUEUE.CHANGED, "data"))

    async def _post_change(self, kind: str, body: dict, key: tuple | None) -> bytes | None:
        """The answer to a request that may change a figure; None (an error recorded, the figure
        `key` marked uncertain) when the request failed or was not answered 200."""
        try:
            status, payload = await self.post(body)
        except Exception as error:  # noqa: BLE001
            problem = type(error).__name__
        else:
            if status == 200:
                return payload
            problem = f"HTTP {status}"
        if key:
            self.rec.uncertain.add(key)
        self.rec.error(f"{kind} {problem}")
        return None

    def _bed_step(self, values: dict) -> tuple | None:
        """A press on a random ±1 button of ICU or OXYGEN: (callback, trigger, code, delta)."""
        code, delta = random.choice(("ICU", "OXYGEN")), random.choice((-1, 1))
        button = BED.step(code, delta)
        if button not in self.present:
            self.rec.error("no bed-step button")
            return None
        values[(web.id_key(button), "n_clicks")] = 1
        return self.actions.bed_step, (button, "n_clicks"), code, delta

    def _bed_save(self, values: dict) -> tuple | None:
        """Random GENERAL figures typed and saved: (callback, trigger, code, (total, available))."""
        code = "GENERAL"
        if BED.save(code) not in self.present:
            self.rec.error("no bed-save button")
            return None
        total = random.randint(40, 120)
        available = random.randint(0, total)
        values[(web.id_key(BED.save(code)), "n_clicks")] = 1
        values[(web.id_key(BED.total(code)), "value")] = str(total)  # typed into a text input
        values[(web.id_key(BED.available(code)), "value")] = str(available)
        return self.actions.bed_save, (BED.save(code), "n_clicks"), code, (total, available)

    async def refresh_beds(self) -> None:
        self.n += 1
        values = dict(self.page)
        values[(CAPACITY.BEDS_LIVE, "data")] = str(self.n)  # as if the figures' version moved
        body = self.actions.beds_refresh.body(values, trigger=(CAPACITY.BEDS_LIVE, "data"),
                                              present=self.present)
        await self._post_change("beds refresh", body, None)

    async def beds(self, action: str) -> None:
        """A ±1 step or a save on one card; the card's version store follows its answer."""
        values = dict(self.page)
        values.update({(web.id_key(BED.version(code)), "data"): v for code, v in self.versions.items()})
        planned = self._bed_step(values) if action == "step" else self._bed_save(values)
        if planned is None:
            return
        callback, trigger, code, change = planned
        body = callback.body(values, trigger=trigger, present=self.present)
        payload = await self._post_change("beds", body, ("bed", self.hospital_id, code))
        if payload is None:
            return
        version = web.response_value(payload, BED.version(code), "data")
        if version is not None:
            self.versions[code] = version
        if action == "step":
            self._record_step(payload, code, change)
        else:
            self._record_save(payload, code, *change)

    def _record_step(self, payload: bytes, code: str, delta: int) -> None:
        if b"Now " in payload and b" free of " in payload:
            self.rec.bed_steps[(self.hospital_id, code)] += delta
            self.rec.counts["bed_steps_ok"] += 1
        else:
            self.rec.counts["bed_steps_refused"] += 1

    def _record_save(self, payload: bytes, code: str, total: int, available: int) -> None:
        if b"Saved: " in payload:
            self.rec.bed_saves[self.hospital_id].append((int(self.versions.get(code, -1)), total, available))
            self.rec.counts["bed_saves_ok"] += 1
        else:
            self.rec.counts["bed_saves_refused"] += 1

    async def blood(self) -> None:
        """Units of a group received or issued (its own button, its own callback)."""
        group = random.choice(GROUPS)
        reason = random.choice(("received", "issued"))
        units = random.randint(1, 4)
        button = CAPACITY.BLOOD_RECEIVED if reason == "received" else CAPACITY.BLOOD_ISSUED
        values = dict(self.page)
        values.update({(CAPACITY.BLOOD_GROUP, "value"): group, (CAPACITY.BLOOD_UNITS, "value"): str(units),
                       (CAPACITY.BLOOD_COMPONENT, "value"): "whole_blood", (button, "n_clicks"): 1})
        body = self.actions.blood[reason].body(values, trigger=(button, "n_clicks"))
        payload = await self._post_change("blood", body, ("blood", self.hospital_id, group))
        if payload is None:
            return
        if f"{reason} {units}, now".encode() in payload:
            self.rec.blood[(self.hospital_id, group)] += units if reason == "received" else -units
            self.rec.counts["blood_ok"] += 1
        else:
            self.rec.counts["blood_refused"] += 1

    async def upload(self) -> None:
        base = random.choice(self.urls)
        http = self.login.http
        try:
            async with http.get(base + "/reports/upload") as response:
                token = web.form_token(await response.text())
            content = b"%PDF-1.7\n" + secrets.token_bytes(random.randint(10_000, 200_000))
            form = web.aiohttp.FormData()
            form.add_field("csrf_token", token)
            form.add_field("patient", random.choice(self.citizens))
            form.add_field("title", "bench report")
            form.add_field("file", content, filename="report.pdf", content_type="application/pdf")
            async with http.post(base + "/reports/upload", data=form,
                                 headers={"X-Requested-With": "XMLHttpRequest"}) as response:
                data = await response.json(content_type=None)
                if response.status == 201 and data.get("ok"):
                    self.rec.reports.append(data["report"]["id"])
                    self.rec.counts["uploads_ok"] += 1
                else:
                    self.rec.error(f"upload HTTP {response.status}: {data.get('message', '')[:60]}")
        except Exception as error:  # noqa: BLE001
            self.rec.error(f"upload {type(error).__name__}")

    async def run(self, deadline: float) -> None:
        await self.refresh_beds()  # as the page does when it opens
        while time.monotonic() < deadline:
            await asyncio.sleep(random.uniform(0.2, 0.8))
            roll = random.random()
            try:
                if roll < 0.35:
                    await self.refresh_queue()
                    if self.offered and random.random() < 0.7:
                        await self.answer("accept" if random.random() < 0.85 else "decline")
                elif roll < 0.6:
                    await self.beds("step")
                elif roll < 0.7:
                    await self.beds("save")
                elif roll < 0.9:
                    await self.blood()
                else:
                    await self.upload()
            except Exception as error:  # noqa: BLE001
                self.rec.error(f"admin {type(error).__name__}: {error}"[:80])


async def _citizen(factory, citizen_id: int, points: list, rec: Recorder, deadline: float) -> None:
    from db.clock import utcnow
    from db.engine import session_scope
    from db.errors import DomainError
    from db.matching import match_due
    from db.models import User
    from db.sos import EMERGENCY_TYPES, cancel_sos, create_sos

    def send() -> int:
        lat, lon = random.choice(points)
        with session_scope(factory) as session:
            sos, _ = create_sos(session, actor=session.get(User, citizen_id), latitude=lat + random.uniform(-0.02, 0.02),
                                longitude=lon + random.uniform(-0.02, 0.02), now=utcnow(),
                                emergency_type=random.choice([None] + list(EMERGENCY_TYPES)))
            sos_id = sos.id
        if random.random() < 0.5:  # as pages/citizen/sos.py does: offered at once, beside the job processes
            with session_scope(factory) as session:
                match_due(session, now=utcnow(), sos_id=sos_id)
        return sos_id

    def cancel(sos_id: int) -> None:
        try:
            with session_scope(factory) as session:
                cancel_sos(session, actor=session.get(User, citizen_id), sos_id=sos_id, now=utcnow())
        except DomainError:
            pass

    while time.monotonic() < deadline:
        await asyncio.sleep(random.uniform(0.5, 3.0))
        try:
            sos_id = await asyncio.to_thread(send)
            rec.counts["sos_sent"] += 1
            await asyncio.sleep(random.uniform(4.0, 12.0))
            await asyncio.to_thread(cancel, sos_id)
        except Exception as error:  # noqa: BLE001
            rec.error(f"citizen {type(error).__name__}: {error}"[:80])


async def _display(login: web.Login, urls: list[str], feed_url: str, rec: Recorder, deadline: float) -> None:
    """A wall screen: fetches the page's feed every 5 s from any instance, sending back the
    versions it holds (they must be valid whichever instance answers)."""
    have = ""
    await asyncio.sleep(random.uniform(0, 5))
    while time.monotonic() < deadline:
        try:
            status, payload = await web.get_bytes(login, feed_url, {"have": have}, base=random.choice(urls))
            rec.counts["wall_polls"] += 1
            if status != 200:
                rec.error(f"wall HTTP {status}")
            else:
                have = json.loads(payload)["stamp"]["have"]
        except Exception as error:  # noqa: BLE001
            rec.error(f"wall {type(error).__name__}")
        await asyncio.sleep(5)


def _snapshot(engine) -> tuple[dict, dict]:
    with engine.connect() as connection:
        beds = {(h, c): (t, a, v) for h, c, t, a, v in connection.execute(text(
            "SELECT b.hospital_id, t.code, b.total, b.available, b.version FROM hospital_beds b "
            "JOIN bed_types t ON t.id = b.bed_type_id"))}
        blood = {(h, g): u for h, g, u in connection.execute(text(
            "SELECT hospital_id, blood_group, units FROM blood_stock WHERE component = 'whole_blood'"))}
    return beds, blood


async def _traffic(stack: Stack, seconds: float, admins_ids: list, citizen_rows: list, rec: Recorder) -> None:
    from db.engine import make_session_factory

    engine = stack.db.engine(pool_size=30, max_overflow=10)
    factory = make_session_factory(engine)
    with engine.connect() as connection:
        points = connection.execute(text("SELECT latitude, longitude FROM hospitals")).all()
    sessions = []
    try:
        admins, callbacks, actions = [], None, None
        citizen_emails = [email for _id, email in citizen_rows]
        for index, (email, hospital_id) in enumerate(admins_ids):
            http = web.make_session(limit=4)
            sessions.append(http)
            base = stack.urls[index % len(stack.urls)]
            login = await web.login(http, base, email, BENCH_PASSWORD, landing="/hospital/capacity")
            if callbacks is None:
                callbacks = await web.dependencies(login)
            admin = Admin(login, hospital_id, stack.urls, actions, rec, citizen_emails)
            page = await admin.open_capacity(callbacks)
            if actions is None:  # the first admin's page tells which callbacks the admins call
                actions = Actions(callbacks, page)
            admin.actions = actions
            admins.append(admin)
        http = web.make_session(limit=8)
        sessions.append(http)
        display = await web.login(http, stack.urls[1 % len(stack.urls)], "display@demo.healthfirst.in",
                                  "Display-demo-2026", landing="/display")
        display_page = await web.page_components(display, "/display", await web.dependencies(display))
        feed_url = display_page[WALL.SOURCE][1]["data"]["url"]
        deadline = time.monotonic() + seconds
        log(f"scale_out: traffic for {seconds:g} s on {stack.urls}")
        tasks = [a.run(deadline) for a in admins]
        tasks += [_citizen(factory, cid, points, rec, deadline) for cid, _email in citizen_rows]
        tasks += [_display(display, stack.urls, feed_url, rec, deadline) for _ in range(8)]
        await asyncio.gather(*tasks)
    finally:
        for http in sessions:
            await http.close()
        engine.dispose()


# Proofs in SQL, each a count of what must not exist, in the order they are reported.
PROBLEM_QUERIES = {
    "sos_with_two_accepted_offers":
        "SELECT count(*) FROM (SELECT sos_id FROM sos_offers WHERE status = 'accepted' GROUP BY sos_id "
        "HAVING count(*) > 1) d",
    "sos_hospital_differs_from_accepted_offer":
        "SELECT count(*) FROM sos s JOIN sos_offers o ON o.sos_id = s.id AND o.status = 'accepted' "
        "WHERE s.hospital_id IS DISTINCT FROM o.hospital_id",
    "sos_with_hospital_but_no_accepted_offer":
        "SELECT count(*) FROM sos s WHERE s.hospital_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM sos_offers o WHERE o.sos_id = s.id AND o.status = 'accepted')",
    "sos_offered_twice_to_a_hospital":
        "SELECT count(*) FROM (SELECT sos_id, hospital_id FROM sos_offers GROUP BY sos_id, hospital_id "
        "HAVING count(*) > 1) d",
    "report_rounds_checked_twice":
        "SELECT count(*) FROM (SELECT report_id, round FROM report_checks GROUP BY report_id, round "
        "HAVING count(*) > 1) d",
    "reports_without_round_1":
        "SELECT count(*) FROM medical_reports r WHERE NOT EXISTS "
        "(SELECT 1 FROM report_checks c WHERE c.report_id = r.id AND c.round = 1)",
    "reports_not_verified": "SELECT count(*) FROM medical_reports WHERE status <> 'verified'",
    "reports_round_count_mismatch":
        "SELECT count(*) FROM medical_reports r WHERE r.check_round <> "
        "(SELECT count(*) FROM report_checks c WHERE c.report_id = r.id)",
}


def _lost_beds(beds_before: dict, beds_after: dict, rec: Recorder) -> tuple[int, int]:
    """(bed figures that lost an update, figures not checked: their last request went unanswered).
    Steps: available moved by exactly the steps the client was told succeeded. Saves: one version
    per successful save, and the last save stands."""
    lost = uncertain = 0
    for (hospital, code), (total, available, version) in beds_after.items():
        if ("bed", hospital, code) in rec.uncertain:
            uncertain += 1
            continue
        _t0, a0, v0 = beds_before.get((hospital, code), (0, 0, 0))
        if code == "GENERAL":
            saves = rec.bed_saves.get(hospital, [])
            if version - v0 != len(saves) or (saves and max(saves) != (version, total, available)):
                lost += 1
        elif available - a0 != rec.bed_steps.get((hospital, code), 0):
            lost += 1
    return lost, uncertain


def _lost_blood(blood_before: dict, blood_after: dict, rec: Recorder) -> tuple[int, int]:
    """(blood stocks whose units did not move by what the client was told, stocks not checked)."""
    lost = uncertain = 0
    for (hospital, group), units in blood_after.items():
        if ("blood", hospital, group) in rec.uncertain:
            uncertain += 1
            continue
        if units - blood_before.get((hospital, group), 0) != rec.blood.get((hospital, group), 0):
            lost += 1
    lost += sum(1 for key, delta in rec.blood.items() if key not in blood_after and delta)
    return lost, uncertain


def _check(engine, rec: Recorder, before: tuple[dict, dict]) -> dict:
    beds_before, blood_before = before
    beds_after, blood_after = _snapshot(engine)
    with engine.connect() as connection:
        def count(sql: str) -> int:
            return connection.execute(text(sql)).scalar_one()

        problems = {name: count(sql) for name, sql in PROBLEM_QUERIES.items()}
        db_winner = dict(connection.execute(text("SELECT id, hospital_id FROM sos WHERE hospital_id IS NOT NULL")).all())
        stored_reports = set(connection.execute(text("SELECT id FROM medical_reports")).scalars())
        offers = count("SELECT count(*) FROM sos_offers")
        sos_total = count("SELECT count(*) FROM sos")
        accepted = count("SELECT count(*) FROM sos_offers WHERE status = 'accepted'")
    problems["uploads_missing_in_db"] = len(set(rec.reports) - stored_reports)
    problems["sos_won_by_two_hospitals_per_client"] = sum(1 for hs in rec.wins.values() if len(hs) > 1)
    problems["client_winner_differs_from_db"] = sum(
        1 for sos_id, hs in rec.wins.items() if len(hs) == 1 and db_winner.get(sos_id) not in hs)
    problems["bed_figures_with_lost_update"], uncertain_beds = _lost_beds(beds_before, beds_after, rec)
    problems["blood_stocks_with_lost_update"], uncertain_blood = _lost_blood(blood_before, blood_after, rec)
    return {"problems": problems, "figures_not_checked_unanswered_request": uncertain_beds + uncertain_blood,
            "sos": sos_total, "offers": offers, "accepted_offers": accepted, "reports": len(stored_reports)}


def run(bench: Bench) -> list[Result]:
    from db.engine import make_session_factory, session_scope
    from db.models import Hospital

    seconds = 20.0 if bench.quick else 60.0
    stack = bench.stack("scale", instances=2, job_processes=2)
    engine = stack.db.engine()
    try:
        with session_scope(make_session_factory(engine)) as session:
            hospitals = session.execute(select(Hospital.id).order_by(Hospital.id)).scalars().all()
            admins = add_users(session, "hospital_admin", len(hospitals), prefix="scale-admin", hospital_ids=hospitals)
            admin_rows = [(a.email, a.hospital_id) for a in admins]
            citizens = add_users(session, "citizen", 20, prefix="scale-citizen")
            citizen_rows = [(c.id, c.email) for c in citizens]
        before = _snapshot(engine)
        rec = Recorder()
        asyncio.run(_traffic(stack, seconds, admin_rows, citizen_rows, rec))
        # Let the job processes finish what is due (matching, verification) before judging.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                pending = connection.execute(text("SELECT count(*) FROM medical_reports WHERE status = 'pending'")
                                             ).scalar_one()
            if not pending:
                break
            time.sleep(1)
        for proc in stack.web + stack.jobs:
            if not proc.alive():
                rec.error(f"{proc.name} died")
        for proc in stack.web + stack.jobs:
            bench.stop(proc)
        detail = _check(engine, rec, before)
        detail["client"] = dict(rec.counts)
        detail["client_errors"] = dict(rec.errors)
        detail["seconds"] = seconds
        violations = sum(detail["problems"].values())
        exercised = all(rec.counts.get(k, 0) > 0 for k in ("accepts_won", "bed_steps_ok", "bed_saves_ok",
                                                           "blood_ok", "uploads_ok", "sos_sent"))
        server_errors = sum(v for k, v in rec.errors.items() if "HTTP 5" in k or "died" in k)
        detail["traffic_exercised_every_operation"] = exercised
        log(f"scale_out: {detail}")
        return [Result("scale_out", violations, "violations", "0",
                       violations == 0 and exercised and server_errors == 0, detail)]
    finally:
        engine.dispose()
        bench.stop_stack(stack)

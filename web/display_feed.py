"""What the control-room wall display fetches every few seconds (a plain Flask route beside the
Dash pages, registered by web/__init__.py):

    /_display/view.json?have=<token>   the parts of the wall that changed since `token`

A thousand walls polling every 1.5 s are the busiest traffic the product serves, so this path does
almost nothing per request: the view is built at most once per `display_cache_seconds` per
worker and kept as ready-encoded JSON; each part (left tiles, right tiles, the map's SOS,
ambulances and hospital markers) has a version that changes only with the data it shows; a screen sends the
versions it holds (`token`) and gets back just the changed parts, already encoded. An idle poll
answers a 200-byte stamp.

Nothing here identifies a patient (see db.display). Outage: 503, and the screen keeps what it
shows while its watchdog reports the outage.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, request
from plotly.io.json import to_json_plotly  # how Dash itself encodes components

from auth.compression import FEED_KEY_PREFIX, compress_once
from auth.context import db_session, state
from auth.outage import UNREACHABLE
from auth.roles import has_role
from components import wall
from components.wall import FEED_URL, ID, PART_IDS
from config import DISPLAY_TIMEZONE
from db import display, metrics, sos
from db.clock import utcnow

log = logging.getLogger("healthfirst.display")
bp = Blueprint("display_feed", __name__)


@dataclass
class View:
    """The rendered wall: per part, its version and its children as encoded JSON. The map's SOS
    come in buckets of consecutive SOS numbers (`sos_buckets`), each with its own version: in a
    disaster the map holds hundreds of SOS, and a new one, or a few changing status, re-sends one
    or two buckets of markers, not all of them."""

    generated_at: str
    parts: dict  # part id -> (version, encoded JSON of its children); ID.MAP_SOS -> (listing, None)
    sos_buckets: dict = field(default_factory=dict)  # bucket key -> (version, encoded JSON of its markers)
    _bodies: dict = field(default_factory=dict)  # what a screen lacks -> (body, its digest)

    @property
    def token(self) -> str:
        return ".".join(self.parts[part][0] for part in PART_IDS)

    def _missing(self, token: str) -> tuple[tuple, tuple | None]:
        """The plain parts a screen holding `token` lacks, and the SOS buckets it lacks (None: it
        holds the SOS layer as it is)."""
        held = dict(zip(PART_IDS, token.split("."), strict=False))  # a token of another shape: sent whole
        missing = tuple(part for part in PART_IDS
                        if part != ID.MAP_SOS and held.get(part) != self.parts[part][0])
        if held.get(ID.MAP_SOS) == self.parts[ID.MAP_SOS][0]:
            return missing, None
        held_buckets = dict(item.split("-", 1) for item in held.get(ID.MAP_SOS, "").split("~") if "-" in item)
        return missing, tuple(key for key, (version, _markers) in self.sos_buckets.items()
                              if held_buckets.get(key) != version)

    def body_for(self, token: str) -> tuple[bytes, str]:
        """The answer to a screen holding `token`, and a digest naming it (for compressing it once)."""
        missing, buckets = self._missing(token)
        answer = self._bodies.get((missing, buckets))
        if answer is None:
            stamp = json.dumps({"have": self.token, "generated_at": self.generated_at})
            changed = [f'"{part}":{self.parts[part][1]}' for part in missing]
            if buckets is not None:
                # Every bucket the layer has now (the screen drops the others), and those it lacks.
                sent = ",".join(f'"{key}":{self.sos_buckets[key][1]}' for key in buckets)
                changed.append(f'"{ID.MAP_SOS}":{{"keys":{json.dumps(list(self.sos_buckets))},"buckets":{{{sent}}}}}')
            body = f'{{"stamp":{stamp},"parts":{{{",".join(changed)}}}}}'.encode()
            answer = (body, hashlib.blake2b(body, digest_size=16).hexdigest())
            if len(self._bodies) < MAX_BODIES:  # screens hold few different versions: each body encoded once
                self._bodies[(missing, buckets)] = answer
        return answer


# The map's SOS in buckets of this many consecutive SOS numbers (View.sos_buckets).
SOS_BUCKET = 50
MAX_BODIES = 64


def sos_bucket(sos_id: int) -> str:
    return str(sos_id // SOS_BUCKET)


# How often a worker asks whether an SOS or an ambulance changed (one small query): a new SOS is
# on the wall within this plus the page's refresh (pages/display/wall.py), not a whole cache period.
LIVE_CHECK_S = 0.25


class _SharedView:
    """One view per worker, rebuilt every `display_cache_seconds`, and at once when the SOS and
    ambulances it shows changed (`sos.live_version`, asked at most every LIVE_CHECK_S): a thousand
    screens polling cost one small query per quarter second and one set of queries per period."""

    def __init__(self):
        self._lock = threading.Lock()
        self._built_at = float("-inf")
        self._checked_at = float("-inf")
        self._confirmed_at = float("-inf")  # when the database last answered a build or a check
        self._live: tuple | None = None
        self._value: View | None = None

    def confirmed_within(self, seconds: float) -> bool:
        """Whether the view was confirmed current by the database within `seconds`. While one
        thread waits on a database that is gone, the others keep answering with the last view:
        past this they must say so, not pass an old view for a current one."""
        return time.monotonic() - self._confirmed_at <= seconds

    def _due(self, ttl: float) -> bool:
        """Whether the view must be built again; asks the live version when its time has come."""
        now = time.monotonic()
        if self._value is None or now - self._built_at >= ttl:
            return True
        if now - self._checked_at < LIVE_CHECK_S:
            return False
        self._checked_at = now
        with db_session() as session:
            changed = sos.live_version(session) != self._live
        self._confirmed_at = time.monotonic()
        return changed

    def get(self) -> View:
        ttl = state()["config"].display_cache_seconds
        now = time.monotonic()
        if self._value is not None and now - self._built_at < ttl and now - self._checked_at < LIVE_CHECK_S:
            return self._value
        # One thread checks and rebuilds; the others keep serving the last view meanwhile.
        if not self._lock.acquire(blocking=self._value is None):
            return self._value
        try:
            if self._due(ttl):
                with db_session() as session:
                    live = sos.live_version(session)  # asked first: a change meanwhile is seen next time
                self._value = build_view(self._value)
                self._built_at = self._checked_at = self._confirmed_at = time.monotonic()
                self._live = live
            return self._value
        finally:
            self._lock.release()


def _version(data) -> str:
    """The same in every worker for the same data, so a screen's copy stays valid whichever
    worker answers its next refresh."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def build_view(previous: View | None) -> View:
    now = utcnow()
    day_start, day_end = metrics.day_bounds(now, ZoneInfo(DISPLAY_TIMEZONE))
    with db_session() as session:
        data = display.snapshot(session, now=now, day_start=day_start, day_end=day_end).as_dict()
    when = wall.data_time_label(now)
    # Per part: the data it shows, and how it is drawn. A part is drawn again only when its data
    # changed: its "data hh:mm:ss" line and its timers are kept current in the browser.
    # What the left tiles show of each unit: not where it is (that moves every few seconds and is
    # the map's units part alone).
    units_listed = [{k: v for k, v in u.items() if k not in ("lat", "lon")} for u in data["units"]]
    spec = {
        ID.TILES_LEFT: (
            (data["unanswered"], data["sos"], data["sos_by_status"], units_listed, data["units_by_status"]),
            lambda: [wall.unanswered_tile(data["unanswered"], data["sos"], when, now),
                     wall.sos_tile(data["sos"], data["sos_by_status"], when, now),
                     wall.units_tile(data["units"], data["units_by_status"], when, now)]),
        ID.TILES_RIGHT: (
            (data["response_times"], data["beds"], data["shortages"], data["alerts"]),
            lambda: [wall.response_tile(data["response_times"], when), wall.beds_tile(data["beds"], when),
                     wall.blood_tile(data["shortages"], when), wall.alerts_tile(data["alerts"], when)]),
        # The map's layers travel apart: hundreds of SOS markers in a disaster (in buckets, below),
        # a few units on the move, hundreds of hospital markers that rarely change.
        ID.MAP_UNITS: ([(u["call_sign"], u["status"], u["lat"], u["lon"]) for u in data["units"]],
                       lambda: wall.unit_markers(data["units"])),
        ID.MAP_HOSPITALS: (data["hospitals"], lambda: wall.hospital_markers(data["hospitals"])),
    }
    parts = {}
    for part, (source, draw) in spec.items():
        version = _version(source)
        kept = previous.parts.get(part) if previous is not None else None
        parts[part] = kept if kept is not None and kept[0] == version else (version, to_json_plotly(draw()))
    buckets = _sos_buckets(data["sos"], previous)
    parts[ID.MAP_SOS] = ("~".join(f"{key}-{version}" for key, (version, _markers) in buckets.items()), None)
    return View(generated_at=data["generated_at"], parts=parts, sos_buckets=buckets)


def _sos_buckets(open_sos: list[dict], previous: View | None) -> dict:
    """The map's SOS markers by bucket (`sos_bucket`), each drawn again only when its SOS changed."""
    grouped: dict[str, list] = {}
    for item in open_sos:
        grouped.setdefault(sos_bucket(item["id"]), []).append(item)
    buckets = {}
    for key in sorted(grouped, key=int):
        members = grouped[key]
        version = _version([(s["id"], s["status"], s["lat"], s["lon"]) for s in members])[:12]
        kept = previous.sos_buckets.get(key) if previous is not None else None
        buckets[key] = kept if kept is not None and kept[0] == version \
            else (version, to_json_plotly(wall.sos_markers(members)))
    return buckets


_view = _SharedView()
# An answer is only as current as the database's last word on it: a view not confirmed for this
# long is not served as current (the wall counts an outage from its last answer, assets/wall.js).
CONFIRMED_WITHIN_S = 2.0


def _unreachable() -> Response:
    return Response('{"error": "database unreachable"}', status=503, mimetype="application/json",
                    headers={"Cache-Control": "no-store", "Retry-After": "5"})


@bp.route(FEED_URL)
def view():
    if not has_role(*display.VIEWER_ROLES):
        abort(403)  # anonymous callers never get here: the request guard answers 401
    try:
        current = _view.get()
    except UNREACHABLE:
        # One line, no traceback: a thousand walls polling through an outage is one fact.
        log.warning("wall display: database unreachable, answered 503")
        return _unreachable()
    if not _view.confirmed_within(CONFIRMED_WITHIN_S):
        return _unreachable()  # another thread is still waiting on the database: the view is old
    body, digest = current.body_for(request.args.get("have", ""))
    compress_once(f"{FEED_KEY_PREFIX}{digest}")  # a thousand screens, one compression per body and encoding
    return Response(body, mimetype="application/json",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

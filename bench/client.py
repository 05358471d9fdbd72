"""The light load generator's HTTP side: aiohttp sessions that log in through the real form, and
Dash callback bodies built from the app's own `/_dash-dependencies` (so the benchmark follows the
callbacks as they are today, not as they were when it was written)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp

_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TIMEOUT = aiohttp.ClientTimeout(total=30)


class HttpError(RuntimeError):
    pass


def make_session(*, limit: int = 100, timeout: aiohttp.ClientTimeout = TIMEOUT) -> aiohttp.ClientSession:
    # unsafe=True: the cookie jar must keep cookies of 127.0.0.1 (an IP address). Idle connections
    # are dropped after 1 s, before gunicorn's 2 s keep-alive closes them under a request in flight.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, limit_per_host=0, keepalive_timeout=1.0),
        cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=timeout)


def form_token(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    if not match:
        raise HttpError("no CSRF token in the form")
    return match.group(1)


@dataclass
class Login:
    """A logged-in browser: its cookie jar and the X-CSRFToken header Dash callbacks need."""

    http: aiohttp.ClientSession
    base: str
    email: str
    csrf: str = ""

    @property
    def headers(self) -> dict:
        return {"X-CSRFToken": self.csrf, "Content-Type": "application/json"}


async def login(http: aiohttp.ClientSession, base: str, email: str, password: str, *, landing: str = "/") -> Login:
    async with http.get(base + "/login") as response:
        token = form_token(await response.text())
    async with http.post(base + "/login", data={"email": email, "password": password, "csrf_token": token},
                         allow_redirects=False) as response:
        if response.status not in (302, 303):
            raise HttpError(f"login of {email} refused: HTTP {response.status}")
    session = Login(http, base, email)
    await refresh_csrf(session, landing)
    return session


async def refresh_csrf(session: Login, page: str = "/") -> None:
    """Any page GET after login sets the `_csrf_token` cookie (Dash's double-submit token)."""
    async with session.http.get(session.base + page) as response:
        await response.read()
    for cookie in session.http.cookie_jar:
        if cookie.key == "_csrf_token":
            session.csrf = cookie.value
    if not session.csrf:
        raise HttpError(f"no _csrf_token cookie after GET {page} as {session.email}")


# ---- Dash callbacks -------------------------------------------------------------------------


def _parse_id(text: str):
    return json.loads(text) if text.startswith("{") else text


def _split_output(spec: str) -> list[tuple[Any, str]]:
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append((_parse_id(ident), prop))
    return out


def _wild(value) -> bool:
    return isinstance(value, list) and value and value[0] in ("ALL", "MATCH", "ALLSMALLER")


def matches(pattern: dict, concrete: Any) -> bool:
    if not isinstance(concrete, dict) or set(concrete) != set(pattern):
        return False
    return all(_wild(v) or concrete[k] == v for k, v in pattern.items())


@dataclass
class Callback:
    output: str
    outputs: list[tuple[Any, str]]
    inputs: list[tuple[Any, str]]
    state: list[tuple[Any, str]]
    clientside: bool
    multi: bool

    def input_ids(self) -> set:
        return {ident for ident, _ in self.inputs if isinstance(ident, str)}

    def plain_ids(self) -> set:
        """The ids (not patterns) of every input, state and output."""
        return {ident for ident, _ in self.inputs + self.state + self.outputs if isinstance(ident, str)}

    def body(self, values: dict, *, trigger: tuple[Any, str], present: list = ()) -> dict:
        """The JSON the renderer sends: `values` maps (id, prop) to the current value (ids of
        pattern components as dicts, made hashable with json); `present` lists the concrete
        pattern ids on the page."""

        def key(ident):
            return json.dumps(ident, sort_keys=True) if isinstance(ident, dict) else ident

        def expand(ident, prop, with_value: bool):
            if isinstance(ident, dict):
                return [{"id": c, "property": prop, **({"value": values.get((key(c), prop))} if with_value else {})}
                        for c in present if matches(ident, c)]
            entry = {"id": ident, "property": prop}
            if with_value:
                entry["value"] = values.get((ident, prop))
            return entry

        outputs = [expand(i, p, False) for i, p in self.outputs]
        trigger_id, trigger_prop = trigger
        changed = (json.dumps(trigger_id, sort_keys=True, separators=(",", ":"))
                   if isinstance(trigger_id, dict) else trigger_id) + "." + trigger_prop
        return {
            "output": self.output,
            "outputs": outputs if self.multi else outputs[0],
            "inputs": [expand(i, p, True) for i, p in self.inputs],
            "state": [expand(i, p, True) for i, p in self.state],
            "changedPropIds": [changed],
        }


def parse_dependencies(deps: list[dict]) -> list[Callback]:
    found = []
    for dep in deps:
        found.append(Callback(
            output=dep["output"],
            outputs=_split_output(dep["output"]),
            inputs=[(_parse_id(d["id"]) if isinstance(d["id"], str) else d["id"], d["property"])
                    for d in dep.get("inputs", [])],
            state=[(_parse_id(d["id"]) if isinstance(d["id"], str) else d["id"], d["property"])
                   for d in dep.get("state", [])],
            clientside=bool(dep.get("clientside_function")),
            multi=dep["output"].startswith(".."),
        ))
    return found


async def dependencies(session: Login) -> list[Callback]:
    async with session.http.get(session.base + "/_dash-dependencies") as response:
        if response.status != 200:
            raise HttpError(f"/_dash-dependencies: HTTP {response.status}")
        return parse_dependencies(await response.json())


def server_callback_on(callbacks: list[Callback], input_id: str, page: dict | None = None) -> Callback:
    """The server callback taking input_id as input; with `page` (page_components of one page),
    one whose every plain id is on that page: two pages may use the same id (the bed search and
    the capacity page both have `beds-refresh`)."""
    for cb in callbacks:
        if not cb.clientside and input_id in cb.input_ids() and (page is None or cb.plain_ids() <= page.keys()):
            return cb
    raise HttpError(f"no server callback takes {input_id} as input" + (" on that page" if page else ""))


async def post_callback(session: Login, body: dict, *, base: str | None = None) -> tuple[int, bytes]:
    async with session.http.post((base or session.base) + "/_dash-update-component", data=json.dumps(body),
                                 headers=session.headers) as response:
        return response.status, await response.read()


async def get_bytes(session: Login, path: str, params: dict | None = None, *,
                    base: str | None = None) -> tuple[int, bytes]:
    async with session.http.get((base or session.base) + path, params=params) as response:
        return response.status, await response.read()


def walk_layout(node, found: dict) -> None:
    """Collect every component with an id: id -> (type, props)."""
    if isinstance(node, list):
        for item in node:
            walk_layout(item, found)
        return
    if not isinstance(node, dict):
        return
    if "props" in node and "type" in node:
        props = node.get("props") or {}
        ident = props.get("id")
        if ident is not None:
            found[json.dumps(ident, sort_keys=True) if isinstance(ident, dict) else ident] = (node["type"], props)
        for value in props.values():
            walk_layout(value, found)
    else:
        for value in node.values():
            walk_layout(value, found)


async def page_components(session: Login, path: str, callbacks: list[Callback]) -> dict:
    """The components a browser would have on `path`: the shell (/_dash-layout) plus the page
    content returned by Dash's page-routing callback."""
    found: dict = {}
    async with session.http.get(session.base + "/_dash-layout") as response:
        walk_layout(await response.json(), found)
    router = next((cb for cb in callbacks if not cb.clientside
                   and any(i == "_pages_content" for i, _ in cb.outputs)), None)
    if router is None:
        raise HttpError("no page-routing callback")
    values = {}
    for ident, prop in router.inputs + router.state:
        if prop == "pathname":
            values[(ident, prop)] = path
        elif prop == "search":
            values[(ident, prop)] = ""
        elif prop == "hash":
            values[(ident, prop)] = ""
        elif prop == "href":
            values[(ident, prop)] = session.base + path
    body = router.body(values, trigger=router.inputs[0])
    status, payload = await post_callback(session, body)
    if status != 200:
        raise HttpError(f"page routing for {path}: HTTP {status} {payload[:200]!r}")
    walk_layout(json.loads(payload), found)
    return found


@dataclass
class Stats:
    """Latencies (s) and outcomes of requests, for a window of time."""

    latencies: list = field(default_factory=list)
    errors: int = 0
    error_kinds: dict = field(default_factory=dict)

    def add(self, seconds: float) -> None:
        self.latencies.append(seconds)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

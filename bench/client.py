"""The light load generator's HTTP side: aiohttp sessions that log in through the real form, and
Dash callback bodies built from the app's own `/_dash-dependencies` (so the benchmark follows the
callbacks as they are today, not as they were when it was written); the JSON routes a page's
script posts to (the SOS queue's Accept / Decline) as that script sends them."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp

from bench.env import PROJECT_ROOT
from components.dispatch import ANSWER_URL

_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TIMEOUT = aiohttp.ClientTimeout(total=30)


class HttpError(RuntimeError):
    pass


def make_session(*, limit: int = 100, timeout: aiohttp.ClientTimeout = TIMEOUT) -> aiohttp.ClientSession:
    # unsafe=True: the cookie jar must keep cookies of 127.0.0.1 (an IP address). Idle connections
    # are dropped after 1 s, before the server's keep-alive can close them under a request in flight.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, limit_per_host=0, keepalive_timeout=1.0),
        cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=timeout)


def make_connector(*, limit: int = 256) -> aiohttp.TCPConnector:
    """One pool of connections for many browsers (each its own ClientSession and cookie jar over
    it, `connector_owner=False`): as many sockets as the pool allows, not one pool per browser."""
    return aiohttp.TCPConnector(limit=limit, limit_per_host=0, keepalive_timeout=1.0)


def browser_on(connector: aiohttp.TCPConnector, *, timeout: aiohttp.ClientTimeout = TIMEOUT) -> aiohttp.ClientSession:
    """A browser of its own (its own cookie jar) sharing `connector`; closing it leaves the pool open."""
    return aiohttp.ClientSession(connector=connector, connector_owner=False,
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


async def kiosk_sign_in(http: aiohttp.ClientSession, base: str, token: str, *, landing: str = "/display") -> Login:
    """Open a kiosk link as a wall display's browser does: GET /kiosk/<token> signs this browser in
    as that display (302 to the wall), then the wall page sets Dash's CSRF cookie."""
    async with http.get(f"{base}/kiosk/{token}", allow_redirects=False) as response:
        await response.read()
        if response.status not in (302, 303):
            raise HttpError(f"kiosk link refused: HTTP {response.status}")
    session = Login(http, base, f"kiosk:{token[:6]}")
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

WILDCARDS = ("ALL", "MATCH", "ALLSMALLER")
MULTI = ("ALL", "ALLSMALLER")  # a wildcard that stands for a list of components


def page_ids(path: str) -> SimpleNamespace:
    """The string constants of a page module's `class ID`, read from its source (path relative
    to the project): a page module cannot be imported outside the app (it calls
    dash.register_page), and its ids are not to be spelled again here."""
    tree = ast.parse((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    body = next((node.body for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "ID"), None)
    if body is None:
        raise HttpError(f"{path} declares no class ID")
    found = {}
    for node in body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.update({target.id: node.value.value for target in node.targets if isinstance(target, ast.Name)})
    return SimpleNamespace(**found)


def wire_id(ident):
    """An id as /_dash-dependencies and the browser spell it: Dash's wildcards (ALL, MATCH) of an
    id built with a components/ `ID` builder become ["ALL"], ["MATCH"]."""
    if not isinstance(ident, dict):
        return ident
    return {k: json.loads(v.to_json()) if hasattr(v, "to_json") else v for k, v in ident.items()}


def id_key(ident) -> str:
    """How Dash names a component in changedPropIds and in a response (dash._utils.stringify_id);
    also the key of `values` in Callback.body and of page_components."""
    if isinstance(ident, dict):
        return json.dumps(wire_id(ident), sort_keys=True, separators=(",", ":"))
    return ident


def _parse_id(text: str):
    return json.loads(text) if text.startswith("{") else text


def _split_output(spec: str) -> list[tuple[Any, str]]:
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append((_parse_id(ident), prop))
    return out


def _wild(value, kinds=WILDCARDS) -> bool:
    return isinstance(value, list) and len(value) == 1 and value[0] in kinds


def multi_valued(pattern) -> bool:
    """An ALL (or ALLSMALLER) pattern: the browser sends a list of the matching components."""
    return isinstance(pattern, dict) and any(_wild(v, MULTI) for v in pattern.values())


def matches(pattern: dict, concrete: Any, trigger: Any = None) -> bool:
    """Whether `concrete` is one of the components `pattern` stands for; a MATCH key must have
    the value of the component that set the callback off (`trigger`)."""
    if not isinstance(concrete, dict) or set(concrete) != set(pattern):
        return False
    for k, v in pattern.items():
        if _wild(v, ("MATCH",)):
            if isinstance(trigger, dict) and k in trigger and concrete[k] != trigger[k]:
                return False
        elif not _wild(v) and concrete[k] != v:
            return False
    return True


@dataclass
class Callback:
    output: str
    outputs: list[tuple[Any, str]]
    inputs: list[tuple[Any, str]]
    state: list[tuple[Any, str]]
    clientside: bool
    multi: bool

    def input_ids(self) -> list:
        return [ident for ident, _ in self.inputs]

    def plain_ids(self) -> set:
        """The ids (not patterns) of every input, state and output."""
        return {ident for ident, _ in self.inputs + self.state + self.outputs if isinstance(ident, str)}

    def body(self, values: dict, *, trigger: tuple[Any, str], present: list = ()) -> dict:
        """The JSON the renderer sends: `values` maps (id_key(id), prop) to the current value;
        `present` lists the concrete pattern ids on the page. An ALL pattern is sent as the list of
        the components it matches, a MATCH pattern as the one component matching the trigger."""
        trigger_id, trigger_prop = trigger
        trigger_id = wire_id(trigger_id)

        def entry(ident, prop, with_value: bool) -> dict:
            sent = {"id": ident, "property": prop}
            if with_value:
                sent["value"] = values.get((id_key(ident), prop))
            return sent

        def expand(ident, prop, with_value: bool):
            if not isinstance(ident, dict) or not any(_wild(v) for v in ident.values()):
                return entry(ident, prop, with_value)
            found = [entry(c, prop, with_value) for c in present if matches(ident, c, trigger_id)]
            if multi_valued(ident):
                return found
            if not found:
                raise HttpError(f"{self.output}: no component on the page matches {ident} for {trigger_id}")
            return found[0]

        outputs = [expand(i, p, False) for i, p in self.outputs]
        return {
            "output": self.output,
            "outputs": outputs if self.multi else outputs[0],
            "inputs": [expand(i, p, True) for i, p in self.inputs],
            "state": [expand(i, p, True) for i, p in self.state],
            "changedPropIds": [f"{id_key(trigger_id)}.{trigger_prop}"],
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


def server_callback_on(callbacks: list[Callback], input_id, page: dict | None = None) -> Callback:
    """The server callback taking input_id (a plain id, or a pattern such as
    `components.dispatch.ID.accept(ALL)`) as input; with `page` (page_components of one page),
    one whose every plain id is on that page."""
    wanted = wire_id(input_id)
    for cb in callbacks:
        if not cb.clientside and wanted in cb.input_ids() and (page is None or cb.plain_ids() <= page.keys()):
            return cb
    raise HttpError(f"no server callback takes {wanted} as input" + (" on that page" if page else ""))


def response_value(payload: bytes, ident, prop: str, default=None):
    """A property a callback's response sets (`default` when it leaves it unchanged)."""
    return json.loads(payload).get("response", {}).get(id_key(ident), {}).get(prop, default)


async def post_callback(session: Login, body: dict, *, base: str | None = None) -> tuple[int, bytes]:
    async with session.http.post((base or session.base) + "/_dash-update-component", data=json.dumps(body),
                                 headers=session.headers) as response:
        return response.status, await response.read()


async def post_answer(session: Login, kind: str, sos_id: int, *, base: str | None = None) -> tuple[int, dict]:
    """Accept / Decline on the SOS queue as assets/queue.js posts it (web/queue_answer.py): the
    status and the JSON answer ({"message", "color"})."""
    async with session.http.post((base or session.base) + ANSWER_URL, data=json.dumps({"kind": kind, "sos": sos_id}),
                                 headers=session.headers) as response:
        return response.status, await response.json(content_type=None)


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
            found[id_key(ident)] = (node["type"], props)
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

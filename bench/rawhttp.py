"""A lean HTTP/1.1 client for the request-rate figures: one kept-alive connection per simulated
browser, requests written as bytes, answers read by Content-Length.

aiohttp costs the load generator 0.3–0.7 ms of CPU per request; on 2 cores shared with the
server, a figure of thousands of requests a second would then measure the generator. This client
costs about 0.06 ms a request, so what a figure measures is the server. It sends what the browser
sends (the session's cookies, the CSRF header, the same paths and bodies), and nothing is cached
or skipped on its side. Only what the benchmarks need: no TLS, no redirects, no chunked bodies
(an answer without Content-Length is an error)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp
from aiohttp.http import SERVER_SOFTWARE
from yarl import URL

# The browser a session signed in with sends the same User-Agent with every request: the sessions
# here sign in through aiohttp, so these requests say what aiohttp says (Flask-Login's session
# protection, and the fast paths before Flask, compare it with the one seen at sign-in).
USER_AGENT = SERVER_SOFTWARE


class RawHttpError(RuntimeError):
    pass


def cookie_header(http: aiohttp.ClientSession, base: str) -> str:
    """The Cookie header a browser with `http`'s cookie jar sends to `base`."""
    cookies = http.cookie_jar.filter_cookies(URL(base))
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


class RawConnection:
    """One kept-alive connection to `base`, reopened when the server closes it."""

    def __init__(self, base: str, *, cookie: str = "", headers: dict | None = None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        fixed = {"Host": f"{self.host}:{self.port}", "Accept": "*/*", "User-Agent": USER_AGENT, **(headers or {})}
        if cookie:
            fixed["Cookie"] = cookie
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._reader = self._writer = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None
                      ) -> tuple[int, dict, bytes]:
        """(status, headers with lower-case names, body). Retries once on a connection the server
        had already closed (its keep-alive ran out between two requests)."""
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        length = f"Content-Length: {len(body)}\r\n" if body or method != "GET" else ""
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed}{extra}{length}\r\n".encode()
        for attempt in (1, 2):
            if self._writer is None:
                await self._open()
            try:
                self._writer.write(head + body)
                return await self._answer(method)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _answer(self, method: str) -> tuple[int, dict, bytes]:
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        else:
            raise RawHttpError(f"HTTP {status} answer without Content-Length")
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


# ---- open loop, without asyncio ------------------------------------------------------------------
#
# At a fixed rate each answer is awaited on its own, so asyncio's event loop turns about three
# times per request (the timer, the send, the answer): RawConnection then costs ~0.15 ms of CPU a
# request instead of its ~0.06 back to back. This loop (one thread, epoll, every connection
# registered once) costs ~0.07 ms a request at 2,000 a second, measured against a trivial app.


def request_bytes(base: str, method: str, path: str, headers: dict, body: bytes = b"") -> bytes:
    """The request exactly as RawConnection writes it."""
    parts = urlsplit(base)
    fixed = {"Host": f"{parts.hostname}:{parts.port or 80}", "Accept": "*/*", "User-Agent": USER_AGENT, **headers}
    head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
    length = f"Content-Length: {len(body)}\r\n" if body or method != "GET" else ""
    return f"{method} {path} HTTP/1.1\r\n{head}{length}\r\n".encode() + body


class _Pending:
    __slots__ = ("due", "data", "answer", "resent")

    def __init__(self, due: float, data: bytes):
        self.due, self.data, self.answer, self.resent = due, data, b"", False


def _complete(answer: bytes) -> int | None:
    """The status of a whole answer (head and Content-Length body), None while incomplete."""
    end = answer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = answer[:end].decode("latin-1").lower()
    status = int(head.split(" ", 2)[1])
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip() == "content-length":
            length = int(value)
    if status in (204, 304):
        length = 0
    return status if len(answer) >= end + 4 + length else None


class OpenLoop:
    """`total` requests at `rate` a second over `connections` kept-alive connections, open loop:
    request i is due at start + i / rate and sent then (or as soon as a connection is free: that
    wait counts in its time); `build(i)` gives its bytes (`request_bytes`) when it is due. `run()`
    answers one (status or error name, milliseconds from its due time to its whole answer) per
    request."""

    def __init__(self, base: str, build, total: int, rate: float, *, connections: int = 64,
                 timeout: float = 30.0):
        import selectors

        parts = urlsplit(base)
        self._address = (parts.hostname, parts.port or 80)
        self._build, self._total, self._rate, self._timeout = build, total, rate, timeout
        self._selector = selectors.EpollSelector()
        # Each connection opens when its first request is due, as a phone's does.
        self._idle: list = [None] * connections
        self._busy: dict = {}
        self.results: list[tuple[str, float]] = []
        self._sent = 0
        self._began = 0.0

    def run(self) -> list[tuple[str, float]]:
        import time

        self._began = time.perf_counter()
        try:
            while len(self.results) < self._total:
                now = time.perf_counter()
                self._send_due(now)
                if self._busy and now - min(p.due for p in self._busy.values()) > self._timeout:
                    self._expire(now)
                    continue
                next_due = self._began + self._sent / self._rate
                wait = next_due - time.perf_counter() if self._sent < self._total and self._idle else 0.05
                for key, _events in self._selector.select(max(0.0, wait)):
                    self._readable(key.fileobj)
        finally:
            for sock in self._idle + list(self._busy):
                if sock is not None:
                    sock.close()
            self._selector.close()
        return self.results

    def _connect(self):
        import selectors
        import socket

        sock = socket.create_connection(self._address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self._selector.register(sock, selectors.EVENT_READ)
        return sock

    def _reopen(self, sock):
        self._selector.unregister(sock)
        sock.close()
        return self._connect()

    def _send(self, sock, pending: _Pending) -> None:
        if sock is None:
            sock = self._connect()
        try:
            sock.sendall(pending.data)
        except OSError:
            sock = self._reopen(sock)
            sock.sendall(pending.data)
        self._busy[sock] = pending

    def _send_due(self, now: float) -> None:
        while self._sent < self._total and self._idle and self._began + self._sent / self._rate <= now:
            self._send(self._idle.pop(), _Pending(self._began + self._sent / self._rate, self._build(self._sent)))
            self._sent += 1

    def _expire(self, now: float) -> None:
        for sock, pending in list(self._busy.items()):
            if now - pending.due > self._timeout:
                self.results.append(("timeout", (now - pending.due) * 1000))
                del self._busy[sock]
                self._idle.append(self._reopen(sock))

    def _readable(self, sock) -> None:
        import time

        pending = self._busy.get(sock)
        try:
            chunk = sock.recv(65536)
        except OSError:
            chunk = b""
        if pending is None:  # the server closed an idle connection
            self._idle.remove(sock)
            self._idle.append(self._reopen(sock))
            return
        if not chunk:  # closed under a request: sent once more on a new connection, as RawConnection does
            del self._busy[sock]
            sock = self._reopen(sock)
            if pending.resent or pending.answer:
                self.results.append(("closed", (time.perf_counter() - pending.due) * 1000))
                self._idle.append(sock)
            else:
                pending.resent = True
                self._send(sock, pending)
            return
        pending.answer += chunk
        status = _complete(pending.answer)
        if status is not None:
            self.results.append((str(status), (time.perf_counter() - pending.due) * 1000))
            del self._busy[sock]
            if b"\r\nconnection: close" in pending.answer.lower():
                sock = self._reopen(sock)
            self._idle.append(sock)

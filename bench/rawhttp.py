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
from yarl import URL


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
        fixed = {"Host": f"{self.host}:{self.port}", "Accept": "*/*", **(headers or {})}
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

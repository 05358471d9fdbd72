"""Group commit of crew positions: a web worker writes the positions its requests received
together, in one statement that is its own transaction, and answers each request with its own
outcome only once that commit is done. Nothing answered "stored" is ever lost (unlike a
write-behind buffer, which answers first and writes later: bench/README.md).

A request hands its checked post (`positions.checked_post`) to `write` and waits. One thread per
worker process takes every post waiting once the first of them has waited `gather_s` (a few
milliseconds), writes them with `positions.store_batch` and wakes their requests, each with its
own outcome or the batch's error. While it writes, the next posts gather. PostgreSQL only;
elsewhere (SQLite: one file, one writer at a time) `OneByOne` writes each post in its request's
own transaction.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as NotInTime

from db.clock import utcnow
from db.positions import Post, store_batch, store_posts

log = logging.getLogger("healthfirst.positions")

# The thread ends after this long without a post (the next post starts it again), and gives its
# database connection back to the pool when it has been idle this long (a connection taken from
# the pool is checked first: one that died meanwhile is replaced, not failed on).
IDLE_S = 60.0
KEEP_CONNECTION_S = 1.0
# A batch is written once its first post has waited this long (those arriving meanwhile join it):
# fewer, larger batches cost the worker and the database less per post (HEALTHFIRST_POSITION_GATHER_MS).
GATHER_S = 0.003
# A deadlock or serialization failure (another transaction locking the same units in another
# order) is tried again once; nothing of the failed attempt was stored.
RETRIED = {"40P01", "40001"}


class _Batch:
    __slots__ = ("posts", "outcomes", "error", "done", "since")

    def __init__(self):
        self.since = 0.0  # when its first post came
        self.posts: list[Post] = []
        self.outcomes: list[str] = []
        self.error: Exception | None = None
        self.done = threading.Event()


class GroupWriter:
    """Posts written together: one thread, one transaction per batch (PostgreSQL)."""

    def __init__(self, engine: Engine, *, gather_s: float = GATHER_S):
        self._engine = engine
        self.gather_s = gather_s
        self._lock = threading.Lock()
        self._posted = threading.Condition(self._lock)
        self._batch = _Batch()
        self._running = False

    def write(self, post: Post, *, timeout: float) -> str | Exception:
        """The post's outcome (`positions.STORED`, `OLDER` or `NOT_ALLOWED`) once its batch is
        committed; or the error that kept the batch from being committed (nothing of it was
        stored), also when no answer came within `timeout` seconds."""
        with self._lock:
            batch = self._batch
            batch.posts.append(post)
            index = len(batch.posts) - 1
            if index == 0:
                batch.since = time.monotonic()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="position-writer", daemon=True).start()
            elif index == 0:
                self._posted.notify()
        if not batch.done.wait(timeout):
            return NotInTime(f"position not written within {timeout:g} s")
        return batch.error if batch.error is not None else batch.outcomes[index]

    def _next_batch(self) -> _Batch | None:
        with self._lock:
            if not self._batch.posts and not self._posted.wait_for(lambda: self._batch.posts, timeout=IDLE_S):
                self._running = False
                return None
            gather = self._batch.since + self.gather_s - time.monotonic()
        if gather > 0:  # let the posts arriving meanwhile join this batch
            time.sleep(gather)
        with self._lock:
            batch, self._batch = self._batch, _Batch()
            return batch

    def _run(self) -> None:
        raw, used_at = None, 0.0
        batch = None
        try:
            while (batch := self._next_batch()) is not None:
                if raw is not None and time.monotonic() - used_at > KEEP_CONNECTION_S:
                    raw = give_back(raw)
                raw = self._write(batch, raw)
                used_at = time.monotonic()
        except BaseException as error:  # a bug here must not leave requests waiting for a thread that is gone
            log.exception("position writer stopped")
            with self._lock:
                self._running = False
            if batch is not None and not batch.done.is_set():
                batch.error = error if isinstance(error, Exception) else RuntimeError("position writer stopped")
                batch.done.set()
            raise
        finally:
            give_back(raw)

    def _write(self, batch: _Batch, raw):
        """Write one batch on the writer's connection (a driver connection of the pool, held while
        posts keep coming, in autocommit: the batch's one message is its own transaction, so the
        batch and its commit are one round trip); the connection to go on with, None after a
        failure."""
        driver_error = self._engine.dialect.loaded_dbapi.Error
        try:
            for attempt in (1, 2):
                try:
                    raw = raw if raw is not None else _take(self._engine)
                    batch.outcomes = store_batch(raw, batch.posts, now=utcnow(), driver_error=driver_error)
                    return raw
                except DBAPIError as error:
                    if attempt == 2 or getattr(error.orig, "pgcode", None) not in RETRIED:
                        raise
        except Exception as error:  # noqa: BLE001 - every waiting request gets it (a 503 or a 500)
            batch.error = error
            log.warning("%d position(s) not written: %s", len(batch.posts), str(error).splitlines()[0][:200])
            return throw_away(raw)
        finally:
            batch.done.set()
        return raw


def _take(engine: Engine):
    driver_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()  # checked by the pool first (pre-ping)
    except driver_error as error:  # as SQLAlchemy's, like any connection of the engine's
        raise DBAPIError.instance(None, None, error, driver_error, connection_invalidated=True) from error
    raw.dbapi_connection.autocommit = True
    return raw


def give_back(raw) -> None:
    """Return a driver connection taken in autocommit to the pool as it was taken; always None
    (also web/queue_answer.py's)."""
    if raw is not None:
        try:
            raw.dbapi_connection.autocommit = False
            raw.close()
        except Exception:  # noqa: BLE001 - a connection that cannot be given back is thrown away
            throw_away(raw)


def throw_away(raw) -> None:
    """Close a connection that failed (the pool replaces it); always None."""
    if raw is not None:
        try:
            raw.invalidate()
        except Exception:  # noqa: BLE001 - it is gone either way
            log.debug("throwing away a failed connection", exc_info=True)


class OneByOne:
    """Each post in its own transaction, in the request's thread (SQLite)."""

    def __init__(self, engine: Engine):
        self._engine = engine

    def write(self, post: Post, *, timeout: float) -> str | Exception:
        try:
            with self._engine.begin() as connection:
                return store_posts(connection, [post], now=utcnow())[0]
        except Exception as error:  # noqa: BLE001 - handed to the caller, as GroupWriter does
            return error


def writer_for(engine: Engine, *, gather_s: float = GATHER_S) -> GroupWriter | OneByOne:
    return GroupWriter(engine, gather_s=gather_s) if engine.dialect.name == "postgresql" else OneByOne(engine)

"""SQLite back end: one file in the state directory, WAL journal, safe for several processes."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mailwarden.store.base import StoreError

BUSY_TIMEOUT_S = 60.0
_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (primary codes; extended ones carry them in the low byte)


def _connect(path: str) -> sqlite3.Connection:
    """Open `path` in WAL mode, waiting out other processes doing the same.

    Switching the journal mode needs the database to itself. When two scanners open a fresh store at
    the same moment, SQLite may answer one of them "database is locked" at once instead of waiting
    (it will not let two lock upgrades wait on each other), so a busy answer is retried until
    BUSY_TIMEOUT_S; any other error is reported as it is."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        conn: sqlite3.Connection | None = None
        try:
            # Autocommit mode: reads see the latest commit; writes take the lock up front (BEGIN IMMEDIATE)
            # so two processes never deadlock upgrading a read lock.
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode == "wal":
                conn.execute("PRAGMA synchronous = NORMAL")
                return conn
            # a file system without shared memory for WAL: waiting will not change that
            conn.close()
            raise StoreError(f"{path}: cannot switch the history database to WAL mode (got {mode})")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _BUSY_CODES
            if not busy or time.monotonic() + delay > deadline:
                raise StoreError(f"cannot open history database {path}: {exc}") from None
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


class SQLiteDatabase:
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = _connect(path)
        self._depth = 0
        # One connection per engine; threads of one front end take turns (a transaction spans calls).
        self._lock = threading.RLock()

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    def execute(self, sql: str, params: tuple | list = ()) -> None:
        with self._lock:
            self.conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with self._lock:
                self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    def campaign_lock(self) -> None:
        """BEGIN IMMEDIATE already holds the database's single write lock."""

    def size_bytes(self) -> int:
        return sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

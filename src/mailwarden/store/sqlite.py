"""SQLite back end: one file in the state directory, WAL journal, safe for several processes."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mailwarden.store.base import StoreError

BUSY_TIMEOUT_S = 60.0


class SQLiteDatabase:
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            # Autocommit mode: reads see the latest commit; writes take the lock up front (BEGIN IMMEDIATE)
            # so two processes never deadlock upgrading a read lock.
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot switch the history database to WAL mode (got {mode})")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open history database {path}: {exc}") from None
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

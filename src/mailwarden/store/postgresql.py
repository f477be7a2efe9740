"""PostgreSQL back end for multi-node deployments (`[store] dsn = "postgresql://…"`), via psycopg 3."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mailwarden.store.base import StoreError

_LOCK_KEY = 0x6D77_6361  # advisory lock that serialises campaign creation and merges across nodes
_PLACEHOLDER = re.compile(r"\?")


def _sql(sql: str) -> str:
    # Our SQL never contains a literal '?' or '%': placeholders translate one to one.
    return _PLACEHOLDER.sub("%s", sql)


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError("a PostgreSQL store needs psycopg 3 (pip install 'psycopg[binary]')") from None
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the history database: {exc}".strip()) from None
        self._depth = 0
        # One connection per engine; threads of one front end take turns (a transaction spans calls).
        self._lock = threading.RLock()

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock, self.conn.cursor() as cur:
            cur.execute(_sql(sql), tuple(params))
            return cur.fetchall() if cur.description else []

    def execute(self, sql: str, params: tuple | list = ()) -> None:
        with self._lock:
            self.conn.execute(_sql(sql), tuple(params))

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with self._lock, self.conn.cursor() as cur:
                cur.executemany(_sql(sql), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self.conn.transaction():
            yield

    def campaign_lock(self) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))

    def size_bytes(self) -> int:
        rows = self.query("SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN "
                          "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND "
                          "c.relkind = 'r' AND c.relname IN ('messages', 'indicators', 'lsh_bands', 'campaigns', "
                          "'campaign_pivots', 'campaign_aliases', 'contacts', 'template_samples', 'rescores', 'meta')")
        return int(rows[0][0])

    def close(self) -> None:
        try:
            self.conn.close()
        except self._psycopg.Error:
            pass

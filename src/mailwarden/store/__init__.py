"""History store: what the engine remembers across messages (see docs/history.md).

`open_store(state_dir, config)` returns a `HistoryStore` or None when the engine is stateless:
SQLite (`<state_dir>/history.sqlite3`) by default, PostgreSQL when the config says
`[store] dsn = "postgresql://…"`. Retention and thresholds come from `[history]`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from mailwarden.store.base import HistoryStore, Link, MessageRecord, Settings, StoreError

if TYPE_CHECKING:
    from mailwarden.config import Config

__all__ = ["HistoryStore", "Link", "MessageRecord", "Settings", "StoreError", "open_store", "SQLITE_NAME"]

SQLITE_NAME = "history.sqlite3"


def open_store(state_dir: str | None, config: Config | None = None, *, dsn: str | None = None) -> HistoryStore | None:
    section = config.section("store") if config is not None else {}
    dsn = dsn or section.get("dsn")
    settings = Settings.from_mapping(config.section("history")) if config is not None else Settings()
    if dsn:
        if not str(dsn).startswith(("postgresql://", "postgres://")):
            raise StoreError("[store] dsn must be a postgresql:// URL (SQLite needs no dsn: it lives in the "
                             "state directory)")
        from mailwarden.store.postgresql import PostgresDatabase

        return HistoryStore(PostgresDatabase(str(dsn)), settings)
    if not state_dir:
        return None
    os.makedirs(state_dir, exist_ok=True)
    from mailwarden.store.sqlite import SQLiteDatabase

    return HistoryStore(SQLiteDatabase(os.path.join(state_dir, SQLITE_NAME)), settings)

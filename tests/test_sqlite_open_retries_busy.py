"""Opening the SQLite history store waits out another process that holds the database while it
switches to WAL (SQLite may answer "database is locked" at once there), and still fails fast and
clearly on errors that waiting cannot fix."""

from __future__ import annotations

import sqlite3

import pytest

from mailwarden.store import sqlite as sqlite_store
from mailwarden.store.base import StoreError


def _connect_failing(times: int, error: sqlite3.Error, calls: list[int]):  # noqa: ANN202 - test double
    real_connect = sqlite3.connect

    class Flaky(sqlite3.Connection):
        def execute(self, sql, *args):  # noqa: ANN001, ANN202 - sqlite3's own signature
            if "journal_mode" in sql and len(calls) <= times:
                raise error
            return super().execute(sql, *args)

    def connect(path, **kw):  # noqa: ANN001, ANN003, ANN202
        calls.append(1)
        return real_connect(path, factory=Flaky, **kw)

    return connect


def _busy() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database is locked")
    exc.sqlite_errorcode = 5  # SQLITE_BUSY
    return exc


def test_a_busy_answer_while_switching_to_wal_is_retried(tmp_path, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(sqlite_store.sqlite3, "connect", _connect_failing(3, _busy(), calls))
    db = sqlite_store.SQLiteDatabase(str(tmp_path / "h.sqlite3"))
    try:
        assert len(calls) == 4  # three busy answers, then the open that worked
        assert db.query("PRAGMA journal_mode")[0][0].lower() == "wal"
    finally:
        db.close()


def test_other_errors_fail_at_once_with_a_clear_message(tmp_path, monkeypatch) -> None:
    calls: list[int] = []
    exc = sqlite3.DatabaseError("file is not a database")
    exc.sqlite_errorcode = 26  # SQLITE_NOTADB
    monkeypatch.setattr(sqlite_store.sqlite3, "connect", _connect_failing(100, exc, calls))
    with pytest.raises(StoreError, match="cannot open history database .*file is not a database"):
        sqlite_store.SQLiteDatabase(str(tmp_path / "h.sqlite3"))
    assert len(calls) == 1


def test_busy_past_the_timeout_gives_up(tmp_path, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(sqlite_store.sqlite3, "connect", _connect_failing(10_000, _busy(), calls))
    with pytest.raises(StoreError, match="database is locked"):
        sqlite_store.SQLiteDatabase(str(tmp_path / "h.sqlite3"))
    assert 1 < len(calls) < 20

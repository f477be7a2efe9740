"""The scan pool never loses a message: timeouts, crashes and stuck or dead workers become failure verdicts,
and the pool recovers for the next message."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

import mailwarden.frontends.pool as pool_module
from mailwarden.engine_options import EngineOptions
from mailwarden.frontends.pool import ScanPool
from support.stub_engine import StubEngine

from conftest import make_message


@pytest.fixture
def process_pool(monkeypatch):
    # forked workers inherit the patched builder, so each one runs the stub engine
    monkeypatch.setattr(pool_module, "build_engine", lambda opts: StubEngine())
    pool = ScanPool(options=EngineOptions(), workers=1, timeout=0.5, failure_action="tag")
    yield pool
    pool.close()


def test_stuck_worker_is_replaced_and_next_message_is_scanned(process_pool):
    slow = process_pool.scan_sync(make_message({"Subject": "ACTION:sleep SLEEP:60"}))
    assert slow.action == "tag" and slow.findings[0].symbol == "ENGINE_ERROR"
    assert "exceeded" in slow.findings[0].evidence[0]
    ok = process_pool.scan_sync(make_message({"Subject": "ACTION:quarantine"}))
    assert ok.action == "quarantine"


def test_dead_worker_maps_to_failure_action_and_pool_recovers(process_pool):
    process_pool.scan_sync(make_message({"Subject": "warm"}))
    for proc in list(process_pool._executor._processes.values()):
        os.kill(proc.pid, signal.SIGKILL)
    verdict = asyncio.run(process_pool.scan(make_message({"Subject": "ACTION:reject"})))
    assert verdict.action == "tag" and verdict.findings[0].symbol == "ENGINE_ERROR"
    assert process_pool.scan_sync(make_message({"Subject": "ACTION:reject"})).action == "reject"


def test_thread_pool_crash_and_timeout():
    pool = ScanPool(StubEngine(), workers=0, timeout=0.3, failure_action="accept")
    try:
        assert pool.scan_sync(make_message({"Subject": "ACTION:crash"})).limits == ["engine_error"]
        v = asyncio.run(pool.scan(make_message({"Subject": "ACTION:sleep SLEEP:1"})))
        assert v.action == "accept" and v.limits == ["engine_error"]
    finally:
        pool.close()

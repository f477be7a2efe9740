"""Run `Engine.scan` off the event loop, with a deadline, for the long-running front ends.

The milter, the IMAP guard and the HTTP API all scan through a `ScanPool`, so a slow or
crashing scan never blocks the loop and never loses a message: a timeout, a crashed worker
or any other internal failure becomes a *failure verdict* whose action is the configured
`failure_action` (tempfail, accept or tag), with an ENGINE_ERROR finding saying why.

Two flavours:
- threads (`workers = 0`): the engine lives in this process. Cheap to start; scans share
  one core because of the GIL. Used by tests and small installations.
- processes (`workers = N`): N forked workers, each with its own Engine built from the same
  `EngineOptions`. Use this when throughput matters.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import multiprocessing as mp
import threading
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mailwarden.engine import Engine
from mailwarden.engine import failure_verdict as engine_failure_verdict
from mailwarden.engine_options import EngineOptions, build_engine
from mailwarden.envelope import Envelope
from mailwarden.verdict import Verdict

log = logging.getLogger(__name__)

def failure_verdict(action: str, reason: str) -> Verdict:
    """A verdict for a message the engine could not judge: never a silent drop."""
    return engine_failure_verdict(action, reason, "The message could not be analysed in time; it was handled per "
                                  "the failure policy.")


_WORKER_ENGINE: Engine | None = None


def _init_worker(opts: EngineOptions) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = build_engine(opts)
    _warm(_WORKER_ENGINE)


def _warm(engine: Any) -> None:
    """Engine.warm_up() when the engine has one (anything with a scan() may stand in for it)."""
    warm = getattr(engine, "warm_up", None)
    if warm is not None:
        warm()


def _worker_scan(raw: bytes, envelope: Envelope | None, file: str | None) -> Verdict:
    assert _WORKER_ENGINE is not None
    return _WORKER_ENGINE.scan(raw, envelope, file=file)


def _noop() -> int:
    return 0


class ScanPool:
    """Scans messages on threads or worker processes; `await pool.scan(...)` always returns a Verdict."""

    def __init__(self, engine: Any = None, *, options: EngineOptions | None = None, workers: int = 0,
                 timeout: float = 20.0, failure_action: str | None = None) -> None:
        if engine is None and options is None:
            raise ValueError("ScanPool needs an engine or engine options")
        self.timeout = timeout
        self.workers = workers
        self._options = options
        self.engine = engine if engine is not None else (build_engine(options) if workers == 0 else None)
        if engine is None and self.engine is not None:
            _warm(self.engine)
        cfg = getattr(self.engine, "config", None)
        if failure_action is None:
            failure_action = cfg.failure_action if cfg is not None else "tempfail"
        self.failure_action = failure_action
        self._lock = threading.Lock()
        self._stuck: set[cf.Future] = set()  # scans that timed out but are still running in a worker
        self._executor: cf.Executor = self._make_executor()

    def _make_executor(self) -> cf.Executor:
        if self.workers <= 0:
            return cf.ThreadPoolExecutor(max_workers=4, thread_name_prefix="mailwarden-scan")
        # Fork before the event loop runs threads; every worker builds its own engine once.
        ex = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("fork"),
                                    initializer=_init_worker, initargs=(self._options,))
        for f in [ex.submit(_noop) for _ in range(self.workers)]:
            f.result()
        return ex

    def scan_sync(self, raw: bytes, envelope: Envelope | None = None, file: str | None = None) -> Verdict:
        """Blocking variant for threaded callers (the IMAP guard)."""
        fut = None
        try:
            fut = self._submit(raw, envelope, file)
            return fut.result(timeout=self.timeout)
        except cf.TimeoutError:
            self._timed_out(fut)
            return failure_verdict(self.failure_action, f"scan exceeded {self.timeout:g}s")
        except Exception as exc:  # noqa: BLE001 - map every internal failure to the failure action
            log.exception("scan failed")
            self._recover(exc)
            return failure_verdict(self.failure_action, f"{type(exc).__name__}: {exc}")

    async def scan(self, raw: bytes, envelope: Envelope | None = None, file: str | None = None) -> Verdict:
        try:
            fut = self._submit(raw, envelope, file)
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except (TimeoutError, cf.TimeoutError):
            log.warning("scan of %s exceeded %gs; applying failure action %s", file or "message", self.timeout,
                        self.failure_action)
            return failure_verdict(self.failure_action, f"scan exceeded {self.timeout:g}s")
        except Exception as exc:  # noqa: BLE001
            log.exception("scan failed")
            self._recover(exc)
            return failure_verdict(self.failure_action, f"{type(exc).__name__}: {exc}")

    async def run(self, fn: Any, *args: Any) -> Any:
        """Run a picklable module-level function on the pool (worker processes when configured), so
        CPU-heavy work such as rewriting a body never blocks the event loop. Errors and timeouts
        propagate: the caller decides the safe fallback."""
        with self._lock:
            fut = self._executor.submit(fn, *args)
        return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)

    def _submit(self, raw: bytes, envelope: Envelope | None, file: str | None) -> cf.Future:
        with self._lock:
            if self.workers <= 0:
                return self._executor.submit(self.engine.scan, raw, envelope, file)
            return self._executor.submit(_worker_scan, raw, envelope, file)

    def _timed_out(self, fut: cf.Future | None) -> None:
        """A scan ran past the deadline. When every worker process is busy with such a scan, nothing else
        could ever be scanned again: replace the pool and kill the stuck workers."""
        if fut is None or fut.done() or self.workers <= 0:
            return
        with self._lock:
            self._stuck = {f for f in self._stuck if not f.done()} | {fut}
            if len(self._stuck) < self.workers:
                return
            log.error("%d scan workers are stuck past the deadline; replacing the worker pool", len(self._stuck))
            old, self._executor = self._executor, self._make_executor()
            self._stuck = set()
        _kill_workers(old)

    def _recover(self, exc: BaseException) -> None:
        # A worker that died (OOM kill, segfault in a native library) breaks the whole pool: rebuild it.
        if isinstance(exc, BrokenProcessPool):
            with self._lock:
                log.error("a scan worker died; restarting the worker pool")
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._make_executor()

    def close(self, wait: bool = True) -> None:
        """Stop the workers. wait=True lets running scans finish (a graceful stop); stuck ones are killed."""
        with self._lock:
            stuck = {f for f in self._stuck if not f.done()}
        if stuck:
            _kill_workers(self._executor)
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _kill_workers(executor: cf.Executor) -> None:
    processes = getattr(executor, "_processes", None) or {}
    for proc in list(processes.values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass
    executor.shutdown(wait=True, cancel_futures=True)  # the manager thread sees the dead workers and exits

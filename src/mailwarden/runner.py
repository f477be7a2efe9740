"""Scan many inputs, in this process or in worker processes, yielding results in input order."""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mailwarden.engine_options import EngineOptions, build_engine
from mailwarden.inputs import InputItem
from mailwarden.verdict import Verdict


@dataclass
class Result:
    label: str
    verdict: Verdict | None
    error: str | None
    seconds: float
    pid: int = 0
    cpu_s: float = 0.0  # the worker's cumulative CPU time after this message
    rss_mb: float = 0.0  # the worker's peak RSS so far


_WORKER_ENGINE = None
_WORKER_ENVELOPE = None
_WORKER_KEEPS_VERDICTS = True


def _init_worker(opts: EngineOptions, warm: bool = False, keep_verdicts: bool = True) -> None:
    global _WORKER_ENGINE, _WORKER_ENVELOPE, _WORKER_KEEPS_VERDICTS
    _WORKER_ENGINE = build_engine(opts)
    if warm:
        _WORKER_ENGINE.warm_up()
    _WORKER_ENVELOPE = opts.envelope()
    _WORKER_KEEPS_VERDICTS = keep_verdicts


def _scan_one(item: tuple[str, bytes]) -> Result:
    label, data = item
    t = time.perf_counter()
    verdict = _WORKER_ENGINE.scan(data, _WORKER_ENVELOPE, file=label)
    elapsed = time.perf_counter() - t
    cpu, rss = _usage()
    return Result(label, verdict if _WORKER_KEEPS_VERDICTS else None, None, elapsed, os.getpid(), cpu, rss)


def _usage() -> tuple[float, float]:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


class Runner:
    """Owns the engine (or the worker pool) for one command invocation."""

    def __init__(self, opts: EngineOptions, jobs: int = 1, warm: bool = False, keep_verdicts: bool = True) -> None:
        """warm: load the libraries the first messages would load (Engine.warm_up) before timing starts.
        keep_verdicts=False: results carry timings only (a benchmark): worker processes then send no
        verdicts back, which the parent would otherwise unpickle on the cores the workers scan on."""
        self.opts, self.jobs = opts, max(1, jobs)
        self._pool = None
        if self.jobs == 1:
            _init_worker(opts, warm, keep_verdicts)
        else:
            ctx = mp.get_context("fork") if hasattr(mp, "get_context") else mp
            self._pool = ctx.Pool(self.jobs, initializer=_init_worker, initargs=(opts, warm, keep_verdicts))

    def run(self, items: Iterable[InputItem]) -> Iterator[Result]:
        def feed() -> Iterator[tuple[str, bytes]]:
            for it in items:
                if it.data is None:
                    self._errors.append(Result(it.label, None, it.error, 0.0))
                    continue
                yield (it.label, it.data)

        self._errors: list[Result] = []
        if self._pool is None:
            for pair in feed():
                yield from self._drain_errors()
                yield _scan_one(pair)
        else:
            for res in self._pool.imap(_scan_one, feed(), chunksize=4):
                yield from self._drain_errors()
                yield res
        yield from self._drain_errors()

    def _drain_errors(self) -> Iterator[Result]:
        while self._errors:
            yield self._errors.pop(0)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()

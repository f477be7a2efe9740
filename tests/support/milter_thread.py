"""A milter server running on its own event-loop thread, for tests that drive it through a real Postfix."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mailwarden.frontends.milter import MilterServer, MilterSettings
from mailwarden.frontends.pool import ScanPool


@contextmanager
def milter_in_thread(engine, settings: MilterSettings) -> Iterator[MilterServer]:  # noqa: ANN001 - any scan()
    """Start the milter (thread-pool scans, the settings' timeout); shut it down gracefully on exit."""
    loop = asyncio.new_event_loop()
    pool = ScanPool(engine, workers=0, timeout=settings.timeout, failure_action="tempfail")
    server = MilterServer(pool, settings)
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.shutdown(grace=1), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        pool.close(wait=False)

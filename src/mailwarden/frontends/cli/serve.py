"""`mailwarden serve milter|api|imap --config FILE`: the long-running front ends.

All three read one config file (sections [milter], [api], [imap]), scan through the same
Engine, and shut down gracefully on SIGTERM/SIGINT: messages being scanned are finished and
answered before the process exits. A bad config is one clear line on stderr and exit 2.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from enum import StrEnum
from typing import Annotated

import typer

from mailwarden.config import Config, ConfigError, load_config
from mailwarden.engine_options import EngineOptions, build_engine
from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.common import err_console, fail, user_errors

log = logging.getLogger("mailwarden.serve")


class Frontend(StrEnum):
    milter = "milter"
    api = "api"
    imap = "imap"


@app.command()
def serve(
    frontend: Annotated[Frontend, typer.Argument(help="milter (Postfix/Sendmail), api (HTTP) or imap (mailbox guard).")],
    config: Annotated[str, typer.Option("--config", help="Deployment config TOML ([milter], [api], [imap]).")],
    policy: Annotated[str | None, typer.Option("--policy", help="Policy TOML overriding weights and thresholds.")]
    = None,
    check: Annotated[bool, typer.Option("--check", help="Validate the config, print a summary and exit.")] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")] = "info",
) -> None:
    """Run a front end until SIGTERM; in-flight messages are finished first."""
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        fail(f"--log-level must be debug, info, warning or error, not {log_level!r}")
    logging.getLogger().setLevel(level)
    with user_errors():
        cfg = load_config(config)
        opts = EngineOptions(policy=policy, config=config)
        runner = {Frontend.milter: _milter, Frontend.api: _api, Frontend.imap: _imap}[frontend]
        runner(cfg, opts, check)


def _failure_action(cfg: Config, section: dict) -> str:
    return str(section.get("failure_action", cfg.failure_action))


def _milter(cfg: Config, opts: EngineOptions, check: bool) -> None:
    from mailwarden.frontends.milter import MilterServer, MilterSettings
    from mailwarden.frontends.pool import ScanPool

    section = cfg.section("milter")
    settings = MilterSettings.from_section(section, failure_action=cfg.failure_action,
                                           authserv_id=cfg.authserv_id, source=cfg.source or "config")
    engine = build_engine(opts)  # validates policy and analyzers before anything listens
    if check:
        err_console.print(f"milter config OK: listen {settings.listen}, {settings.workers} worker(s), "
                          f"quarantine {settings.quarantine}, failure action {settings.failure_action}")
        return
    pool = ScanPool(engine if settings.workers == 0 else None, options=opts, workers=settings.workers,
                    timeout=settings.timeout, failure_action=settings.failure_action)
    # A verdict crosses threads on its way back (the pool's manager thread -> the event loop); with the default
    # 5 ms GIL switch interval each hand-off may wait that long. (ProcessPoolExecutor stays: a hand-written
    # socketpair pool without its queued-ahead calls measured slower on a busy 2-core machine.)
    sys.setswitchinterval(0.0005)

    async def main() -> None:
        server = MilterServer(pool, settings)
        try:
            await server.start()
        except OSError as exc:
            raise ConfigError(f"[milter] cannot listen on {settings.listen}: {exc.strerror or exc}") from None
        await _until_signal()
        log.info("shutting down: finishing %d in-flight message(s)", server.in_flight)
        await server.shutdown()

    try:
        asyncio.run(main())
    finally:
        pool.close(wait=True)


def _api(cfg: Config, opts: EngineOptions, check: bool) -> None:
    import uvicorn

    from mailwarden.frontends.http import ApiSettings, create_app
    from mailwarden.frontends.pool import ScanPool

    settings = ApiSettings.from_section(cfg.section("api"), failure_action=cfg.failure_action,
                                        source=cfg.source or "config")
    engine = build_engine(opts)
    if check:
        err_console.print(f"api config OK: listen {settings.listen}, {settings.workers} worker(s), "
                          f"token {'set' if settings.token else 'NOT set (anonymous)'}")
        return
    if not settings.token:
        log.warning("the API runs without authentication (allow_anonymous = true)")
    pool = ScanPool(engine if settings.workers == 0 else None, options=opts, workers=settings.workers,
                    timeout=settings.timeout, failure_action=settings.failure_action)
    from mailwarden.frontends.http import _symbol_rows

    application = create_app(pool, settings, symbols=_symbol_rows(engine))
    # uvicorn handles SIGTERM itself: it stops accepting, lets in-flight requests finish, then exits.
    server = uvicorn.Server(uvicorn.Config(application, host=settings.host, port=settings.port,
                                           log_level=logging.getLevelName(logging.getLogger().level).lower(),
                                           timeout_graceful_shutdown=int(settings.timeout) + 5,
                                           limit_concurrency=256, access_log=False))
    # uvicorn re-raises the signal it caught once it has shut down; with these handlers in place that
    # re-raise is a no-op, so a graceful stop exits 0 instead of dying by SIGTERM.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    try:
        server.run()
    finally:
        pool.close(wait=True)
    if not server.started:
        raise typer.Exit(2)


def _imap(cfg: Config, opts: EngineOptions, check: bool) -> None:
    from mailwarden.frontends.imap import ImapGuard, ImapSettings
    from mailwarden.frontends.pool import ScanPool

    settings = ImapSettings.from_section(cfg.section("imap"), state_dir=cfg.state_dir,
                                         failure_action=cfg.failure_action, source=cfg.source or "config")
    engine = build_engine(opts)
    if check:
        err_console.print(f"imap config OK: {len(settings.accounts)} account(s), state in {settings.state_dir}")
        return
    pool = ScanPool(engine if settings.workers == 0 else None, options=opts, workers=settings.workers,
                    timeout=settings.timeout, failure_action=settings.failure_action)
    guard = ImapGuard(pool, settings)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: guard.stop())
    try:
        guard.run()
    finally:
        pool.close(wait=True)


async def _until_signal() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


__all__ = ["serve", "ConfigError"]

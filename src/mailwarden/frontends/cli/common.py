"""Options every scanning command shares (scan, eval, bench) and the error handling around them."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from mailwarden.config import ConfigError
from mailwarden.engine_options import EngineOptions, OptionsError
from mailwarden.policy import PolicyError

err_console = Console(stderr=True)

PolicyOpt = Annotated[str | None, typer.Option("--policy", help="Policy TOML overriding weights, composites, thresholds.")]
ConfigOpt = Annotated[str | None, typer.Option("--config", help="Deployment config TOML.")]
StateOpt = Annotated[str | None, typer.Option("--state", help="State directory (history, learned model).")]
TrustOpt = Annotated[str | None, typer.Option("--trust-upstream",
                                              help="Comma list of providers whose results to believe "
                                                   "(microsoft,google,proton).")]
ZoneOpt = Annotated[str | None, typer.Option("--dns-zone", help="Answer DNS from this zone file (JSON or RFC 1035).")]
IpOpt = Annotated[str | None, typer.Option("--ip", help="SMTP client IP.")]
HeloOpt = Annotated[str | None, typer.Option("--helo", help="SMTP HELO/EHLO name.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="SMTP MAIL FROM.")]
RcptOpt = Annotated[list[str] | None, typer.Option("--rcpt", help="SMTP RCPT TO (repeatable).")]


def engine_options(policy: str | None, config: str | None, state: str | None, trust_upstream: str | None,
                   dns_zone: str | None, ip: str | None, helo: str | None, mail_from: str | None,
                   rcpt: list[str] | None, **extra: Any) -> EngineOptions:
    trust = None if trust_upstream is None else [p.strip().lower() for p in trust_upstream.split(",") if p.strip()]
    return EngineOptions(policy=policy, config=config, state=state, trust_upstream=trust, dns_zone=dns_zone,
                         ip=ip, helo=helo, mail_from=mail_from, rcpt=list(rcpt or []), **extra)


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


@contextmanager
def user_errors():
    """Turn known user-facing errors into one clear line and exit 2, never a traceback."""
    try:
        yield
    except (PolicyError, ConfigError, OptionsError, ValueError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err_console.print("interrupted")
        raise typer.Exit(130) from None


def is_terminal() -> bool:
    return sys.stdout.isatty()

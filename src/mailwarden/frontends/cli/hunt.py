"""`mailwarden hunt`: find past messages by landing URL or domain, phone, campaign or sender."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.campaigns import open_history
from mailwarden.frontends.cli.common import ConfigOpt, fail, is_terminal


class HuntFormat(str, Enum):  # noqa: UP042 - typer needs a str Enum
    table = "table"
    json = "json"


@app.command()
def hunt(
    state: Annotated[str | None, typer.Option("--state", help="State directory holding the history.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="A URL (matched by landing page) or a domain.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="A phone number (any common format).")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="A campaign id.")] = None,
    sender: Annotated[str | None, typer.Option("--sender", help="An address (From, Reply-To or return path) "
                                                "or a sender domain.")] = None,
    config: ConfigOpt = None,
    format: Annotated[HuntFormat | None, typer.Option("--format", help="table (default on a terminal) or json.")]
    = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most recent matches to show.")] = 1000,
) -> None:
    """Retro-hunt: which past messages carried this indicator? Exit 0 found, 1 nothing found."""
    given = [(k, v) for k, v in (("url", url), ("phone", phone), ("campaign", campaign), ("sender", sender)) if v]
    if len(given) != 1:
        fail("give exactly one of --url, --phone, --campaign or --sender")
    kind, value = given[0]
    from mailwarden.campaigns import landing_key, normalize_phone
    from mailwarden.psl import registrable_domain

    if kind == "url":
        if "/" in value or ":" in value:
            url = value if "://" in value else "https://" + value
            try:  # the same normalisation the links analyzer applied before recording
                from mailwarden.urls import normalize_url, unwrap_redirect

                url = normalize_url(unwrap_redirect(url)) or url
            except ImportError:
                pass
            key = landing_key(url)
            if not key:
                fail(f"{value!r} is not a URL")
            kind, value = "url", key
        else:
            kind, value = "domain", registrable_domain(value.strip().lower().rstrip("."))
    elif kind == "phone":
        value = normalize_phone(value)
    store, _cfg = open_history(state, config)
    try:
        rows = store.hunt(kind, value, limit=limit)
    finally:
        store.close()
    fmt = format or (HuntFormat.table if is_terminal() else HuntFormat.json)
    if fmt is HuntFormat.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        console = Console()
        table = Table(show_lines=False)
        for col in ("seen", "from", "subject", "action", "now", "score", "campaign", "message"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["seen"], r["from"] or "", r["subject"] or "", r["action"], r["current_action"],
                          f"{r['score']:.1f}", r["campaign"] or "", r["file"] or r["message_id"] or "")
        console.print(table)
        console.print(f"{len(rows)} message{'s' if len(rows) != 1 else ''} ({kind} {value}).", highlight=False)
    raise typer.Exit(0 if rows else 1)

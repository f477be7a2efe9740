"""`mailwarden campaigns`: list campaigns; `campaigns mark ID --malicious|--benign` judges one."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.common import ConfigOpt, fail, is_terminal, user_errors

campaigns_app = typer.Typer(help="List campaigns found in the history, or judge one.", no_args_is_help=False,
                            invoke_without_command=True)
app.add_typer(campaigns_app, name="campaigns")

StateReq = Annotated[str | None, typer.Option("--state", help="State directory holding the history.")]


class ListFormat(str, Enum):  # noqa: UP042 - typer needs a str Enum
    table = "table"
    json = "json"


def open_history(state: str | None, config: str | None):
    """The store named by --state / --config, or a usage error (exit 2)."""
    from mailwarden.config import load_config
    from mailwarden.store import open_store

    with user_errors():
        cfg = load_config(config)
        state_dir = state or cfg.state_dir
        if not state_dir and not cfg.section("store").get("dsn"):
            fail("--state DIR (or a config with state_dir or [store] dsn) is required")
        store = open_store(state_dir, cfg)
    return store, cfg


@campaigns_app.callback()
def campaigns(
    ctx: typer.Context,
    state: StateReq = None,
    config: ConfigOpt = None,
    format: Annotated[ListFormat | None, typer.Option("--format", help="table (default on a terminal) or json.")]
    = None,
    min_size: Annotated[int, typer.Option("--min-size", min=1, help="Smallest campaign to list.")] = 2,
) -> None:
    """List campaigns, most recently active first."""
    if ctx.invoked_subcommand is not None:
        return
    store, _cfg = open_history(state, config)
    try:
        rows = store.campaigns(min_size=min_size)
    finally:
        store.close()
    fmt = format or (ListFormat.table if is_terminal() else ListFormat.json)
    if fmt is ListFormat.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console()
    table = Table(show_lines=True)
    for col in ("id", "size", "verdict", "first seen", "last seen", "pivots", "subjects"):
        table.add_column(col, overflow="fold")
    for c in rows:
        pivots = "\n".join(f"{p['kind']}: {p['value']}" for p in c["pivots"][:5])
        subjects = "\n".join(c["subjects"][:4]) + (f"\n… {len(c['subjects']) - 4} more" if len(c["subjects"]) > 4
                                                   else "")
        table.add_row(c["id"], str(c["size"]), c["verdict"], c["first_seen"], c["last_seen"], pivots, subjects)
    console.print(table)
    console.print(f"{len(rows)} campaign{'s' if len(rows) != 1 else ''}.")


@campaigns_app.command("mark")
def mark(
    campaign_id: Annotated[str, typer.Argument(help="Campaign id (as listed).")],
    malicious: Annotated[bool, typer.Option("--malicious", help="Judge the campaign malicious.")] = False,
    benign: Annotated[bool, typer.Option("--benign", help="Judge the campaign benign.")] = False,
    state: StateReq = None,
    config: ConfigOpt = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Policy used to re-score members.")] = None,
) -> None:
    """Judge a campaign. Marking it malicious re-scores its members (earlier verdicts are kept)."""
    if malicious == benign:
        fail("give exactly one of --malicious or --benign")
    from mailwarden.policy import load_policy
    from mailwarden.symbols import builtin_catalogue

    with user_errors():
        pol = load_policy(policy)
    weight = pol.weight("CAMPAIGN_MARKED_MALICIOUS", builtin_catalogue())
    store, _cfg = open_history(state, config)
    verdict = "malicious" if malicious else "benign"
    try:
        cid, n = store.mark_campaign(campaign_id, verdict, weight, pol.action_for,
                                     f"campaign {campaign_id} marked {verdict} by an analyst")
    except KeyError:
        fail(f"no campaign {campaign_id} in this history")
    finally:
        store.close()
    Console(stderr=True).print(f"campaign {cid} marked {verdict}; {n} member{'s' if n != 1 else ''} re-scored.",
                               highlight=False)

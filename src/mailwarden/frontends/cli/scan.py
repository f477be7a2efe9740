"""`mailwarden scan`: verdicts for files, directories, mbox files, Maildirs or stdin."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.common import (
    ConfigOpt,
    FromOpt,
    HeloOpt,
    IpOpt,
    PolicyOpt,
    RcptOpt,
    StateOpt,
    TrustOpt,
    ZoneOpt,
    engine_options,
    err_console,
    is_terminal,
    user_errors,
)
from mailwarden.inputs import iter_inputs
from mailwarden.runner import Result, Runner

ACTION_STYLE = {"accept": "green", "tag": "yellow", "quarantine": "bold red", "reject": "bold red",
                "tempfail": "magenta"}


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def verdict_row(res: Result) -> dict:
    if res.verdict is None:
        return {"file": res.label, "error": res.error}
    return res.verdict.to_dict()


@app.command()
def scan(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, mbox files, Maildirs, or - for stdin.")],
    format: Annotated[OutputFormat | None, typer.Option("--format", help="table (default on a terminal), "
                                                        "json or jsonl.")] = None,
    policy: PolicyOpt = None, config: ConfigOpt = None, state: StateOpt = None, trust_upstream: TrustOpt = None,
    dns_zone: ZoneOpt = None, ip: IpOpt = None, helo: HeloOpt = None, mail_from: FromOpt = None,
    rcpt: RcptOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
) -> None:
    """Scan messages and print one verdict per message.

    Exit 0: nothing flagged; 1: something flagged; 2: usage or configuration error; 3: some inputs unreadable.
    """
    fmt = format or (OutputFormat.table if is_terminal() else OutputFormat.jsonl)
    with user_errors():
        opts = engine_options(policy, config, state, trust_upstream, dns_zone, ip, helo, mail_from, rcpt)
        opts.envelope()  # validate before any work
        runner = Runner(opts, jobs)
    items = list(iter_inputs(paths))
    flagged = unreadable = 0
    rows: list[dict] = []
    results: list[Result] = []
    show_progress = len(items) > 1 and err_console.is_terminal
    bar = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), console=err_console,
                   transient=True) if show_progress else nullcontext()
    try:
        with bar:
            task = bar.add_task("scan", total=len(items)) if show_progress else None
            for res in runner.run(items):
                if show_progress:
                    bar.advance(task)
                if res.verdict is None:
                    unreadable += 1
                    err_console.print(f"[red]error:[/] {res.error}", highlight=False)
                    continue
                flagged += res.verdict.flagged
                if fmt is OutputFormat.jsonl:
                    sys.stdout.write(json.dumps(verdict_row(res), ensure_ascii=False) + "\n")
                    sys.stdout.flush()
                elif fmt is OutputFormat.json:
                    rows.append(verdict_row(res))
                else:
                    results.append(res)
    finally:
        runner.close()
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif fmt is OutputFormat.table:
        print_table(results)
    if unreadable:
        raise typer.Exit(3)
    raise typer.Exit(1 if flagged else 0)


def print_table(results: list[Result]) -> None:
    console = Console()
    table = Table(show_lines=True, expand=False)
    table.add_column("message", overflow="fold", max_width=40)
    table.add_column("verdict")
    table.add_column("score", justify="right")
    table.add_column("why", overflow="fold")
    for res in results:
        v = res.verdict
        reasons = v.reasons(3)
        why = v.summary if not reasons else "\n".join(f"• {f.detail} [dim]({f.symbol})[/]" for f in reasons)
        label = res.label if not v.subject else f"{res.label}\n[dim]{v.subject[:80]}[/]"
        table.add_row(label, f"[{ACTION_STYLE[v.action]}]{v.action}[/]", f"{v.score:.1f}", why)
    console.print(table)
    n = len(results)
    flagged = sum(r.verdict.flagged for r in results)
    console.print(f"{n} message{'s' if n != 1 else ''} scanned, {flagged} flagged.")

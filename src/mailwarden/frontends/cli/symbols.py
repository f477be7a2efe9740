"""`mailwarden symbols`: the symbol catalogue with default (or policy) weights."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.common import PolicyOpt, user_errors
from mailwarden.frontends.cli.scan import OutputFormat


@app.command()
def symbols(
    format: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
    policy: PolicyOpt = None,
) -> None:
    """List every symbol the engine can raise, with its weight and description."""
    from mailwarden.engine import Engine
    from mailwarden.policy import load_policy

    with user_errors():
        engine = Engine(load_policy(policy))
    rows = [{"symbol": s.name, "weight": engine.policy.weight(s.name, engine.catalogue), "group": s.group,
             "description": s.description} for s in sorted(engine.catalogue.values(), key=lambda s: (s.group, s.name))]
    rows += [{"symbol": c.name, "weight": c.weight, "group": "composite", "description": c.description,
              "expression": c.expression} for c in engine.policy.composites]
    if format is not OutputFormat.table:
        print(json.dumps(rows, indent=2))
        return
    table = Table()
    for col in ("symbol", "weight", "group", "description"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["symbol"], f"{r['weight']:g}", r["group"], r["description"])
    Console().print(table)

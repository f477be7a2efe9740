"""`mailwarden learn`: train or update the learned text model in a state directory.

Exit 0 on success, 2 on usage errors (no --state, nothing to learn, unusable stored model),
3 when some inputs could not be read (the others were still learned).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console

from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.common import err_console, fail
from mailwarden.inputs import iter_inputs


@app.command()
def learn(
    state: Annotated[str | None, typer.Option("--state", help="State directory; the model goes to DIR/model/.")] = None,
    phish: Annotated[list[str] | None, typer.Option("--phish", help="Phishing or fraud: files, directories, "
                                                    "mbox files or Maildirs (repeatable).")] = None,
    ham: Annotated[list[str] | None, typer.Option("--ham", help="Legitimate mail (repeatable).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Refit from every stored example instead of "
                                          "updating the current weights.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Train or update the learned text model (incremental, like sa-learn).

    Learning a message again with the other label corrects it. The state directory is trusted:
    keep it writable only by the account that runs mailwarden.
    """
    from mailwarden.model import ModelError
    from mailwarden.model.train import learn as do_learn

    if not state:
        fail("learn needs --state DIR (the model is stored in DIR/model/)")
    if not phish and not ham and not rebuild:
        fail("nothing to learn: give --phish PATH and/or --ham PATH (or --rebuild)")
    errors: list[str] = []

    def items() -> Iterator[tuple[bytes, int]]:
        for label, paths in ((1, phish or []), (0, ham or [])):
            for item in iter_inputs(paths):
                if item.data is None:
                    errors.append(item.error or f"cannot read {item.label}")
                    err_console.print(f"[red]error:[/] {item.error}", highlight=False)
                    continue
                yield item.data, label

    try:
        report = do_learn(state, items(), rebuild=rebuild)
    except ModelError as exc:
        fail(f"{exc}")
    except OSError as exc:
        fail(f"cannot write the model to {state}: {exc}")
    if as_json:
        print(json.dumps(dict(report.to_dict(), errors=errors), indent=2))
    else:
        console = Console()
        console.print(f"learned {report.learned_phish} phish and {report.learned_ham} ham "
                      f"({report.relabelled} relabelled, {report.unchanged} already known); "
                      f"the model now holds {report.total_phish} phish and {report.total_ham} ham.")
        if report.mode == "waiting":
            console.print("The model is not active yet: it needs at least 20 messages of each kind.")
        elif report.mode in ("full", "incremental"):
            cal = report.calibration
            console.print(f"{report.mode} update in {report.seconds:.1f}s; calibration on {cal.get('n')} "
                          f"stored messages: out-of-fold AUC {cal.get('oof_auc')}, Brier {cal.get('brier')}.")
    if errors:
        raise typer.Exit(3)

"""The `mailwarden` command line (typer + rich). Each command lives in its own module."""

from __future__ import annotations

import logging
import sys

import typer

app = typer.Typer(name="mailwarden", no_args_is_help=True, add_completion=False,
                  help="Email security engine: authentication says who sent it, never whether it is safe.",
                  pretty_exceptions_enable=False)


def _register() -> None:
    # Importing a command module adds its command(s) to `app`.
    from mailwarden.frontends.cli import bench, eval_cmd, scan, symbols  # noqa: F401

    for optional in ("learn", "campaigns", "hunt", "serve"):
        try:
            __import__(f"mailwarden.frontends.cli.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mailwarden.frontends.cli.{optional}":
                raise


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    _register()
    app()

"""The analyzer interface. Built-in analyzers and third-party plugins look the same.

A plugin is any class with a `name`, an `analyze(msg, ctx)` generator of
Findings, optionally `requires` (names of analyzers whose facts it reads),
`symbols()` (extra catalogue entries), `setup(engine)` (load data once) and `warm_up()`
(load what the first message would otherwise load; long-running front ends call it).
Third-party packages register it under the `mailwarden.analyzers` entry point.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from mailwarden.context import ScanContext
    from mailwarden.engine import Engine
    from mailwarden.findings import Finding
    from mailwarden.message import Message
    from mailwarden.symbols import Symbol
    from mailwarden.verdict import Verdict


class Analyzer:
    name: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()

    def setup(self, engine: Engine) -> None:
        """Load data once per engine (profiles, lists, models)."""

    def warm_up(self) -> None:
        """Load now what the first message would otherwise load (libraries imported on first use).

        `Engine.warm_up()` calls it for the long-running front ends and the benchmark, so the
        first PDF after a start does not wait for pypdf to import; a one-off `scan` skips it."""

    def symbols(self) -> dict[str, Symbol]:
        """Symbols this analyzer adds beyond the bundled catalogue (for plugins)."""
        return {}

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finalize(self, msg: Message, ctx: ScanContext, verdict: Verdict) -> None:
        """Called once the verdict is decided (history recording, campaign updates). May adjust
        `verdict.campaign` and similar facts, never the score."""

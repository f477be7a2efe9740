"""Analyzer discovery: every module in this package that defines `ANALYZER`, plus entry points."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from importlib.metadata import entry_points

from mailwarden.analyzers.base import Analyzer

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "mailwarden.analyzers"


def builtin_analyzer_classes() -> list[type[Analyzer]]:
    classes = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cls = getattr(module, "ANALYZER", None)
        if cls is not None:
            classes.append(cls)
    return classes


def plugin_analyzer_classes() -> list[type[Analyzer]]:
    classes = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            classes.append(ep.load())
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the engine
            log.error("analyzer plugin %s could not be loaded: %s", ep.name, exc)
    return classes


def order_analyzers(analyzers: list[Analyzer]) -> list[Analyzer]:
    """Topological order by `requires`; unknown requirements are ignored, cycles broken by name."""
    by_name = {a.name: a for a in analyzers}
    done: list[Analyzer] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(a: Analyzer) -> None:
        if a.name in seen or a.name in visiting:
            return
        visiting.add(a.name)
        for dep in a.requires:
            if dep in by_name:
                visit(by_name[dep])
        visiting.discard(a.name)
        seen.add(a.name)
        done.append(a)

    for a in sorted(analyzers, key=lambda a: a.name):
        visit(a)
    return done

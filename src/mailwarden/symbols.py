"""The symbol catalogue: stable names, default weights, one-line descriptions, kept in data.

Each analyzer ships `data/symbols/<group>.toml`; the catalogue is their union.
Third-party analyzers add their own symbols through `Analyzer.symbols()`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Symbol:
    name: str
    weight: float
    description: str
    group: str


class CatalogueError(ValueError):
    pass


def _parse(group: str, text: str) -> dict[str, Symbol]:
    data = tomllib.loads(text)
    out: dict[str, Symbol] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or "description" not in entry or "weight" not in entry:
            raise CatalogueError(f"symbol {name} in group {group}: needs weight and description")
        out[name] = Symbol(name, float(entry["weight"]), str(entry["description"]), group)
    return out


@lru_cache(maxsize=1)
def builtin_catalogue() -> dict[str, Symbol]:
    catalogue: dict[str, Symbol] = {}
    folder = resources.files("mailwarden") / "data" / "symbols"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        group = item.name[:-5]
        for name, sym in _parse(group, item.read_text(encoding="utf-8")).items():
            if name in catalogue:
                raise CatalogueError(f"symbol {name} defined twice ({catalogue[name].group}, {group})")
            catalogue[name] = sym
    return catalogue

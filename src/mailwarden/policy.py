"""Scoring policy: symbol weights, composites and action thresholds, loaded from TOML.

Composite expressions are parsed by a small recursive-descent parser with a
length and depth bound; nothing is ever `eval`-ed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mailwarden.findings import Finding
from mailwarden.symbols import Symbol

ACTIONS = ("accept", "tag", "quarantine", "reject", "tempfail")
SCORE_ACTIONS = ("tag", "quarantine", "reject")
_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(.))")
MAX_EXPRESSION_CHARS = 4096
MAX_EXPRESSION_DEPTH = 64


class PolicyError(ValueError):
    """A policy file that cannot be used; the message says where and why."""


# -- composite expressions -------------------------------------------------------------------
# AST: ("sym", name) | ("not", node) | ("and", [nodes]) | ("or", [nodes])


def parse_expression(text: str) -> tuple:
    if len(text) > MAX_EXPRESSION_CHARS:
        raise PolicyError(f"expression longer than {MAX_EXPRESSION_CHARS} characters")
    tokens: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group(1):
            tokens.append(m.group(1))
        elif m.group(2):
            if m.group(2) not in "&|!()":
                raise PolicyError(f"unexpected character {m.group(2)!r} in expression {text!r}")
            tokens.append(m.group(2))
    if not tokens:
        raise PolicyError("empty expression")
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise PolicyError(f"expression ends too early: {text!r}")
        pos += 1
        return tokens[pos - 1]

    def parse_or(depth: int) -> tuple:
        if depth > MAX_EXPRESSION_DEPTH:
            raise PolicyError(f"expression nested deeper than {MAX_EXPRESSION_DEPTH}")
        items = [parse_and(depth)]
        while peek() == "|":
            take()
            items.append(parse_and(depth))
        return items[0] if len(items) == 1 else ("or", items)

    def parse_and(depth: int) -> tuple:
        items = [parse_not(depth)]
        while peek() == "&":
            take()
            items.append(parse_not(depth))
        return items[0] if len(items) == 1 else ("and", items)

    def parse_not(depth: int) -> tuple:
        if peek() == "!":
            take()
            if depth > MAX_EXPRESSION_DEPTH:
                raise PolicyError(f"expression nested deeper than {MAX_EXPRESSION_DEPTH}")
            return ("not", parse_not(depth + 1))
        return parse_atom(depth)

    def parse_atom(depth: int) -> tuple:
        tok = take()
        if tok == "(":
            node = parse_or(depth + 1)
            if take() != ")":
                raise PolicyError(f"missing ')' in expression {text!r}")
            return node
        if tok in "&|!)":
            raise PolicyError(f"unexpected {tok!r} in expression {text!r}")
        return ("sym", tok)

    node = parse_or(0)
    if pos != len(tokens):
        raise PolicyError(f"unexpected {tokens[pos]!r} in expression {text!r}")
    return node


def evaluate(node: tuple, fired: set[str]) -> bool:
    kind = node[0]
    if kind == "sym":
        return node[1] in fired
    if kind == "not":
        return not evaluate(node[1], fired)
    if kind == "and":
        return all(evaluate(n, fired) for n in node[1])
    return any(evaluate(n, fired) for n in node[1])


def positive_symbols(node: tuple, negated: bool = False) -> set[str]:
    kind = node[0]
    if kind == "sym":
        return set() if negated else {node[1]}
    if kind == "not":
        return positive_symbols(node[1], not negated)
    out: set[str] = set()
    for n in node[1]:
        out |= positive_symbols(n, negated)
    return out


def symbol_names(node: tuple) -> set[str]:
    if node[0] == "sym":
        return {node[1]}
    if node[0] == "not":
        return symbol_names(node[1])
    out: set[str] = set()
    for n in node[1]:
        out |= symbol_names(n)
    return out


@dataclass
class Composite:
    name: str
    expression: str
    ast: tuple
    weight: float
    remove: bool
    description: str

    def __post_init__(self) -> None:
        # Most messages fire none of a composite's symbols; then its value is the one it has on
        # the empty set, known in advance, so the expression need not be walked per message.
        self.names = frozenset(symbol_names(self.ast))
        self.fires_on_nothing = evaluate(self.ast, set())


@dataclass
class Policy:
    weights: dict[str, float] = field(default_factory=dict)
    composites: list[Composite] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    source: str = "built-in"

    def weight(self, symbol: str, catalogue: dict[str, Symbol]) -> float:
        if symbol in self.weights:
            return self.weights[symbol]
        sym = catalogue.get(symbol)
        return sym.weight if sym else 0.0

    def action_for(self, score: float) -> str:
        action = "accept"
        for name in SCORE_ACTIONS:
            limit = self.thresholds.get(name)
            if limit is not None and score >= limit:
                action = name
        return action

    def apply_composites(self, findings: list[Finding], weights: dict[int, float]) -> list[tuple[Composite, list[str]]]:
        """Evaluate composites in order; returns those that fired with their constituent symbols."""
        fired = {f.symbol for f in findings}
        comps = tuple(self.composites)
        known = self.__dict__.get("_quiet_names")
        if known is None or known[0] != comps:  # (element identity first: cheap while unchanged)
            fires_alone = any(c.fires_on_nothing for c in comps)
            known = self.__dict__["_quiet_names"] = (comps, None if fires_alone else
                                                     frozenset().union(*(c.names for c in comps)))
        if known[1] is not None and known[1].isdisjoint(fired):
            # No composite fires on nothing and none names a symbol that fired: each would find its
            # symbols disjoint from `fired` and take its value on the empty set (False), so none
            # fires and `fired` never grows - the loop below would return [] and change no weight.
            return []
        out = []
        for comp in self.composites:
            if comp.fires_on_nothing if comp.names.isdisjoint(fired) else evaluate(comp.ast, fired):
                parts = sorted(positive_symbols(comp.ast) & fired)
                out.append((comp, parts))
                fired.add(comp.name)
                if comp.remove:
                    for i, f in enumerate(findings):
                        if f.symbol in parts:
                            weights[i] = 0.0
        return out

    def validate(self, catalogue: dict[str, Symbol]) -> None:
        known = set(catalogue)
        for name in self.weights:
            if name not in known:
                raise PolicyError(f"{self.source}: [symbols.{name}] names no known symbol")
        for comp in self.composites:
            unknown = symbol_names(comp.ast) - known
            if unknown:
                raise PolicyError(f"{self.source}: composite {comp.name} uses unknown symbol(s) "
                                  f"{', '.join(sorted(unknown))}")
            known.add(comp.name)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{where} must be a number, not {value!r}")
    return float(value)


def _merge(policy: Policy, data: dict, source: str) -> None:
    allowed = {"symbols", "composites", "actions"}
    extra = set(data) - allowed
    if extra:
        raise PolicyError(f"{source}: unknown section(s) {', '.join(sorted(extra))} "
                          f"(expected {', '.join(sorted(allowed))})")
    for name, entry in (data.get("symbols") or {}).items():
        if not isinstance(entry, dict) or "weight" not in entry:
            raise PolicyError(f"{source}: [symbols.{name}] needs a weight")
        policy.weights[name] = _number(entry["weight"], f"{source}: [symbols.{name}] weight")
    for name, entry in (data.get("composites") or {}).items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise PolicyError(f"{source}: composite name {name!r} is not a symbol name")
        if not isinstance(entry, dict) or not isinstance(entry.get("expression"), str):
            raise PolicyError(f"{source}: [composites.{name}] needs an expression string")
        try:
            ast = parse_expression(entry["expression"])
        except PolicyError as exc:
            raise PolicyError(f"{source}: [composites.{name}] {exc}") from None
        comp = Composite(name, entry["expression"], ast,
                         _number(entry.get("weight", 0.0), f"{source}: [composites.{name}] weight"),
                         bool(entry.get("remove", False)),
                         str(entry.get("description", f"composite {entry['expression']}")))
        policy.composites = [c for c in policy.composites if c.name != name] + [comp]
    for name, value in (data.get("actions") or {}).items():
        if name not in SCORE_ACTIONS:
            raise PolicyError(f"{source}: [actions] {name!r} is not one of {', '.join(SCORE_ACTIONS)}")
        policy.thresholds[name] = _number(value, f"{source}: [actions] {name}")
    t = policy.thresholds
    ordered = [t[a] for a in SCORE_ACTIONS if a in t]
    if ordered != sorted(ordered):
        raise PolicyError(f"{source}: thresholds must rise: tag <= quarantine <= reject")


def load_policy(path: str | Path | None = None) -> Policy:
    """The built-in policy, overlaid with the user's file when given."""
    policy = Policy()
    data_dir = resources.files("mailwarden") / "data"
    _merge(policy, tomllib.loads((data_dir / "policy.toml").read_text(encoding="utf-8")), "built-in policy")
    # Each analyzer group keeps its composites and weight adjustments in data/policy.d/<group>.toml.
    extra = sorted((p for p in (data_dir / "policy.d").iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    for item in extra:
        _merge(policy, tomllib.loads(item.read_text(encoding="utf-8")), f"built-in policy.d/{item.name}")
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"cannot read policy file {p}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise PolicyError(f"policy file {p} is not UTF-8 text") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"policy file {p} is not valid TOML: {exc}") from None
        _merge(policy, data, str(p))
        policy.source = str(p)
    return policy

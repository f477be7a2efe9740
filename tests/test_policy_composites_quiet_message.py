"""apply_composites answers [] at once when no composite names a symbol that fired - and only then.

The shortcut must follow the composites list (replaced or edited after the first message) and must
not apply when a composite fires on nothing (`!A`).
"""

from __future__ import annotations

from mailwarden.findings import Finding
from mailwarden.policy import Composite, Policy, parse_expression


def _comp(name: str, expr: str, weight: float = 1.0, remove: bool = False) -> Composite:
    return Composite(name, expr, parse_expression(expr), weight, remove, name.lower())


def _fs(*symbols: str) -> list[Finding]:
    return [Finding(s, "x", ["e"]) for s in symbols]


def test_quiet_message_and_noisy_message() -> None:
    pol = Policy(composites=[_comp("AB", "A & B"), _comp("ABC", "AB & C", remove=True)])
    weights = {0: 1.0}
    assert pol.apply_composites(_fs("Z"), weights) == [] and weights == {0: 1.0}
    weights = {0: 1.0, 1: 2.0, 2: 3.0}
    fired = pol.apply_composites(_fs("A", "B", "C"), weights)
    assert [(c.name, parts) for c, parts in fired] == [("AB", ["A", "B"]), ("ABC", ["AB", "C"])]
    assert weights == {0: 1.0, 1: 2.0, 2: 0.0}


def test_composite_that_fires_on_nothing_still_fires() -> None:
    pol = Policy(composites=[_comp("NOT_A", "!A")])
    assert [c.name for c, _ in pol.apply_composites(_fs("Z"), {0: 1.0})] == ["NOT_A"]
    assert pol.apply_composites(_fs("A"), {0: 1.0}) == []


def test_edited_composites_are_seen() -> None:
    pol = Policy(composites=[_comp("AB", "A & B")])
    assert pol.apply_composites(_fs("Z"), {0: 1.0}) == []
    pol.composites.append(_comp("Z_ALONE", "Z"))
    assert [c.name for c, _ in pol.apply_composites(_fs("Z"), {0: 1.0})] == ["Z_ALONE"]
    pol.composites[1] = _comp("NOT_Q", "!Q")
    assert [c.name for c, _ in pol.apply_composites(_fs("Y"), {0: 1.0})] == ["NOT_Q"]
    pol.composites = [_comp("Y_ALONE", "Y")]
    assert [c.name for c, _ in pol.apply_composites(_fs("Y"), {0: 1.0})] == ["Y_ALONE"]

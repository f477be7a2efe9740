import pytest

from mailwarden.findings import Finding
from mailwarden.policy import PolicyError, evaluate, load_policy, parse_expression


@pytest.mark.parametrize("expr,fired,expected", [
    ("A & B", {"A", "B"}, True),
    ("A & B", {"A"}, False),
    ("A | B", {"B"}, True),
    ("A & !B", {"A"}, True),
    ("A & !B", {"A", "B"}, False),
    ("(A | B) & (C | !D)", {"B", "D"}, False),
    ("(A | B) & (C | !D)", {"B", "C", "D"}, True),
    ("!!A", {"A"}, True),
])
def test_composite_expressions_evaluate(expr, fired, expected):
    assert evaluate(parse_expression(expr), fired) is expected


@pytest.mark.parametrize("bad", ["", "A &", "(A | B", "A B", "A && B", "A; import os", "__import__('os')",
                                 "(" * 100 + "A" + ")" * 100])
def test_malformed_expressions_are_rejected(bad):
    with pytest.raises(PolicyError):
        parse_expression(bad)


def test_policy_file_overrides_and_composite_removal(tmp_path):
    p = tmp_path / "policy.toml"
    p.write_text('[symbols.FROM_MISSING]\nweight = 7\n'
                 '[composites.BOTH]\nexpression = "FROM_MISSING & HEADER_NUL"\nweight = 2\nremove = true\n'
                 '[actions]\ntag = 1\nquarantine = 2\nreject = 30\n')
    pol = load_policy(p)
    assert pol.weights["FROM_MISSING"] == 7
    findings = [Finding("FROM_MISSING", "x", ["e"]), Finding("HEADER_NUL", "y", ["e"])]
    weights = {0: 7.0, 1: 4.0}
    fired = pol.apply_composites(findings, weights)
    assert [c.name for c, _ in fired] == ["BOTH"]
    assert weights[0] == 0.0 and weights[1] == 0.0
    assert pol.action_for(1.5) == "tag" and pol.action_for(0.5) == "accept"


@pytest.mark.parametrize("text,needle", [
    ("[actions]\ntag = 'high'\n", "must be a number"),
    ("[actions]\ntag = 9\nquarantine = 5\n", "thresholds must rise"),
    ("[composites.X]\nexpression = 'A &'\n", "[composites.X]"),
    ("[bogus]\n", "unknown section"),
    ("this is not toml = = \n", "not valid TOML"),
])
def test_malformed_policy_files_give_clear_errors(tmp_path, text, needle):
    p = tmp_path / "policy.toml"
    p.write_text(text)
    with pytest.raises(PolicyError) as err:
        load_policy(p)
    assert needle in str(err.value)


def test_unknown_symbol_in_policy_is_reported(tmp_path):
    from mailwarden.engine import Engine

    p = tmp_path / "policy.toml"
    p.write_text("[symbols.NO_SUCH_SYMBOL]\nweight = 1\n")
    with pytest.raises(PolicyError, match="NO_SUCH_SYMBOL"):
        Engine(load_policy(p))


def test_no_builtin_symbol_rewards_authentication():
    from mailwarden.symbols import builtin_catalogue

    negative = {n: s.weight for n, s in builtin_catalogue().items() if s.weight < 0}
    assert not negative, f"authentication or allow-list symbols must not subtract score: {negative}"

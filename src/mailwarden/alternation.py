"""One regex alternation of literal words, regrouped by first character for the regex engine.

`a|b|…` over a few hundred words makes the engine try each word at every position. Regrouped as
`a(?:mazon|pple|…)|b(?:…)`, it tries one branch per position: only words starting with the
character there can match, and that branch holds exactly those, in their original order, so it is
the same ordered choice and finds the same matches. That needs distinct first characters that no
character matches two of: ASCII letters and digits, and for a case-insensitive pattern no two that
differ only by case.
"""

from __future__ import annotations


def by_first_char(alternatives: list[str], caseless: bool = True) -> str | None:
    """`"|".join(alternatives)` regrouped by first character, or None when it cannot be.

    Each alternative is an escaped word (`re.escape`): its first character must be an ASCII letter or
    digit (re.escape leaves those alone, so the rest of the escaped word is the escaped rest). For a
    `caseless` pattern the first characters must not differ only by case."""
    firsts = list(dict.fromkeys(a[:1] for a in alternatives))
    if not all(f.isascii() and f.isalnum() for f in firsts) or (
            caseless and len({f.lower() for f in firsts}) != len(firsts)):
        return None
    return "|".join(f + "(?:" + "|".join(a[1:] for a in alternatives if a[0] == f) + ")" for f in firsts)

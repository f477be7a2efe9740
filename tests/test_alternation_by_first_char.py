"""`alternation.by_first_char` regroups a word alternation only when that keeps the same ordered
choice; the regrouped pattern finds exactly what the plain one finds."""

from __future__ import annotations

import random
import re

from mailwarden.alternation import by_first_char


def test_refuses_first_characters_it_cannot_group() -> None:
    assert by_first_char([re.escape("-x"), "ab"]) is None  # not a letter or digit
    assert by_first_char(["Apple", "amazon"]) is None  # one letter in two cases, caseless
    assert by_first_char(["Apple", "amazon"], caseless=False) == "A(?:pple)|a(?:mazon)"
    assert by_first_char(["ab", "cd", "ax"]) == "a(?:b|x)|c(?:d)"


def test_grouped_finds_what_plain_finds() -> None:
    rnd = random.Random(7)
    letters = "abcAB1 .-"
    for _ in range(300):
        words = [re.escape(rnd.choice("abc1") + "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 4))))
                 for _ in range(rnd.randint(1, 12))]
        grouped = by_first_char(words)
        assert grouped is not None
        for flags in (0, re.IGNORECASE):
            g, p = re.compile(grouped, flags), re.compile("|".join(words), flags)
            for _ in range(5):
                text = "".join(rnd.choice(letters) for _ in range(40))
                assert [m.span() for m in g.finditer(text)] == [m.span() for m in p.finditer(text)]

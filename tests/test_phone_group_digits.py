"""A digit group of a phone candidate holds a digit for str.isdigit() exactly when `\\d` finds one.

`phones._spans` asks the regex (one C-level search) instead of testing each character with
str.isdigit(); the two differ on characters like superscripts, which a group can never hold.
"""

from __future__ import annotations

import re
import sys

from mailwarden import phones


def test_group_characters_are_digits_for_isdigit_exactly_when_regex_digits() -> None:
    member = re.compile(f"[{phones._HOMO_CLASS}\\d]")
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if member.fullmatch(c):
            assert c.isdigit() == bool(phones._ANY_DIGIT.fullmatch(c)), hex(code)


def test_spans_keep_their_answers() -> None:
    assert phones._spans("l-800-555-0100") == [(0, 14), (2, 14)]
    assert phones._spans("| 808 555 0100 |") == [(2, 14)]
    assert phones._spans("(808) 555 0100") == [(0, 14)]
    assert phones._spans("lll ooo") == []
    assert phones._spans("\u0663\u0663\u0663 lll") == [(0, 3)]

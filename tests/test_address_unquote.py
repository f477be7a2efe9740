"""A quoted display name is unescaped with a precompiled pattern, and only when it holds a
backslash; the result must equal the plain substitution on every input (quotes, escapes, a
backslash before a newline, which `.` does not take)."""

from __future__ import annotations

import random
import re

from mailwarden.addresses import _unquote, parse_mailbox


def _reference(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def test_unquote_matches_substitution() -> None:
    rng = random.Random(5)
    alphabet = ['"', "\\", "a", " ", "\n", "(", "é"]
    cases = ['"a\\"b"', '"\\\\"', '"x\\\ny"', '""', '"', ' "pay\\pal" ', '"no escapes"']
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(20000)]
    for text in cases:
        assert _unquote(text) == _reference(text), repr(text)


def test_display_name_escapes_removed() -> None:
    mb = parse_mailbox('"Pay\\"Pal\\\\ Support" <a@example.org>')
    assert mb is not None and mb.display_name == 'Pay"Pal\\ Support'

"""The Received comment pattern uses possessive runs for speed; it must find exactly the comments
the plain one-character-per-step pattern finds (same spans), on real shapes and on random junk."""

from __future__ import annotations

import random
import re

from mailwarden.received import _COMMENT, parse_hop

# The reference: comments nesting to depth 3, one character per step, ordinary backtracking.
_REFERENCE = re.compile(r"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.|\([^()]*\))*\))*\)")

SHAPES = [
    "from mx.example.org (mx.example.org [192.0.2.1]) by mail.example.net (Postfix) with ESMTPS id 1",
    "from host (HELO x) (198.51.100.9) by y", "from a ((nested (deep) comment)) by b",
    "from a (escaped \\) paren) by b", "from a (unclosed by b", "from a (x (y (z (too deep)))) by b",
    "from a \\(not a comment) by b", "from a (trailing backslash \\", "(((((", ")))))", "(a\\(b)c)",
    "from a (x\n(y)) by b",
]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_same_comments_as_reference_on_shapes() -> None:
    for text in SHAPES:
        assert _spans(_COMMENT, text) == _spans(_REFERENCE, text), text


def test_same_comments_as_reference_on_random_text() -> None:
    rng = random.Random(20261127)
    alphabet = ["(", ")", "\\", "a", " ", "\n", "x\\)", "((", "))", "[1.2.3.4]"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _spans(_COMMENT, text) == _spans(_REFERENCE, text), text


def test_comments_still_reach_the_hop() -> None:
    hop = parse_hop("from a.example.org (b.example.org [192.0.2.7] (nested)) by c.example.net; "
                    "Mon, 2 Feb 2026 10:00:00 +0000")
    assert hop.comments == ["b.example.org [192.0.2.7] (nested)"]
    assert hop.ip == "192.0.2.7" and hop.rdns == "b.example.org"

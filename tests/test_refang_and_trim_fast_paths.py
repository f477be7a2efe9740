"""refang() runs only the defang patterns that can match, and _trim() returns early when the URL
cannot end in anything to drop; both must give what the plain definitions give."""

from __future__ import annotations

import random

from mailwarden.urls import _DEFANG, _TRAIL, _trim, refang


def _refang_plain(text: str) -> str:
    for pattern, repl in _DEFANG:
        text = pattern.sub(repl, text)
    return text


def _trim_plain(u: str) -> str:
    while u:
        c = u[-1]
        if c in _TRAIL or c == ">" or (c == ")" and u.count("(") < u.count(")")) or (
                c == "]" and u.count("[") < u.count("]")):
            u = u[:-1]
        else:
            break
    return u


_PIECES = ["h", "H", "x", "X", "*", "p", "P", "s", "S", "f", "F", "t", "[", "]", "(", ")", "{", "}", ".", "dot",
           "DOT", ":", "/", "@", "at", " ", "a", "\u017f", "ttp", "xxp", "://", "example", ">", ",", "!"]


def test_refang_equals_every_pattern_in_order() -> None:
    rng = random.Random(5)
    for _ in range(100000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
        assert refang(text) == _refang_plain(text), text


def test_refang_known_forms() -> None:
    assert refang("hxxps[:]//evil[.]example(.)com[/]x") == "https://evil.example.com/x"
    assert refang("HXXP://a{dot}b") == "http://a.b"
    assert refang("fxp://files[.]example") == "ftp://files.example"
    assert refang("h**ps://x[at]y") == "https://x@y"
    assert refang("https://plain.example/path") == "https://plain.example/path"


def test_trim_equals_the_plain_loop() -> None:
    rng = random.Random(9)
    for _ in range(100000):
        u = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 10)))
        assert _trim(u) == _trim_plain(u), u

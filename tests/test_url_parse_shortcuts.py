"""Refanging skips patterns that cannot match, and gives what applying every pattern gives."""

from __future__ import annotations

import random

import pytest

from mailwarden.urls import _DEFANG, parse_url, refang


def _refang_reference(text: str) -> str:
    for pattern, repl in _DEFANG:
        text = pattern.sub(repl, text)
    return text


@pytest.mark.parametrize("text", [
    "hxxps://evil[.]example/x", "HXXP://a(.)b", "h**ps://x{.}y", "fxp://files[.]example", "FXP://f",
    "https://ok.example/(x)", "evil[dot]example", "user[@]host[:]8080[/]path", "x[at]y", "plain", "",
    "hxxp[:]//a[.]b", "Hxxps://A[ . ]B", "(hxxp://inside)", "www.example.org/a{.}b",
])
def test_refang_chosen(text: str) -> None:
    assert refang(text) == _refang_reference(text)


def test_refang_random() -> None:
    rng = random.Random(5)
    alphabet = list("hHxX*pPsfF[](){}.:/@ dotaDOTAw") + ["hxxp", "[.]", "(.)", "[:]", "[at]", "[dot]", "fxp"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert refang(text) == _refang_reference(text), text


def test_hosts_with_forbidden_characters_are_refused() -> None:
    assert parse_url("http://exa mple.com/").host == "example.com"  # blanks inside are dropped first
    assert parse_url("http://a|b.example/") is None
    assert parse_url("http://a^b.example/") is None
    assert parse_url("http://ab.example/") is not None


def _urlsplit_reference(scheme: str, rest: str) -> tuple[str, str, str] | str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(f"{scheme}://{rest}")
    except ValueError:
        return "ValueError"
    return parts.netloc, parts.path, parts.query


def _split_or_error(scheme: str, rest: str) -> tuple[str, str, str] | str:
    from mailwarden.urls import _split_web_url

    try:
        return _split_web_url(scheme, rest)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("rest", [
    "host.example/a/b?c=d#e", "host.example?q#f", "host.example#f?g", "user:pw@host:8080/x", "", "/path-only",
    "[::1]:80/x", "[bad/x", "a]b/x", "h\u00f6st.example/x", "\u2100.example/x", "host.example//double?x?y##z",
])
def test_split_matches_urlsplit_chosen(rest: str) -> None:
    for scheme in ("http", "https", "ftp"):
        assert _split_or_error(scheme, rest) == _urlsplit_reference(scheme, rest)


def test_split_matches_urlsplit_random() -> None:
    rng = random.Random(3)
    alphabet = list("ab.:/?#@[]%-_=&x1") + ["\u00e9", "\u2100", "::1", "host.example"]
    for _ in range(5000):
        rest = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert _split_or_error("https", rest) == _urlsplit_reference("https", rest), rest

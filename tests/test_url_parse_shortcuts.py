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


_TRICKY = [
    "http://a.example/b'", "http://a.example/?x=1&amp;copy=2", "HTTP://A.Example/Path", "hxxp://x[.]example/z",
    "http://xn--80ak6aa92e.com/", "http://[::1]/x", "http://0x7f.1/", "http://a%2541.example/", "http://\u00fcml.example/p",
    "http://a.example/\\b", "http://a.example/#frag", "http://user@a.example/", "http://a.example:80/", "www.a.example",
    "//cdn.example/x.js", "https://www.google.com/url?q=https://evil.example/", "http://a.example/%41?q=%42",
    "https://a.example/(x)", "http://a.example/x<", "http://a.example/" + "x" * 4090, "ftp://F.example/a?b#c",
    "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2F&data=1",
]


def _fields(info):  # noqa: ANN001, ANN202
    return None if info is None else (info.url, info.host, info.path, info.query)


@pytest.mark.parametrize("raw", _TRICKY)
def test_unwrap_parsed_matches_unwrap_chain(raw: str) -> None:
    from mailwarden.urls import _normal_form_is_stable, unwrap_chain, unwrap_parsed

    info = parse_url(raw)
    if info is None:
        return
    if _normal_form_is_stable(info):
        assert _fields(parse_url(info.url)) == _fields(info)
    assert list(unwrap_parsed(info)) == unwrap_chain(info.url)


def test_stable_normal_forms_random() -> None:
    from mailwarden.urls import _normal_form_is_stable, unwrap_chain, unwrap_parsed

    rng = random.Random(9)
    pieces = ["http://", "https://", "hxxp://", "www.", "a", "B", ".example", ".com", "/", "?", "#", "&amp;", "&copy",
              "%41", "%2e", "%2F", "%09", "%3F", "%40", "'", '"', ">", "<", "[.]", "(", ")", ":8080", ":80", "@", "\\", "\u00e9", "xn--", "0x7f",
              ".1", " ", "\t", "=", "q", "url=https://evil.example/"]
    for _ in range(4000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        info = parse_url(raw)
        if info is None:
            continue
        if _normal_form_is_stable(info):
            assert _fields(parse_url(info.url)) == _fields(info), raw
        assert list(unwrap_parsed(info)) == unwrap_chain(info.url), raw


def _scheme_reference(s: str) -> tuple[str, int] | None:
    from mailwarden.urls import _SCHEME

    m = _SCHEME.match(s)
    return (m.group(1).lower(), m.end()) if m else None


@pytest.mark.parametrize("s", [
    "http://a", "HTTPS://a", "hTtP:x", "https:", "http:", "https", "httpx://a", "http2://a", "htt p://a",
    "http\u017f://a", "\u0130http://a", "http:\u0130", "ftp://a", "mailto:x", "", "h", "https+x://a", "http.:a",
])
def test_scheme_shortcut_chosen(s: str) -> None:
    from mailwarden.urls import _scheme_of

    assert _scheme_of(s) == _scheme_reference(s)


def test_scheme_shortcut_random() -> None:
    from mailwarden.urls import _scheme_of

    rng = random.Random(29)
    pieces = ["h", "H", "t", "T", "p", "P", "s", "S", ":", "/", "+", ".", "x", "\u017f", "\u0130", "\u212a", "http",
              "HTTPS"]
    for _ in range(6000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _scheme_of(s) == _scheme_reference(s), s


@pytest.mark.parametrize("s", [
    "a=1&b=2", "x&amp;y", "x&amp", "&notify=1", "&copy", "&#65;", "&#x41", "&utm_source=x", "&", "&&", "a&", "&a",
    "&lt", "&CounterClockwiseContourIntegral;", "&CounterClockwiseContourIntegra", "&ac;", "&ac", "&ut", "&utdot;",
])
def test_unescape_screen_chosen(s: str) -> None:
    import html

    from mailwarden.urls import _may_unescape

    assert _may_unescape(s) or html.unescape(s) == s


def test_unescape_screen_random() -> None:
    import html
    from html.entities import html5

    from mailwarden.urls import _may_unescape

    rng = random.Random(31)
    names = sorted(html5)
    pieces = ["&", "&", "#", ";", "=", "a", "u", "t", "m", "x", "1", " ", "\t", "<", "&#", "amp", "not", "copy"]
    for _ in range(20000):
        s = "".join(rng.choice(pieces) if rng.random() < 0.8 else rng.choice(names)[:rng.randint(1, 8)]
                    for _ in range(rng.randint(0, 8)))
        assert _may_unescape(s) or html.unescape(s) == s, s

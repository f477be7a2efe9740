"""The parser reads the HTML with its block breaks as UTF-8 bytes, put in by a pattern over the
encoded text; the bytes must be what the parser would make of the str with breaks put in by the
str pattern (it encodes a str to UTF-8, dropping what cannot be encoded). The ASCII markers are
read on the same bytes lower-cased: they must be counted and found as in the lower-cased text."""

from __future__ import annotations

import random

import pytest

from mailwarden.htmltext import _WHITESPACE, _build, _marker_text, _parser_input, _utf8, _with_block_breaks


def _expected(html: str) -> bytes:
    return _with_block_breaks(html).encode("utf-8", "ignore")


def _got(html: str) -> bytes:
    out = _parser_input(html, _utf8(html))
    return out if isinstance(out, bytes) else out.encode("utf-8", "ignore")


@pytest.mark.parametrize("html", [
    "", "<p>a</p>", "caf\u00e9<DIV>x</DiV>", "<bloc\u212aquote>kelvin</BLOC\u212aQUOTE>", "\u0130<P>x</p>",
    "<p\ud800>lone surrogate</p><div>", "\ud83d<td>x", "<p\u00e9>", "<p\u200b>", "\U0001f600<tr><th>",
    "<tables>", "<p", "</p", "<br/><hr>",
] + [f"<p{ch}x>t</p{ch}>" for ch in _WHITESPACE])
def test_parser_input_chosen(html: str) -> None:
    assert _got(html) == _expected(html)


def test_parser_input_random() -> None:
    rng = random.Random(374)
    names = ["p", "P", "div", "DiV", "br", "td", "th", "h1", "h7", "table", "li", "bloc\u212aquote", "blockquote",
             "pre", "form", "span", "a", "\u0130", "caf\u00e9", "b"]
    after = list(_WHITESPACE) + [">", "/", "", "x", "\u00e9", "\u200b", "\ud800", "\U0001f600", "\u212a"]
    for _ in range(4000):
        html = "".join("<" + rng.choice(["", "/"]) + rng.choice(names) + rng.choice(after) + rng.choice(["", "t", "\u4e2d"])
                       for _ in range(rng.randint(0, 8)))
        assert _got(html) == _expected(html), repr(html)


def test_document_read_from_bytes_keeps_text_and_links() -> None:
    doc = _build('<p>caf\u00e9 <a href="https://x.example/\u00e9">Pay<b>Pal</b></a></p><div>\u4e2d\u6587</div>')
    assert doc.visible_text == "caf\u00e9 PayPal\n\u4e2d\u6587"
    assert [(link.url, link.text) for link in doc.links] == [("https://x.example/\u00e9", "Pay Pal")]


def test_markers_on_the_utf8_bytes_are_the_markers_of_the_lower_cased_text() -> None:
    rng = random.Random(421)
    pieces = ["<img", "<IMG", "<Img", "background=", "BACKGROUND=", "bac\u212aground=", " on", " ON", "onload",
              "ONERROR", "\u0130", "<\u0130mg", "\u00e9", "\u4e2d", "?", "<", " ", "o", "n", "=", "img", "\U0001f600",
              "\ud800", "\u00c9", "\u0100"]
    for _ in range(5000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        low, marks = html.lower(), _marker_text(html, _utf8(html))
        assert marks.count(b"<img") == low.count("<img"), repr(html)
        for marker in ("background=", " on", "onload", "onerror"):
            assert (marker.encode() in marks) == (marker in low), repr(html)

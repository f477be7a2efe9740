"""The shortcuts in HTML-to-text building give exactly what the plain regex forms give.

`_collapse_spaces` uses str.split() when it can; `_BLOCK_TAG_CASED` finds block tags on the
original text instead of a lower-cased copy. Both are held to the readable form they replace, on
chosen cases and on random text made of the characters that matter.
"""

from __future__ import annotations

import random
import re

import pytest

from mailwarden.htmltext import _BLOCK_TAG, _BLOCK_TAG_CASED, _collapse_spaces, html_to_text

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r" ?\n\s*")


def _collapse_reference(text: str) -> str:
    return _NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()


def _breaks_reference(html: str) -> str:
    """A newline before each block tag, found on the lower-cased copy."""
    low = html.lower()
    assert len(low) == len(html)
    out, prev = [], 0
    for m in _BLOCK_TAG.finditer(low):
        out.append(html[prev:m.start()])
        prev = m.start()
    out.append(html[prev:])
    return "\n".join(out)


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "a  b", "a \n b", " a\t\u00a0b \r\n\n  c ", "a\u2003 \n b", "a\x1c b", "\u3000a\n\u2028b",
    "line one\nline two\n\n\n   line three   ", "a\x85\nb", "x\u00a0\u00a0y\n\u00a0\nz",
])
def test_collapse_spaces_chosen(text: str) -> None:
    assert _collapse_spaces(text) == _collapse_reference(text)


def test_collapse_spaces_random() -> None:
    rng = random.Random(11)
    alphabet = list("ab \t\n\r\f\v\u00a0\u2003\x1c\u3000\u2028.")
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert _collapse_spaces(text) == _collapse_reference(text), repr(text)


@pytest.mark.parametrize("html", [
    "<p>a</p><P>b</P><DiV>c</DiV>", "<td>x<TD>y", "<br/><BR >", "<h1>t</h1><H7>no</H7>", "<pre>x</pre><PRE>",
    "<b>Pay</b><i>Pal</i>", "<BLOCKQUOTE>q</blocKquote>", "<bloc\u212aquote>kelvin</bloc\u212aquote>",
    "<tables>no</tables>", "<p", "<p\tclass=x>", "<footer><FORM><Figure><Caption><main><nav><aside>",
    "<address><ARTICLE><section><center><Title><ul><OL><li><dl><dt><dd><hr><th><tr><table>",
])
def test_block_breaks_chosen(html: str) -> None:
    assert _BLOCK_TAG_CASED.sub("\n<", html) == _breaks_reference(html)


def test_block_breaks_random() -> None:
    rng = random.Random(7)
    names = ["p", "P", "div", "DIV", "Div", "br", "td", "TR", "th", "h1", "H6", "h7", "table", "tablex", "li", "ul",
             "blockquote", "bloc\u212aquote", "pre", "pr", "form", "foo", "footer", "b", "span", "a", "article"]
    for _ in range(3000):
        html = "".join(
            "<" + rng.choice(["", "/"]) + rng.choice(names) + rng.choice([">", " ", "/", "\t", "", "x>"]) + rng.choice(["", "t"])
            for _ in range(rng.randint(0, 8)))
        assert _BLOCK_TAG_CASED.sub("\n<", html) == _breaks_reference(html), html


def test_text_keeps_words_and_blocks() -> None:
    assert html_to_text("<div>Pay<b>Pal</b></div><P>next   line</P>") == "PayPal\nnext line"


def test_marker_text_finds_what_lower_finds() -> None:
    from mailwarden.htmltext import _marker_text

    rng = random.Random(13)
    pieces = ["<img", "<IMG", "<Img", "background=", "BACKGROUND=", "bac\u212aground=", " on", " ON", "\u0130", "<\u0130mg",
              "\u00e9", "\u4e2d", "?", "<", " ", "o", "n", "=", "img", "\U0001f600"]
    for _ in range(3000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        low, marks = html.lower(), _marker_text(html)
        assert marks.count(b"<img") == low.count("<img"), html
        assert (b"background=" in marks) == ("background=" in low), html
        assert (b" on" in marks) == (" on" in low), html


def test_block_breaks_with_dotted_capital_i() -> None:
    from mailwarden.htmltext import _with_block_breaks

    assert _with_block_breaks("\u0130<P>x</p>") == "\u0130\n<P>x\n</p>"
    assert _with_block_breaks("caf\u00e9<DIV>x") == "caf\u00e9\n<DIV>x"


@pytest.mark.parametrize("text", [
    "", "x" * 39, "x" * 40, " ".join("x" * 39), " ".join("x" * 40), " " * 500 + "x" * 39, " " * 500 + "x" * 40,
    "\n".join(["ab"] * 19) + " c", "\n".join(["ab"] * 20),
])
def test_little_text_counts_non_blank_characters(text: str) -> None:
    from mailwarden.analyzers.html import _IMAGE_ONLY_CHARS, _little_text

    assert _little_text(text) == (len("".join(text.split())) < _IMAGE_ONLY_CHARS)

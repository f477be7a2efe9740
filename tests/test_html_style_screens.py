"""The cheaper screens in reading inline styles and hidden text decide exactly as the forms they replace.

- `_MAYBE_HIDDEN_LOWER` on the lower-cased copy of an ASCII style matches where the case-insensitive
  `_MAYBE_HIDDEN` matches the style itself.
- `text.strip(_BLANK_OR_PADDING)` leaves something exactly when `text.translate(_PADDING).strip()`
  does, and `_WHITESPACE` is every character str.isspace() accepts.
"""

from __future__ import annotations

import random
import sys

import pytest

from mailwarden.htmltext import (
    _BLANK_OR_PADDING,
    _MAYBE_HIDDEN,
    _MAYBE_HIDDEN_LOWER,
    _PADDING,
    _WHITESPACE,
    _style_facts,
    html_document,
)


def test_whitespace_list_is_isspace() -> None:
    assert set(_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


@pytest.mark.parametrize("text", [
    "", " ", "x", "\u200c\u00a0\u200c", "\u200b x", "\u00ad", "\u3000\ufeff", "a\u200b", "\u034f\u2060 \n",
    "\u200c\u00a0" * 50 + "y", "\x1c\x1f\x85",
])
def test_padding_screen_chosen(text: str) -> None:
    assert bool(text.strip(_BLANK_OR_PADDING)) == bool(text.translate(_PADDING).strip())


def test_padding_screen_random() -> None:
    rng = random.Random(5)
    alphabet = list(_BLANK_OR_PADDING) + ["a", "\u00e9", ".", "\u200e"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert bool(text.strip(_BLANK_OR_PADDING)) == bool(text.translate(_PADDING).strip()), repr(text)


_STYLE_PIECES = ["display", ":", " ", "none", "visibility", "hidden", "collapse", "font-size", "0", ".", "1", "px",
                 "pt", "em", "%", ";", "!", "opacity", "height", "width", "text-indent", "left", "top", "-", "999",
                 "color", "transparent", "#fff", "white", "rgb(", "255", "\t", "\n", "x", "important"]


def _random_case(rng: random.Random, s: str) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in s)


def test_lower_screen_matches_case_insensitive_screen() -> None:
    rng = random.Random(17)
    for _ in range(20000):
        style = "".join(_random_case(rng, rng.choice(_STYLE_PIECES)) for _ in range(rng.randint(0, 10)))
        assert style.isascii()
        assert (_MAYBE_HIDDEN_LOWER.search(style.lower()) is None) == (_MAYBE_HIDDEN.search(style) is None), style


def _reason_reference(style: str) -> str | None:
    """_style_facts()'s first answer as it was written before: both screens on the style as given."""
    from mailwarden.htmltext import _may_hide, hidden_reason

    if not style or not _may_hide(style.lower()) or not _MAYBE_HIDDEN.search(style):
        return None
    return hidden_reason(style)


@pytest.mark.parametrize("style", [
    "DISPLAY:NONE", "Font-Size:0PX", "COLOR:#FFF;background:WHITE", "Opacity:0", "di\u017fplay:none",
    "font-\u017fize:0;display:none", "color:white;background:white", "text-indent:-9999px;position:absolute",
    "COLOR:RGB(255,255,255);BACKGROUND-COLOR:rgb(255,255,255)", "", "width:0;overflow:hidden",
])
def test_style_facts_reason_as_before(style: str) -> None:
    assert _style_facts.__wrapped__(style)[0] == _reason_reference(style)


def test_style_facts_reason_as_before_random() -> None:
    rng = random.Random(23)
    pieces = [*_STYLE_PIECES, "background", "overflow", "position", "absolute", "\u017f", "\u212a"]
    for _ in range(5000):
        style = "".join(_random_case(rng, rng.choice(pieces)) for _ in range(rng.randint(0, 12)))
        assert _style_facts.__wrapped__(style)[0] == _reason_reference(style), style


def test_hidden_padding_is_not_hidden_text() -> None:
    doc = html_document('<p>Hi</p><div style="display:none">\u200c\u00a0\u200c\u00a0</div>'
                        '<div style="DISPLAY:NONE">secret words</div>')
    assert [h.text for h in doc.hidden] == ["secret words"]
    assert doc.hidden[0].reason == "display:none"

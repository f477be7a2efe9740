"""Event-handler attributes are read only when one of their names occurs in the source.

Held to the build without that screen (every document with " on" queried for the event
attributes), on chosen and random hostile HTML: handlers in any case, after a quoted value with no
space, with a Kelvin sign or dotted capital I in the name, in text and in comments.
"""

from __future__ import annotations

import dataclasses
import random
import re

import pytest

import mailwarden.htmltext as ht

_CASES = [
    '<body onload="go()"><p>click on me</p></body>',
    '<a href="x" ONCLICK="a()">Pay on time</a>',
    '<a href="x"onclick="a()"> on</a>',
    '<img src="x" OnError="b()"> on',
    '<div onmouseover=c onfocus=d onsubmit=e>text on</div>',
    '<p onclic\u212a="k()"> on</p><p onclick="real()">x</p>',
    '<p on\u0130oad="x"> on</p>',
    '<!-- onload="x" --><p> on it</p>',
    '<p>onload onerror written in text on purpose</p>',
    '<form onsubmit="s()"><input onfocus="f()" type=password></form> on',
    '<svg><a onload="x" xlink:href="y">on</a></svg> on',
    '<p style="display:none" onclick="h()"> on hidden</p>',
]


def _built(html: str) -> dict:
    ht._cache.clear()
    return dataclasses.asdict(ht._build(html))


def _unscreened(html: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    with monkeypatch.context() as m:
        m.setattr(ht, "_EVENT_NAME", re.compile(rb""))  # always "found": the screen is off
        return _built(html)


@pytest.mark.parametrize("html", _CASES)
def test_event_screen_chosen(html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _built(html) == _unscreened(html, monkeypatch)


def test_event_screen_finds_handlers() -> None:
    assert _built(_CASES[2])["event_handlers"] == ['onclick=a()']
    assert _built(_CASES[5])["event_handlers"] == ['onclick=real()']


def test_event_screen_random(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    pieces = ["<p ", "<a href=x ", "<img src=y ", '"', "=", ">", " on", "on", "ON", "load", "LOAD", "click",
              "clic\u212a", "error", "focus", "submit", "mouseover", "\u0130", " ", "x", "</p>", "<!--", "-->"]
    for _ in range(400):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        assert _built(html) == _unscreened(html, monkeypatch), html

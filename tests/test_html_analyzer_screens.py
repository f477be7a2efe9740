"""Shortcuts in the html analyzer that rest on what htmltext records: each must give the answer of
the test it skips."""

import random

import pytest

from mailwarden.htmltext import _build

_EMBEDDED = ("data:text/html", "data:application/xhtml", "data:image/svg+xml")


@pytest.mark.parametrize("html", [
    '<script src="https://x.example/a.js"></script>',
    '<svg><script src="https://x.example/s.js"></script></svg>',
    '<head><script src="/a.js"></script></head><body><p>x</p></body>',
    "".join(f"<script>var a{i}=1;</script>" for i in range(60)) + '<script src="https://x.example/late.js"></script>',
    '<base href="https://x.example/"><script src="b.js"></script>',
])
def test_a_script_link_comes_with_a_recorded_script(html: str) -> None:
    doc = _build(html)
    assert any(link.source == "script" for link in doc.links)
    assert doc.scripts


def test_script_links_never_without_scripts_on_random_markup() -> None:
    rng = random.Random(116)
    pieces = ["<script src=a.js>", "<script>", "</script>", "<SCRIPT SRC='b.js'>", "<svg>", "</svg>", "<p>",
              "<img src=i.png>", "<iframe src=f.html>", "text", "<template>", "</template>", "<!--", "-->"]
    for _ in range(500):
        doc = _build("".join(rng.choice(pieces) for _ in range(rng.randint(1, 20))))
        if any(link.source == "script" for link in doc.links):
            assert doc.scripts


def test_embedded_document_screen() -> None:
    rng = random.Random(129)
    pieces = ["d", "D", " ", "a", "A", "t", "T", ":", "data:", "DATA:", "text/html", "TEXT/HTML", "image/svg+xml",
              "application/xhtml", "\u212a", "\u0130", "http://x", "\t", "\u00a0"]
    for _ in range(20000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        full = url[:40].lower().replace(" ", "").startswith(_EMBEDDED)
        assert (url[:1] in "dD " and full) == full, url

"""Two subtree questions answered by walking the nodes instead of a selector query: the first
`<img alt>` inside a link without text, and whether a font-size:0 element holds an element that
sets a font size. Both must give what the query gives, on edge cases and on random markup."""

import random

import pytest
from selectolax.lexbor import LexborHTMLParser

from mailwarden import htmltext
from mailwarden.htmltext import _build, _find, _first_img_alt, _selector, _sets_size_inside


def _query_img_alt(node) -> str:  # noqa: ANN001
    imgs = _selector().find_first("img[alt]", node)
    return (imgs[0].attributes.get("alt") or "").strip() if imgs else ""


def _query_sized(node) -> bool:  # noqa: ANN001
    return len(_find('[style*="font-size" i]', node)) > 1


_CASES = [
    '<a href="x"><IMG SRC="l.png" ALT=" Logo "></a>',
    '<a href="x"><img src="a.png"><span><img alt="inner"></span><img alt="later"></a>',
    '<a href="x"><template><img alt="in template"></template><img alt="after"></a>',
    '<a href="x"><svg><image alt="svg image"/></svg><math><mi><img alt="mathml"></mi></math></a>',
    '<a href="x"><!-- <img alt="comment"> --><img alt></a>',
    '<a href="x"><object><img alt="fallback"></object></a>',
    '<div style="FONT-SIZE:0"><p><b style="Font-Size: 12px">x</b></p></div>',
    '<div style="font-size:0"><span style="font-size\u0130:1px">x</span><i style="font-si\u0130ze:1">y</i></div>',
    '<div style="font-size:0"><span style="\u212afont-size:1">x</span></div>',
    '<div style="font-size:0"><span style>x</span><span style="">y</span><!-- c --></div>',
    '<div style="font-size:0"><template><p style="font-size:3px">x</p></template></div>',
    '<td style="font-size:0"><table><tr><td><div style="color:red"><p style="font-size:14px">deep</p></div></td></tr>'
    '</table></td>',
]


@pytest.mark.parametrize("html", _CASES)
def test_walks_answer_as_the_queries(html: str) -> None:
    tree = LexborHTMLParser(html)
    for node in tree.root.traverse():
        assert _first_img_alt(node) == _query_img_alt(node), (html, node.tag)
        if node.tag != "template":
            own = node.attributes.get("style") or ""
            if "font-size" in own.lower():
                assert _sets_size_inside(node) == _query_sized(node), (html, node.tag)


def test_long_subtree_falls_back_to_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = "".join("<span>cell</span>" for _ in range(100))
    tree = LexborHTMLParser(f'<div style="font-size:0">{cells}<b style="font-size:9px">x</b></div>'
                            f'<p style="font-size:0">{cells}</p>')
    div, p = tree.css_first("div"), tree.css_first("p")
    assert _sets_size_inside(div) is True and _sets_size_inside(p) is False
    monkeypatch.setattr(htmltext, "_SIZE_WALK", 3)
    assert _sets_size_inside(div) is True and _sets_size_inside(p) is False


_PIECES = ["<a href=u>", "</a>", "<img alt=a>", "<IMG ALT='b'>", "<img src=s>", "<img>", "<span>", "</span>",
           "<div style='font-size:0'>", "<div style='FONT-size:2px'>", "</div>", "<p style='color:red'>", "</p>",
           "<b style>", "</b>", "<template>", "</template>", "<svg>", "</svg>", "<!-- x -->", "text", " ",
           "<table><tr><td style='font-SIZE:0'>", "</td></tr></table>", "<i style='Font-Size\u0130:1'>", "</i>"]


def test_walks_answer_as_the_queries_on_random_markup() -> None:
    rng = random.Random(2880)
    for _ in range(400):
        html = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30)))
        tree = LexborHTMLParser(html)
        if tree.root is None:
            continue
        for node in tree.root.traverse():
            assert _first_img_alt(node) == _query_img_alt(node), html
            if node.tag != "template" and "font-size" in (node.attributes.get("style") or "").lower():
                assert _sets_size_inside(node) == _query_sized(node), html


def test_image_link_reads_its_alt_text() -> None:
    doc = _build('<a href="https://x.example/"><span></span><img src="l.png" alt=" PayPal "></a>')
    assert [(link.url, link.text) for link in doc.links if link.source == "a"] == [("https://x.example/", "PayPal")]

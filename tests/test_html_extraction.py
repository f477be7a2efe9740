"""Every place in HTML that holds a URL is read, and hidden text stays out of the visible text."""

from __future__ import annotations

from mailwarden.htmltext import html_document, html_to_text
from mailwarden.urls import extract_urls_from_html

PAGE = """<html><head>
<meta http-equiv="Refresh" content="0; url=https://refresh.example/go">
<style>body { background: url('https://css.example/bg.png') } .x::before { content: "Pay now" }</style>
</head><body background="https://bg.example/b.gif">
<p>Hello <a href="https://a.example/?x=1&amp;y=2">click <b>here</b></a></p>
<img src="https://img.example/logo.png" alt="logo">
<form action="https://collect.example/post" method="post"><input type="password" name="pw"></form>
<div style="background-image:url(https://inline.example/i.png)">x</div>
<iframe src="https://frame.example/"></iframe>
</body></html>"""


def test_all_url_places() -> None:
    got = dict(extract_urls_from_html(PAGE))
    assert got["https://a.example/?x=1&y=2"] == "click here"
    for url in ("https://refresh.example/go", "https://css.example/bg.png", "https://bg.example/b.gif",
                "https://img.example/logo.png", "https://collect.example/post", "https://inline.example/i.png",
                "https://frame.example/"):
        assert url in got, url
    sources = {link.source for link in html_document(PAGE).links}
    assert {"a", "meta-refresh", "css", "background", "img", "form", "iframe"} <= sources


def test_base_href_resolves_relative_links() -> None:
    doc = html_document('<html><head><base href="https://base.example/dir/"></head>'
                        '<body><a href="page.html">x</a></body></html>')
    assert doc.links[0].url == "https://base.example/dir/page.html"


def test_visible_text_excludes_hidden_elements() -> None:
    html = ('<html><body><p>Your invoice is attached.</p>'
            '<div style="display:none">lorem filler words for filters</div>'
            '<span style="font-size:0px">secret</span><p hidden>also hidden</p>'
            '<p style="color:#ffffff;background-color:#FFF">white on white</p></body></html>')
    text = html_to_text(html)
    assert "Your invoice is attached." in text
    for gone in ("lorem", "secret", "also hidden", "white on white"):
        assert gone not in text
    reasons = {h.reason.split(":")[0] for h in html_document(html).hidden}
    assert {"display", "font-size", "hidden attribute", "color"} <= reasons


def test_visible_styles_are_not_hidden() -> None:
    html = ('<html><body><p style="font-size:14px;color:#333;background-color:#fff">Visible words</p>'
            '<td style="display:block;overflow:hidden;height:20px">cell</td></body></html>')
    doc = html_document(html)
    assert doc.hidden == []
    assert "Visible words" in doc.visible_text


def test_hidden_text_spliced_into_a_word_is_marked() -> None:
    doc = html_document('<p>Pay<span style="font-size:0">xq</span>Pal account</p>')
    assert [h.inword for h in doc.hidden] == [True]
    doc2 = html_document('<p>Hello <span style="display:none">preview text</span> world</p>')
    assert [h.inword for h in doc2.hidden] == [False]


def test_font_size_zero_layout_container_is_not_hidden() -> None:
    # email layouts set font-size:0 on a container to kill gaps between inline blocks
    html = ('<div style="font-size:0"><div style="display:inline-block;font-size:14px">Left column text</div>'
            '<div style="display:inline-block;font-size:14px">Right column</div></div>')
    doc = html_document(html)
    assert doc.hidden == []
    assert "Left column text" in doc.visible_text


def test_nested_hidden_elements_count_once() -> None:
    doc = html_document('<div style="display:none">outer <span style="display:none">inner</span></div><p>x</p>')
    assert len(doc.hidden) == 1 and "inner" not in doc.visible_text


def test_visible_text_joins_inline_and_separates_blocks() -> None:
    text = html_to_text("<html><body><p>Your Pay<b>Pal</b> account</p><table><tr><td>Name:</td><td>Ann</td></tr>"
                        "</table>Call <span>+1 800</span> 555 0100<br>today</body></html>")
    assert "Your PayPal account" in text
    assert "Call +1 800 555 0100" in text
    assert "Name:\nAnn" in text and "0100\ntoday" in text


def test_hidden_spacing_is_not_hidden_text() -> None:
    # the padding after a mail's preview line: nothing but spaces and joiners, hiding no words
    html = ('<div style="display:none">Your order has shipped</div>'
            '<div style="display:none">&nbsp;&zwnj;&nbsp;&zwnj;&#847;&nbsp;<span> </span><span></span></div>'
            '<p>Order 1182 is on its way.</p>')
    assert [h.text for h in html_document(html).hidden] == ["Your order has shipped"]

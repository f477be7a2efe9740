"""HTML tricks: hidden or reordered text, invisible characters, forms, script, self-redirects.

Shares one parse with the links analyzer and `Message.visible_text` through
`mailwarden.htmltext.html_document`. Sets `ctx.facts["html_doc"]` (an `HtmlDocument`) when the
message has HTML, and `ctx.facts["hidden_text"]` (list of hidden strings) for content analyzers
that want to know what the reader does not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailwarden.analyzers.base import Analyzer
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.htmltext import html_document
from mailwarden.message import Message
from mailwarden.urls import parse_url, registrable_domain

_ZW_INWORD = re.compile(r"[^\W_][\u200b\u200c\u200d\u2060\ufeff\u180e]+[^\W_]")
_BIDI_OVERRIDE = re.compile(r"[\u202d\u202e]")
_SPECIAL_CHARS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u202d", "\u202e")
_OBFUSCATED = re.compile(
    r"\beval\s*\(|\batob\s*\(|\bunescape\s*\(|fromCharCode|"
    r"(?:\\x[0-9a-f]{2}){16}|(?:\\u[0-9a-f]{4}){12}|(?:%[0-9a-f]{2}){32}|"
    r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{400,}",  # anchored at a run's start: linear on long runs
    re.IGNORECASE,
)
# `location=no` inside a window.open() feature string is not navigation
_REDIRECT = re.compile(r"\b(?:window|document|top|self|parent)\.location(?:\.href)?\s*=(?!=)|"
                       r"\blocation\.href\s*=(?!=)|\blocation\.(?:replace|assign)\s*\(", re.IGNORECASE)
_MANY_HIDDEN = 10
# field names that ask for secrets rather than a search term
_SECRET_FIELD = re.compile(r"pass|pwd|user|login|card|cvv|cvc|ssn|pin\b|otp|routing|iban|expir|birth|dob|"
                           r"secur|answer", re.I)
_IMAGE_ONLY_CHARS = 40


def _little_text(text: str) -> bool:
    """Fewer than _IMAGE_ONLY_CHARS non-blank characters. A long text is settled on its start:
    once a prefix holds that many, the whole does too."""
    if not text:
        return True
    if len("".join(text[:_IMAGE_ONLY_CHARS * 4].split())) >= _IMAGE_ONLY_CHARS:
        return False
    return len("".join(text.split())) < _IMAGE_ONLY_CHARS


def _clip(s: str, n: int = 160) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[:n] + "…"


def _around(text: str, m: re.Match) -> str:
    start, end = max(0, m.start() - 20), min(len(text), m.end() + 20)
    return text[start:end].encode("unicode_escape").decode("ascii")[:160]


class HtmlAnalyzer(Analyzer):
    name = "html"

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        yield from self._characters(msg)
        if not msg.html:
            return
        doc = html_document(msg.html)
        ctx.facts["html_doc"] = doc
        ctx.facts["hidden_text"] = [h.text for h in doc.hidden]

        # hidden text
        inword = [h for h in doc.hidden if h.inword]
        if inword:
            yield Finding("HTML_HIDDEN_TEXT_INWORD", "Invisible text is spliced inside visible words, a way to "
                          "break keyword filters while the reader sees the word intact.",
                          [f"{h.reason}: {_clip(h.text, 60)!r}" for h in inword[:10]])
        texts = [h for h in doc.hidden if not h.inword]
        if len(doc.hidden) >= _MANY_HIDDEN:
            yield Finding("HTML_HIDDEN_TEXT_MANY", f"The HTML hides {len(doc.hidden)} separate pieces of text from "
                          "the reader.", [f"{h.reason}: {_clip(h.text, 60)!r}" for h in doc.hidden[:10]])
        elif texts:
            yield Finding("HTML_HIDDEN_TEXT", "The HTML contains text the reader does not see.",
                          [f"{h.reason}: {_clip(h.text, 80)!r}" for h in texts[:5]])

        # forms
        from_dom = ctx.from_info.get("domain")
        from_reg = registrable_domain(from_dom) if from_dom else ""
        if doc.forms or doc.password_inputs:
            if doc.password_inputs or any(f.has_password for f in doc.forms):
                yield Finding("HTML_FORM_PASSWORD", "The message itself asks for a password in a form field.",
                              [f"form action={_clip(f.action or '(none)', 120)} fields={', '.join(f.fields[:6])}"
                               for f in doc.forms[:3]] or ["<input type=password>"])
            for f in doc.forms[:5]:
                asks = [fd for fd in f.fields if fd.startswith("password:") or _SECRET_FIELD.search(fd)]
                if asks:
                    yield Finding("HTML_FORM_CREDENTIAL", "The message contains a form asking for account or card "
                                  "details.", [f"form action={_clip(f.action or '(none)', 120)} fields="
                                               f"{', '.join(asks[:6])}"])
                elif f.method == "get":
                    continue  # a search box, as 2000s newsletters carried: nothing is collected
                yield Finding("HTML_FORM", "The message contains a form to fill in and submit.",
                              [f"form action={_clip(f.action or '(none)', 120)} method={f.method}"])
                info = parse_url(f.action) if f.action and "://" in f.action[:12] else None
                if info is not None and info.domain != from_reg:
                    yield Finding("HTML_FORM_EXTERNAL", f"A form in the message sends what is typed to "
                                  f"{info.host}.", [_clip(info.url, 200)])

        # script and self-redirects
        script_text = "\n".join(doc.scripts)
        # a <script src> link comes with its element's entry in doc.scripts (htmltext records every
        # script element it meets, up to a cap that needs scripts already recorded), so testing the
        # links as well could only repeat the answer
        if doc.scripts or doc.event_handlers:
            ev = [f"<script> {_clip(s, 100)}" for s in doc.scripts[:3] if s.strip()]
            ev += doc.event_handlers[:3]
            ev += [f"<script src={_clip(lk.url, 120)}>" for lk in doc.links if lk.source == "script"][:3]
            yield Finding("HTML_SCRIPT", "The HTML contains script.", ev or ["<script>"])
            blob = (script_text + "\n" + "\n".join(doc.event_handlers))[:200_000]
            obf = [m for m, _ in zip(_OBFUSCATED.finditer(blob), range(5), strict=False)]
            if obf:
                yield Finding("HTML_SCRIPT_OBFUSCATED", "Script in the HTML is obfuscated "
                              "(decoded or evaluated at run time).", [_around(blob, m) for m in obf])
            redir = [m for m, _ in zip(_REDIRECT.finditer(blob), range(3), strict=False)]
            if redir:
                yield Finding("HTML_SCRIPT_REDIRECT", "Script in the HTML sends the reader's browser to another "
                              "page.", [_around(blob, m) for m in redir])
        if doc.meta_refresh:
            yield Finding("HTML_META_REFRESH", "The HTML redirects itself to another page (meta refresh).",
                          [_clip(c, 200) for c in doc.meta_refresh[:3]])

        # HTML inside the HTML
        # with its spaces removed and lower-cased, such a URL starts with "d": its first character is a
        # space, "d" or "D" (no other character lower-cases to "d"), a cheap screen for most links
        embedded = [lk.url for lk in doc.links if lk.url[:1] in "dD " and lk.url[:40].lower().replace(" ", "").startswith(
            ("data:text/html", "data:application/xhtml", "data:image/svg+xml"))]
        if embedded or doc.srcdoc:
            ev = [_clip(u, 100) for u in embedded[:3]] + [f"srcdoc={_clip(s, 100)}" for s in doc.srcdoc[:3]]
            yield Finding("HTML_EMBEDDED_HTML", "The HTML embeds another document that opens as a page of its "
                          "own.", ev)

        # CSS tricks
        if doc.css_injected_text:
            yield Finding("HTML_CSS_INJECTED_TEXT", "Style sheets add text on screen that is not in the message "
                          "text.", [repr(_clip(t, 80)) for t in doc.css_injected_text[:5]])
        if doc.css_reorder:
            yield Finding("HTML_CSS_REORDER", "Style sheets reorder the text on screen, so what is read differs "
                          "from what filters see.", doc.css_reorder[:5])

        # text only in images
        if doc.images and _little_text(doc.visible_text) and _little_text(msg.text) and \
                any(lk.source in ("a", "area") for lk in doc.links):
            shown = len("".join(doc.visible_text.split()))
            plain = len("".join(msg.text.split())) if msg.text else 0
            if shown < _IMAGE_ONLY_CHARS and plain < _IMAGE_ONLY_CHARS:
                yield Finding("HTML_IMAGE_ONLY", f"The HTML shows {doc.images} image(s) and only {shown} "
                              "characters of text: the message is in the pictures.",
                              [f"{doc.images} <img>, {shown} visible characters"])

    def _characters(self, msg: Message) -> Iterator[Finding]:
        """Zero-width and bidi-override characters in the subject and visible text."""
        places = [("Subject", msg.subject), ("text", msg.text)]
        if msg.html:
            places.append(("HTML", html_document(msg.html).visible_text))
        zw: list[str] = []
        bidi: list[str] = []
        for where, text in places:
            if not text or text.isascii():
                continue
            if not any(c in text for c in _SPECIAL_CHARS):
                continue
            hits = [m for m, _ in zip(_ZW_INWORD.finditer(text), range(50), strict=False)]
            if len(hits) >= 2:
                zw.extend(f"{where}: {_around(text, m)}" for m in hits[:3])
            bd = [m for m, _ in zip(_BIDI_OVERRIDE.finditer(text), range(5), strict=False)]
            bidi.extend(f"{where}: {_around(text, m)}" for m in bd[:3])
        if zw:
            yield Finding("HTML_ZERO_WIDTH", "Invisible zero-width characters are hidden inside words.", zw)
        if bidi:
            yield Finding("HTML_BIDI_OVERRIDE", "The text contains characters that reverse the order in which it "
                          "is displayed.", bidi)


ANALYZER = HtmlAnalyzer

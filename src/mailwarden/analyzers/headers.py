"""Header-level sender facts every other analyzer builds on: the visible From and its oddities."""

from __future__ import annotations

from collections.abc import Iterator

from mailwarden.analyzers.base import Analyzer
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.message import Message
from mailwarden.sender import visible_from


class HeadersAnalyzer(Analyzer):
    name = "headers"

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        vf = visible_from(msg)
        ctx.facts["visible_from"] = vf
        ctx.from_info = vf.to_dict()
        if not vf.from_headers:
            yield Finding("FROM_MISSING", "The message has no From header.", ["(no From header)"])
        elif vf.mailbox is None or not vf.mailbox.domain:
            yield Finding("FROM_UNPARSEABLE", "The From header holds no usable address.",
                          [f"From: {vf.from_headers[0].value}"])
        if len(vf.from_headers) > 1:
            yield Finding("FROM_MULTIPLE_HEADERS", f"The message has {len(vf.from_headers)} From headers; "
                          "what you see may not be what was authenticated.",
                          [f"{h.name}: {h.value}" for h in vf.from_headers])
        if len(vf.all_mailboxes) > 1:
            yield Finding("FROM_MULTIPLE_MAILBOXES", "The From header lists several senders.",
                          [mb.address for mb in vf.all_mailboxes])
        for h in vf.from_headers:
            if h.space_before_colon:
                yield Finding("FROM_SPACE_BEFORE_COLON", "The From header has whitespace before its colon, "
                              "which mail software reads in different ways.", [h.raw.decode("latin-1")])
            if h.folded_name:
                yield Finding("FROM_FOLDED_NAME", "The From header name is folded onto another line.",
                              [h.raw.decode("latin-1")])
        for h in msg.headers:
            if h.has_nul:
                yield Finding("HEADER_NUL", f"The {h.name} header contains a NUL byte.",
                              [h.raw.decode("latin-1")])


ANALYZER = HeadersAnalyzer

"""Header-level sender facts every other analyzer builds on: the visible From and its oddities.

Facts set here:
- `ctx.facts["visible_from"]`: `sender.VisibleFrom` (the From a person sees, the other readings,
  why it is ambiguous).
- `ctx.from_info`: the CONTRACT.md `from` object, `ambiguous` included.

Each construct from "Composition Kills" (Chen, Paxson, Jiang, USENIX Security 2020) that makes
two programs disagree about the sender has its own symbol, and `FROM_AMBIGUOUS` fires on top
whenever there are two answers to "who is this from?" - the ambiguity is the attack.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailwarden.analyzers.base import Analyzer
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.message import Message
from mailwarden.psl import registrable_domain
from mailwarden.sender import visible_from

_ADDRESS_SYMBOLS = {
    "route": ("FROM_ROUTE_ADDRESS", "The From address carries a source route (@host:) that programs "
              "strip or keep differently."),
    "quoted_pair_in_address": ("FROM_QUOTED_PAIR_ADDRESS", "The From address uses backslash escapes, "
                               "so programs can read different domains out of it."),
    "quoted_at_in_local": ("FROM_QUOTED_AT_ADDRESS", "The From address hides an @ inside a quoted local "
                           "part, so it can be read as two different addresses."),
    "encoded_word_in_address": ("FROM_ENCODED_ADDRESS", "The From address itself is MIME-encoded; a mail "
                                "client may show a decoded address that was never authenticated."),
    "domain_injection": ("FROM_DOMAIN_INJECTION", "The From domain contains quotes, parentheses or spaces "
                         "that programs cut off at different places."),
    "multiple_angle": ("FROM_MULTIPLE_ANGLE", "The From mailbox has several <...> addresses."),
}
# Fields a message may hold once (Return-Path is not among them: it repeats on re-delivery).
_SINGLETONS = frozenset(("subject", "date", "message-id", "sender", "reply-to", "to"))


class HeadersAnalyzer(Analyzer):
    name = "headers"

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        vf = visible_from(msg)
        ctx.facts["visible_from"] = vf
        ctx.from_info = vf.to_dict()
        if not vf.from_headers:
            if vf.stand_in:
                kind, mb = vf.stand_in
                yield Finding("SENDER_STANDS_IN_FOR_FROM", f"The message has no From header; some mail clients "
                              f"and checkers will use its {kind.title()} header ({mb.address}) instead.",
                              [f"{kind.title()}: {mb.address}"])
            else:
                yield Finding("FROM_MISSING", "The message has no From header.", ["(no From header)"])
        elif vf.mailbox is None or not vf.mailbox.domain:
            yield Finding("FROM_UNPARSEABLE", "The From header holds no usable address.",
                          [f"From: {vf.from_headers[0].value}"])
            if vf.stand_in:
                kind, mb = vf.stand_in
                yield Finding("SENDER_STANDS_IN_FOR_FROM", f"The From header has no usable address; some mail "
                              f"clients and checkers will use the {kind.title()} header ({mb.address}) instead.",
                              [f"{kind.title()}: {mb.address}", f"From: {vf.from_headers[0].value}"])
        if len(vf.from_headers) > 1:
            yield Finding("FROM_MULTIPLE_HEADERS", f"The message has {len(vf.from_headers)} From headers; "
                          "what you see may not be what was authenticated.",
                          [f"{h.name}: {h.value}" for h in vf.from_headers])
        if vf.malformed and vf.from_headers:
            yield Finding("FROM_MALFORMED", "The From header is malformed (stray commas or brackets), though it "
                          "names one address.", [f"From: {vf.from_headers[0].value}"])
        if len(vf.all_mailboxes) > 1:
            yield Finding("FROM_MULTIPLE_MAILBOXES", "The From header lists several senders.",
                          [mb.address for mb in vf.all_mailboxes])
        for h in vf.from_headers:
            if h.space_before_colon:
                yield Finding("FROM_SPACE_BEFORE_COLON", "The From header has whitespace around its name, "
                              "which mail software reads in different ways.", [h.raw.decode("latin-1")])
            if h.folded_name:
                yield Finding("FROM_FOLDED_NAME", "The From header name is folded onto another line.",
                              [h.raw.decode("latin-1")])
        for mb in vf.all_mailboxes:
            if not mb.oddities:  # most mailboxes have none: no symbol to look for
                continue
            for odd, (symbol, sentence) in _ADDRESS_SYMBOLS.items():
                if odd in mb.oddities:
                    yield Finding(symbol, sentence, [f"From: {vf.from_headers[0].value}"])
        mb = vf.mailbox
        if mb is not None:
            if "encoded_address" in vf.display_tricks:
                yield Finding("FROM_DISPLAY_ENCODED_ADDRESS", f"The sender's name is encoded so that it "
                              f"decodes to an address ({mb.display_name!r}) while the real sender is "
                              f"{mb.address}.", [f"From: {vf.from_headers[0].value}",
                                                 f"decoded name: {mb.display_name!r}"])
            if "control_characters" in vf.display_tricks:
                yield Finding("FROM_DISPLAY_CONTROL_CHARS", "The sender's name contains control or "
                              "direction-changing characters that can hide the real address.",
                              [f"decoded name: {mb.display_name!r}"])
            shown = []
            if vf.display_domains:  # (most display names show no address)
                real = registrable_domain(mb.domain) if mb.domain else ""
                shown = [d for d in vf.display_domains if registrable_domain(d) != real]
            if shown:
                yield Finding("FROM_DISPLAY_NAME_ADDRESS", f"The sender's name shows an address at {shown[0]}, "
                              f"but the message really comes from {mb.address}.",
                              [f"From: {mb.display_name} <{mb.address}>"])
        if vf.ambiguous:
            readings = ", ".join(vf.other_readings[:3])
            also = f" (it could also be read as {readings})" if readings else ""
            shown = mb.address if mb else "(nothing usable)"
            yield Finding("FROM_AMBIGUOUS", f"Programs can disagree about who sent this message: a mail client "
                          f"shows {shown}{also}.", [f"ambiguity: {', '.join(vf.ambiguity)}"]
                          + [f"From: {h.value}" for h in vf.from_headers[:3]])
        if not msg.root.headers_nul_free:  # the parser saw no NUL in the section: no field has one
            for h in msg.headers:
                if h.has_nul:
                    yield Finding("HEADER_NUL", f"The {h.name} header contains a NUL byte.",
                                  [h.raw.decode("latin-1")])
        counts = msg.root.repeated_fields(_SINGLETONS)
        dups = list(counts)
        if dups:
            yield Finding("HEADER_DUPLICATE_SINGLETON", f"Headers that may appear only once appear several times "
                          f"({', '.join(dups)}).", [f"{k}: {counts[k]} times" for k in dups])


ANALYZER = HeadersAnalyzer

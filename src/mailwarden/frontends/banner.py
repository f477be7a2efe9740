"""A warning banner at the top of a message's text and HTML body, keeping MIME valid.

`insert_banner(raw, verdict)` returns a `BannerEdit` (the new body and the top-level
Content-* header values that must change with it) or `None` when the message is left
alone. The message is parsed with mailwarden's own bounded parser (`mailwarden.message`),
which keeps the byte offsets of every entity: the banner is spliced into the first inline
text/plain and the first inline text/html part by offset, and every other byte of the
message -- other parts, boundaries, preamble, epilogue, attachments -- is copied unchanged.

What is left alone (no banner; the verdict headers and subject tag still apply):

- signed or encrypted messages (multipart/signed, multipart/encrypted, application/pkcs7-mime,
  application/pgp-*): changing a byte would break the signature the recipient may rely on.
- messages whose MIME structure is broken (missing or unclosed boundaries, no header/body
  separator), that hit any parser budget, or are bigger than `max_bytes`.
- message/rfc822 attachments are never entered: the banner belongs to the outer message.
- a text part we cannot re-encode faithfully (unknown charset or transfer encoding, corrupt
  base64) is skipped; when no part can take the banner the message is left alone.

How an edited part is encoded:

- its Content-Transfer-Encoding is kept: 7bit/8bit/binary bodies get the banner bytes
  spliced in (the original bytes stay as they were), quoted-printable and base64 bodies are
  decoded, spliced and re-encoded in the same encoding.
- its charset is kept: the banner is encoded in the part's charset. The HTML banner is pure
  ASCII (HTML-escaped, other characters as character references), so it fits any
  ASCII-compatible charset. A plain-text banner with characters the charset lacks makes the
  part UTF-8 (only when its body decodes cleanly; otherwise those characters become '?').
- a 7bit part that would carry 8-bit bytes becomes quoted-printable, so 7-bit transports stay safe.
Header changes of a nested part are written into the body; those of a single-part message
are returned in `BannerEdit.content_headers` for the MTA to apply.
"""

from __future__ import annotations

import binascii
import functools
import html
import re
from dataclasses import dataclass

from mailwarden.limits import Limits
from mailwarden.message import Entity, Message, lookup_charset
from mailwarden.verdict import Verdict

SIGNED_TYPES = {"multipart/signed", "multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime",
                "application/pgp-encrypted", "application/pgp-signature"}
# parser defects that mean we do not know where parts begin and end: never rewrite those
_STRUCTURE_DEFECTS = {"MIME_BOUNDARY_MISSING", "MIME_UNCLOSED_MULTIPART", "HEADER_MISSING",
                      "HEADER_BODY_SEPARATOR_MISSING", "HEADER_ORPHAN_CONTINUATION"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CHARSET_PARAM = re.compile(rb"""(;\s*charset\s*=\s*)("[^"\r\n]*"|[^;\s"]*)""", re.I)
# ASCII-compatible multibyte charsets never use '<' or '>' as a trail byte, so byte searches for
# tags are safe in them; stateful ones (ISO-2022, UTF-7, HZ) and UTF-16/32 are handled as text instead.
_STATEFUL = ("iso2022", "utf_7", "hz", "utf_16", "utf_32")
_PROBE = "<body>\r\n-[]:;=?abcXYZ019 &#x;\t"

HEADLINE = {
    "tag": "Caution: this message may be a scam.",
    "quarantine": "Warning: this message is very likely phishing or fraud.",
    "reject": "Warning: this message is very likely phishing or fraud.",
}
ADVICE = "Do not click its links, call phone numbers in it or reply with personal details unless you are sure."


@dataclass
class BannerEdit:
    body: bytes  # the new body (everything after the top-level header section)
    content_headers: dict[str, str]  # top-level header name -> new value, for headers that changed


def banner_text(verdict: Verdict) -> str:
    """The plain words shown to the recipient: a headline, the verdict's summary, and advice."""
    headline = HEADLINE.get(verdict.action, HEADLINE["tag"])
    summary = _CONTROL.sub(" ", verdict.summary or "").strip()
    # the summary starts with the engine's lead word ("Suspicious: ..."); the headline already says that
    _, sep, rest = summary.partition(": ")
    if sep and len(rest) > 20:
        summary = rest
    if len(summary) > 600:
        summary = summary[:597].rstrip() + "..."
    return f"{headline} {summary} {ADVICE}".strip()


def _plain_banner(text: str, eol: str) -> str:
    rule = "-" * 72
    return f"{rule}{eol}[mailwarden] {text}{eol}{rule}{eol}{eol}"


def _html_banner(text: str) -> bytes:
    markup = ('<div style="border:2px solid #b00020;background:#fff4f4;color:#000;padding:8px 12px;'
              'margin:0 0 12px 0;font-family:sans-serif;font-size:14px" role="alert">'
              f"<strong>[mailwarden]</strong> {html.escape(text)}</div>")
    # character references keep the markup ASCII, so it fits every ASCII-compatible charset unchanged
    return markup.encode("ascii", "xmlcharrefreplace")


class _Skip(Exception):
    """This part cannot take the banner faithfully; leave it as it is."""


@functools.lru_cache(maxsize=64)
def _ascii_compatible(codec: str) -> bool:
    if codec.replace("-", "_").startswith(_STATEFUL):
        return False
    try:
        return _PROBE.encode(codec) == _PROBE.encode("ascii")
    except (UnicodeError, LookupError):
        return False


# the rest of a tag: unquoted runs and quoted values (which may hold '>'), then '>'. The three pieces
# cannot match the same byte, so a failed match backtracks linearly.
_TAG_REST = re.compile(rb"[^\"'>]*(?:(?:\"[^\"]*\"|'[^']*')[^\"'>]*)*>")
_TAG_NAME_END = (b">", b" ", b"\t", b"\r", b"\n", b"/", b"")
_RAW_TEXT = (b"script", b"style", b"title", b"textarea")
# Bounds on the search for the insertion point: real mail has its <body> tag within the first few KB
# (after at most a large <style> block); a hostile body cannot make the search cost more than this.
HTML_SEARCH_BYTES = 256 * 1024
_CANDIDATES = 32


def _tag_close(lowered: bytes, pos: int) -> int:
    """Offset just after the `>` closing the tag whose attributes start at pos (quoted values may hold
    '>'), or -1."""
    m = _TAG_REST.match(lowered, pos)
    if m:
        return m.end()
    j = lowered.find(b">", pos)  # an unclosed quote: the first '>' ends the tag, as it does for browsers
    return -1 if j < 0 else j + 1


def _hidden(lowered: bytes, i: int) -> bool:
    """Is offset i inside a comment or the text of a script/style/title element (where tags are not tags)?"""
    if lowered.rfind(b"<!--", 0, i) > lowered.rfind(b"-->", 0, i):
        return True
    return any(lowered.rfind(b"<" + n, 0, i) > lowered.rfind(b"</" + n, 0, i) for n in _RAW_TEXT)


def _tag_end(lowered: bytes, name: bytes) -> int:
    """Offset just after the first real `<name ...>` tag, or -1 (C-speed finds, at most _CANDIDATES tries)."""
    needle = b"<" + name
    pos = 0
    for _ in range(_CANDIDATES):
        i = lowered.find(needle, pos)
        if i < 0:
            return -1
        after = i + len(needle)
        if lowered[after:after + 1] in _TAG_NAME_END and not _hidden(lowered, i):
            return _tag_close(lowered, after)
        pos = after
    return -1


def html_insertion_point(body: bytes) -> int:
    """Where the banner goes in an HTML body: after <body ...>, else after </head>, else after <html ...>,
    else after a leading doctype, else at the very start. Tags inside comments (Outlook's conditional
    comments carry whole <body> tags) and inside script/style/title text do not count."""
    lowered = body[:HTML_SEARCH_BYTES].lower()
    for name in (b"body", b"/head", b"html"):
        end = _tag_end(lowered, name)
        if end >= 0:
            return end
    stripped = len(lowered) - len(lowered.lstrip())
    if lowered.startswith(b"<!doctype", stripped):
        j = lowered.find(b">", stripped)
        if j >= 0:
            return j + 1
    return 0


def _blank_line(raw: bytes, ent: Entity) -> int:
    """Offset of the empty line that ends the entity's header section, or -1 when it has none (then its
    body start is a guess, and text put there could be read as a header)."""
    b = ent.body_start
    for eol in (b"\r\n", b"\n"):
        at = b - len(eol)
        if at >= ent.start and raw[at:b] == eol and (at == ent.start or raw[at - 1:at] == b"\n"):
            return at
    return -1


def _eol(raw: bytes) -> bytes:
    nl = raw.find(b"\n")
    return b"\r\n" if nl < 0 or raw[nl - 1:nl] == b"\r" else b"\n"


def _decode_cte(raw: bytes, cte: str) -> bytes:
    if cte == "base64":
        try:
            return binascii.a2b_base64(raw.translate(None, b"\r\n \t"), strict_mode=True)
        except binascii.Error as exc:
            raise _Skip("corrupt base64") from exc
    if cte == "quoted-printable":
        return binascii.a2b_qp(raw)
    return raw


def _encode_qp(data: bytes, eol: bytes) -> bytes:
    out = binascii.b2a_qp(data, istext=True)
    # b2a_qp writes CRLF when the first line ends in CRLF, else LF: make it the message's line ending
    if eol == b"\r\n":
        return out if b"\r\n" in out or b"\n" not in out else out.replace(b"\n", b"\r\n")
    return out.replace(b"\r\n", b"\n")


def _encode_base64(data: bytes, eol: bytes, trailing: bool) -> bytes:
    text = binascii.b2a_base64(data, newline=False)
    lines = [text[i:i + 76] for i in range(0, len(text), 76)]
    return eol.join(lines) + (eol if trailing else b"")


@dataclass
class _PartEdit:
    body: bytes  # new raw (transfer-encoded) body
    charset: str | None = None  # new charset parameter, when it changed
    cte: str | None = None  # new Content-Transfer-Encoding, when it changed


def _edit_part(ent: Entity, raw_body: bytes, kind: str, text: str, eol: bytes) -> _PartEdit:
    cte = ent.transfer_encoding or "7bit"
    if cte not in ("7bit", "8bit", "binary", "quoted-printable", "base64"):
        raise _Skip(f"transfer encoding {cte}")
    label = ent.charset
    codec = lookup_charset(label) if label else "ascii"  # RFC 2045: no charset means US-ASCII
    if codec is None:
        raise _Skip(f"charset {label}")
    payload = _decode_cte(raw_body, cte)
    new_charset: str | None = None
    if _ascii_compatible(codec):
        # the banner's own lines end like the part's text (base64 text often uses LF inside CRLF mail)
        text_eol = (_eol(payload) if b"\n" in payload else eol).decode()
        # splice bytes: the original body bytes stay exactly as they were, valid or not
        if kind == "html":
            banner = _html_banner(text)
            at = html_insertion_point(payload)
            new_payload = payload[:at] + banner + payload[at:]
        else:
            banner_str = _plain_banner(text, text_eol)
            try:
                new_payload = banner_str.encode(codec) + payload
            except UnicodeError:
                try:  # the charset lacks some banner characters: make the part UTF-8 if its text allows
                    new_payload = (banner_str + payload.decode(codec)).encode("utf-8")
                    new_charset = "utf-8"
                except UnicodeError:
                    new_payload = banner_str.encode(codec, "replace") + payload
    else:
        try:
            body_text = payload.decode(codec)
        except (UnicodeError, LookupError) as exc:
            raise _Skip(f"body does not decode as {codec}") from exc
        text_eol = "\r\n" if "\r\n" in body_text else "\n" if "\n" in body_text else eol.decode()
        if kind == "html":
            banner_str = _html_banner(text).decode("ascii")
            at = _text_insertion_point(body_text)
            new_text = body_text[:at] + banner_str + body_text[at:]
        else:
            new_text = _plain_banner(text, text_eol) + body_text
        try:
            new_payload = new_text.encode(codec)
        except UnicodeError:
            new_payload, new_charset = new_text.encode("utf-8"), "utf-8"
    new_cte = None
    if cte == "base64":
        body = _encode_base64(new_payload, eol, raw_body.endswith(b"\n"))
    elif cte == "quoted-printable":
        body = _encode_qp(new_payload, eol)
    elif cte == "7bit" and not new_payload.isascii():
        body, new_cte = _encode_qp(new_payload, eol), "quoted-printable"
    else:
        body = new_payload
    return _PartEdit(body, new_charset, new_cte)


def _text_insertion_point(body_text: str) -> int:
    """html_insertion_point for decoded text (stateful or 16/32-bit charsets), in characters."""
    # tags are ASCII, so they survive encoding the text to UTF-8; map the byte offset back to characters
    data = body_text.encode("utf-8", "surrogatepass")
    at = html_insertion_point(data)
    return len(data[:at].decode("utf-8", "surrogatepass"))


def _header_fields(raw: bytes, start: int, end: int) -> list[tuple[int, int, bytes]]:
    """(start, end, lower-case name) of each header field between start and end (end = the blank line)."""
    fields: list[tuple[int, int, bytes]] = []
    pos = start
    while pos < end:
        nl = raw.find(b"\n", pos, end)
        line_end = end if nl < 0 else nl + 1
        if raw[pos:pos + 1] in (b" ", b"\t") and fields:
            fields[-1] = (fields[-1][0], line_end, fields[-1][2])
        else:
            fields.append((pos, line_end, raw[pos:line_end].split(b":", 1)[0].strip().lower()))
        pos = line_end
    return fields


def _content_type_value(current: bytes, charset: str | None) -> bytes:
    if charset is None:
        return current
    new, n = _CHARSET_PARAM.subn(lambda m: m.group(1) + charset.encode(), current, count=1)
    if n:
        return new
    return current.rstrip() + b"; charset=" + charset.encode()


def _raw_header_value(raw: bytes, fields: list[tuple[int, int, bytes]], name: bytes) -> bytes | None:
    for s, e, n in fields:
        if n == name:
            return b" ".join(raw[s:e].split(b":", 1)[1].split())
    return None


def _inline_text_parts(msg: Message) -> tuple[Entity | None, Entity | None]:
    plain = htmlpart = None
    inside_message: set[int] = set()  # entities within an attached message/rfc822
    for ent in msg.entities:  # document order: parents before children
        parent = ent.parent
        if parent is not None and (parent.index in inside_message or parent.content_type.startswith("message/")):
            inside_message.add(ent.index)
            continue
        if ent.is_multipart or ent.children:
            continue
        if ent.disposition[0] not in ("", "inline") or ent.filename:
            continue
        ctype = ent.content_type
        if ctype == "text/plain" and plain is None:
            plain = ent
        elif ctype == "text/html" and htmlpart is None:
            htmlpart = ent
    return plain, htmlpart


def insert_banner(raw: bytes, verdict: Verdict, max_bytes: int = 5 * 1024 * 1024) -> BannerEdit | None:
    """The message with a banner on its first inline text and HTML parts, or None to leave it alone."""
    if len(raw) > max_bytes:
        return None
    msg = Message.parse(raw, Limits(max_message_bytes=max(max_bytes, len(raw))))
    entities = msg.entities
    if msg.limit_hits or msg.mbox_from_line is not None:
        return None
    if any(e.content_type in SIGNED_TYPES for e in entities):
        return None
    if any(d.symbol in _STRUCTURE_DEFECTS for d in msg.defects):
        return None
    root = msg.root
    if _blank_line(raw, root) < 0:
        return None  # no blank line after the header section: nowhere safe to put a body
    plain, htmlpart = _inline_text_parts(msg)
    if plain is None and htmlpart is None:
        return None
    text = banner_text(verdict)
    eol = _eol(raw)
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement) on raw, non-overlapping
    content_headers: dict[str, str] = {}
    for ent, kind in ((plain, "plain"), (htmlpart, "html")):
        if ent is None:
            continue
        blank = _blank_line(raw, ent)
        if blank < 0:
            continue
        try:
            part = _edit_part(ent, raw[ent.body_start:ent.end], kind, text, eol)
        except _Skip:
            continue
        edits.append((ent.body_start, ent.end, part.body))
        if part.charset is None and part.cte is None:
            continue
        fields = _header_fields(raw, ent.start, blank)
        ctype = _raw_header_value(raw, fields, b"content-type") or f"text/{kind}".encode()
        changes = {}
        if part.charset is not None:
            changes[b"content-type"] = (b"Content-Type", _content_type_value(ctype, part.charset))
        if part.cte is not None:
            changes[b"content-transfer-encoding"] = (b"Content-Transfer-Encoding", part.cte.encode())
        if ent is root:
            for canonical, value in changes.values():
                content_headers[canonical.decode()] = value.decode("utf-8", "replace")
            if msg.header("mime-version") is None:
                content_headers["MIME-Version"] = "1.0"
            continue
        # a nested part: rewrite its header section in the body, other fields byte for byte
        head = bytearray()
        for s, e, name in fields:
            if name in changes:
                canonical, value = changes.pop(name)
                head += canonical + b": " + value + eol
            else:
                head += raw[s:e]
        for canonical, value in changes.values():  # fields the part did not have
            head += canonical + b": " + value + eol
        edits.append((ent.start, blank, bytes(head)))
    if not edits:
        return None
    edits.sort()
    out = bytearray()
    pos = root.body_start
    for start, end, replacement in edits:
        out += raw[pos:start]
        out += replacement
        pos = end
    out += raw[pos:]
    return BannerEdit(bytes(out), content_headers)

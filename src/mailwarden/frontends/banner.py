"""A warning banner at the top of a message's text and HTML body, keeping MIME valid.

`insert_banner(raw, verdict)` returns a `BannerEdit` (the new body and the top-level
Content-* header values that must change with it) or `None` when the message is left
alone. The safe approach for messages we must not or cannot rewrite:

- signed or encrypted messages (multipart/signed, multipart/encrypted, application/pkcs7-mime,
  application/pgp-*) are never rewritten: changing a byte would break the signature the
  recipient may rely on. They get the X-Mailwarden-* headers and the subject tag only.
- messages whose MIME structure is broken (missing boundaries), bigger than `max_bytes`, or
  without any inline text/plain or text/html part are left alone for the same reason.
- message/rfc822 attachments are never entered: the banner belongs to the outer message.

Edited parts are decoded, prefixed, and re-encoded as UTF-8 with a transfer encoding the
`email` package picks for the new text (quoted-printable or base64), so 7-bit transports
stay safe. Other parts are written back unchanged.
"""

from __future__ import annotations

import email.policy
import html
import re
from dataclasses import dataclass
from email import errors as email_errors
from email.message import EmailMessage
from email.parser import BytesParser

from mailwarden.verdict import Verdict

SIGNED_TYPES = {"multipart/signed", "multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime",
                "application/pgp-encrypted", "application/pgp-signature"}
_STRUCTURE_DEFECTS = (email_errors.StartBoundaryNotFoundDefect, email_errors.CloseBoundaryNotFoundDefect,
                      email_errors.MultipartInvariantViolationDefect, email_errors.NoBoundaryInMultipartDefect)
_KEEP_HEADERS = ("content-disposition", "content-id", "content-language", "content-description")
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

HEADLINE = {
    "tag": "Caution: this message may be a scam.",
    "quarantine": "Warning: this message is very likely phishing or fraud.",
    "reject": "Warning: this message is very likely phishing or fraud.",
}
ADVICE = "Do not click its links, call phone numbers in it or reply with personal details unless you are sure."


@dataclass
class BannerEdit:
    body: bytes  # the new body (everything after the top-level header section), CRLF line ends
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


def _plain_banner(text: str) -> str:
    rule = "-" * 72
    return f"{rule}\n[mailwarden] {text}\n{rule}\n\n"


def _html_banner(text: str) -> str:
    return ('<div style="border:2px solid #b00020;background:#fff4f4;color:#000;padding:8px 12px;'
            'margin:0 0 12px 0;font-family:sans-serif;font-size:14px" role="alert">'
            f"<strong>[mailwarden]</strong> {html.escape(text)}</div>")


def _inline_text_parts(msg: EmailMessage) -> tuple[EmailMessage | None, EmailMessage | None]:
    plain = htmlpart = None
    stack = [msg]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        if ctype in SIGNED_TYPES:
            continue
        if part.is_multipart():
            if ctype == "message/rfc822":
                continue
            stack = list(part.iter_parts()) + stack
            continue
        if (part.get_content_disposition() or "inline") != "inline" or part.get_filename():
            continue
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and htmlpart is None:
            htmlpart = part
    return plain, htmlpart


def _rewrite(part: EmailMessage, new_text: str, subtype: str) -> None:
    kept = [(k, v) for k, v in part.items() if k.lower() in _KEEP_HEADERS]
    part.set_content(new_text, subtype=subtype, charset="utf-8")
    for k, v in kept:
        if k not in part:
            part[k] = v


def _is_signed(msg: EmailMessage) -> bool:
    return any(p.get_content_type() in SIGNED_TYPES for p in msg.walk())


def insert_banner(raw: bytes, verdict: Verdict, max_bytes: int = 5 * 1024 * 1024) -> BannerEdit | None:
    """The message with a banner on its first inline text and HTML parts, or None to leave it alone."""
    if len(raw) > max_bytes:
        return None
    try:
        msg = BytesParser(policy=email.policy.SMTP).parsebytes(raw)
    except Exception:  # noqa: BLE001 - a message we cannot parse is one we do not rewrite
        return None
    if _is_signed(msg) or any(isinstance(d, _STRUCTURE_DEFECTS) for p in msg.walk() for d in p.defects):
        return None
    plain, htmlpart = _inline_text_parts(msg)
    if plain is None and htmlpart is None:
        return None
    text = banner_text(verdict)
    before = {k.lower(): str(v) for k, v in msg.items()
              if k.lower().startswith("content-") or k.lower() == "mime-version"}
    try:
        if plain is not None:
            _rewrite(plain, _plain_banner(text) + plain.get_content(), "plain")
        if htmlpart is not None:
            body = htmlpart.get_content()
            banner = _html_banner(text)
            m = _BODY_TAG.search(body)
            if m:
                body = body[:m.end()] + banner + body[m.end():]
            else:
                body = banner + body
            _rewrite(htmlpart, body, "html")
        out = msg.as_bytes(policy=email.policy.SMTP)
    except Exception:  # noqa: BLE001 - unknown charsets, odd encodings: leave the message as it was
        return None
    head, sep, body_bytes = out.partition(b"\r\n\r\n")
    if not sep:
        return None
    changed: dict[str, str] = {}
    after = BytesParser(policy=email.policy.compat32).parsebytes(head + b"\r\n\r\n", headersonly=True)
    for name in ("Content-Type", "Content-Transfer-Encoding", "MIME-Version"):
        new = after.get(name)
        if new is not None and " ".join(str(new).split()) != " ".join(before.get(name.lower(), "").split()):
            changed[name] = " ".join(str(new).split())
    if "mime-version" not in before:
        changed["MIME-Version"] = "1.0"
    return BannerEdit(body_bytes, changed)

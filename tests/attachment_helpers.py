"""Builders for attachment tests: messages with attachments, zips, PDFs, QR images, OLE/OOXML files.

Every sample is generated here; nothing is copied from elsewhere.
"""

from __future__ import annotations

import base64
import io
import zipfile

from mailwarden.engine import Engine


def message_with(attachments: list[tuple[str | None, str, bytes]], body: str = "Please see the attached file.",
                 subject: str = "Documents", inline: bool = False) -> bytes:
    """A multipart/mixed message; each attachment is (filename, content type, bytes)."""
    b = "==att-test-boundary=="
    parts = [f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"]
    for name, ctype, data in attachments:
        disp = "inline" if inline else "attachment"
        head = f"Content-Type: {ctype}" + (f'; name="{name}"' if name else "")
        cd = f"Content-Disposition: {disp}" + (f'; filename="{name}"' if name else "")
        enc = base64.encodebytes(data).decode().replace("\n", "\r\n")
        parts.append(f"--{b}\r\n{head}\r\n{cd}\r\nContent-Transfer-Encoding: base64\r\n\r\n{enc}")
    raw = (f"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: {subject}\r\n"
           f"Message-ID: <att-test@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
           f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n' + "".join(parts) + f"--{b}--\r\n")
    return raw.encode("utf-8")


_ENGINE: Engine | None = None


def attachment_engine() -> Engine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine(analyzers=["attachments"])
    return _ENGINE


def scan_symbols(raw: bytes) -> set[str]:
    return {f.symbol for f in attachment_engine().scan(raw).findings}


def analyze(raw: bytes) -> tuple[set[str], dict]:
    """Run the attachments analyzer alone and return (symbols, facts)."""
    import time

    from mailwarden.analyzers.attachments import AttachmentsAnalyzer
    from mailwarden.context import ScanContext
    from mailwarden.envelope import derive_envelope
    from mailwarden.message import Message

    eng = attachment_engine()
    msg = Message.parse(raw)
    ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 10)
    an = AttachmentsAnalyzer()
    an.setup(eng)
    findings = list(an.analyze(msg, ctx))
    for f in findings:
        assert f.evidence, f.symbol
    return {f.symbol for f in findings}, ctx.facts


def make_zip(members: dict[str, bytes], encrypt: bool = False, deflate: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    data = buf.getvalue()
    if encrypt:
        data = _set_encrypted_flag(data)
    return data


def _set_encrypted_flag(data: bytes) -> bytes:
    """Mark every member as traditionally encrypted (flag bit 0) in local and central headers.

    The standard library cannot write encrypted zips; the flag is what scanners (and unzip) read to
    decide a member needs a password, so this is the property under test.
    """
    out = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = out.find(sig)
        while i >= 0:
            out[i + off] |= 0x01
            i = out.find(sig, i + 4)
    return bytes(out)


PE_STUB = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"\x40\x00\x00\x00" + \
    b"PE\x00\x00" + b"\x00" * 200


def qr_png(text: str, scale: int = 6) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def plain_png(w: int = 120, h: int = 80) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (w, h), (200, 220, 240))
    ImageDraw.Draw(img).rectangle((10, 10, w - 10, h - 10), outline=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()

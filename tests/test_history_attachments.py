"""Attachment hashes link messages into a campaign; inline logos do not."""

from __future__ import annotations

import base64

from mailwarden.config import Config
from mailwarden.engine import Engine

LOGO = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"logo-bytes" * 50).decode()
DOC = base64.b64encode(b"%PDF-1.4\n" + b"invoice payload " * 40).decode()


def mail(i: int, words: str, *, doc: bool, logo: bool) -> bytes:
    parts = [f"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{words}\r\n"]
    if logo:
        parts.append("--b\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline; "
                     f'filename="logo.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n{LOGO}\r\n')
    if doc:
        parts.append('--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="inv.pdf"'
                     f"\r\nContent-Transfer-Encoding: base64\r\n\r\n{DOC}\r\n")
    head = (f"From: s{i}@sender{i}.test\r\nTo: me@corp.example\r\nSubject: note {i}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n')
    return (head + "".join(parts) + "--b--\r\n").encode()


TEXTS = ["alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november",
         "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu one two",
         "red orange yellow green blue indigo violet black white grey brown pink purple cyan"]


def test_shared_attachment_links_but_shared_logo_does_not(tmp_path):
    e = Engine(config=Config(sections={"history": {"first_contact_warmup": 0}}), state_dir=str(tmp_path))
    a = e.scan(mail(1, TEXTS[0], doc=False, logo=True))
    b = e.scan(mail(2, TEXTS[1], doc=False, logo=True))
    assert a.campaign is None and b.campaign is None
    e.scan(mail(3, TEXTS[2], doc=True, logo=False))
    d = e.scan(mail(4, TEXTS[0].upper(), doc=True, logo=True))
    assert d.campaign is not None
    pivots = e.store.campaign(d.campaign)["pivots"]
    assert [p["kind"] for p in pivots if p["kind"] != "text"] == ["attachment"]

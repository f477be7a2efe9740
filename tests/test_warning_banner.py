"""The warning banner: first inline text and HTML parts get it, MIME stays valid, nothing else changes."""

from __future__ import annotations

import base64
import email
import email.policy

from mailwarden.frontends.banner import banner_text, insert_banner
from mailwarden.verdict import Verdict

V = Verdict(action="quarantine", score=12.0, findings=[],
            summary="Likely phishing or fraud: The organisation name in this Microsoft notice contains a phone "
                    "number <+1 800 555 0100>, a common scam.")


def rebuild(raw: bytes, edit) -> email.message.EmailMessage:
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    lines = [line for line in head.split("\r\n")]
    out = []
    for line in lines:
        name = line.split(":", 1)[0]
        if name in edit.content_headers:
            continue
        out.append(line)
    out += [f"{k}: {v}" for k, v in edit.content_headers.items()]
    return email.message_from_bytes("\r\n".join(out).encode() + b"\r\n\r\n" + edit.body, policy=email.policy.default)


def test_banner_words_come_from_the_summary():
    text = banner_text(V)
    assert text.startswith("Warning: this message is very likely phishing or fraud.")
    assert "contains a phone number" in text and "Likely phishing or fraud:" not in text


def test_single_part_latin1_base64_is_reencoded_and_headers_follow():
    body = base64.b64encode("Olá, sua conta será bloqueada.\n".encode("latin-1"))
    raw = (b"From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body + b"\r\n")
    edit = insert_banner(raw, V)
    assert edit is not None and "Content-Type" in edit.content_headers
    msg = rebuild(raw, edit)
    text = msg.get_content()
    assert text.index("[mailwarden]") < text.index("Olá, sua conta será bloqueada.")
    assert msg.get_content_charset() == "utf-8"


def test_html_only_message_gets_escaped_banner_after_body_tag():
    raw = (b"From: a@example.net\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><head><title>t</title></head><BODY bgcolor=white><p>Pay now</p></BODY></html>\r\n")
    edit = insert_banner(raw, V)
    html = rebuild(raw, edit).get_content()
    assert html.index("<BODY bgcolor=white>") < html.index("[mailwarden]") < html.index("Pay now")
    assert "&lt;+1 800 555 0100&gt;" in html and "<+1 800" not in html


def test_attachments_and_forwarded_messages_are_left_byte_for_byte():
    pdf = base64.b64encode(b"%PDF-1.4 fake pdf bytes " * 20)
    raw = (b"From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n"
           b"--MIX\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee attached invoice.\r\n"
           b"--MIX\r\nContent-Type: message/rfc822\r\n\r\n"
           b"From: b@example.net\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\ninner text\r\n"
           b"--MIX\r\nContent-Type: application/pdf; name=\"inv.pdf\"\r\nContent-Disposition: attachment; "
           b"filename=\"inv.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + pdf + b"\r\n--MIX--\r\n")
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    msg = rebuild(raw, edit)
    parts = list(msg.iter_parts())
    assert parts[0].get_content().startswith("-" * 72)
    assert "[mailwarden]" not in parts[1].as_string()
    assert parts[2].get_content() == b"%PDF-1.4 fake pdf bytes " * 20
    assert pdf in edit.body


def test_messages_left_alone():
    signed = (b"From: a@example.net\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n")
    broken = (b"From: a@example.net\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
              b"--B\r\nContent-Type: text/plain\r\n\r\nno closing boundary\r\n")
    attachment_only = (b"From: a@example.net\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment\r\n"
                       b"\r\nJVBERi0=\r\n")
    for raw in (signed, broken, attachment_only):
        assert insert_banner(raw, V) is None
    assert insert_banner(b"From: a@example.net\r\n\r\n" + b"x" * 2000, V, max_bytes=1000) is None

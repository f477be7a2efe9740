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


def test_single_part_latin1_base64_keeps_its_charset_and_encoding():
    body = base64.b64encode("Olá, sua conta será bloqueada.\n".encode("latin-1"))
    raw = (b"From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body + b"\r\n")
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    msg = rebuild(raw, edit)
    text = msg.get_content()
    assert text.index("[mailwarden]") < text.index("Olá, sua conta será bloqueada.")
    assert msg.get_content_charset() == "iso-8859-1" and msg["Content-Transfer-Encoding"] == "base64"
    assert all(len(line) <= 76 for line in edit.body.split(b"\r\n"))


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


HEAD = b"From: a@example.net\r\nTo: b@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"


def _assert_clean(msg) -> None:
    assert not [d for part in msg.walk() for d in part.defects]


def test_quoted_printable_body_stays_quoted_printable_in_its_charset():
    raw = (HEAD + b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"Caf=E9 cr=E8me: your account =3D locked. Call now, a very long line that goes on and on and on =\r\n"
           b"and continues here.\r\n")
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    msg = rebuild(raw, edit)
    _assert_clean(msg)
    text = msg.get_content().replace("\r\n", "\n")
    assert text.startswith("-" * 72 + "\n[mailwarden] Warning:")
    assert "Café crème: your account = locked. Call now, a very long line that goes on and on and on and " \
           "continues here." in text
    assert msg.get_content_charset() == "iso-8859-1" and msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert all(len(line) <= 76 for line in edit.body.split(b"\r\n"))


def test_base64_html_gets_banner_after_body_tag_and_is_reencoded():
    page = "<html><body dir=ltr><p>Sua fatura está disponível</p></body></html>\n"
    raw = (HEAD + b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(page.encode()).replace(b"\n", b"\r\n"))
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    got = rebuild(raw, edit).get_content()
    assert got.index("<body dir=ltr>") < got.index("[mailwarden]") < got.index("Sua fatura está disponível")
    assert got.endswith("</body></html>\n")


def test_shift_jis_html_keeps_its_bytes_and_charset():
    page = "<html><body><p>お客様のアカウントは停止されました</p></body></html>\r\n".encode("shift_jis")
    raw = HEAD + b"Content-Type: text/html; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + page
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    assert edit.body.replace(edit.body[edit.body.index(b"<div"):edit.body.index(b"</div>") + 6], b"") == page
    got = rebuild(raw, edit).get_content()
    assert got.index("<body>") < got.index("[mailwarden]") < got.index("お客様のアカウント")


def test_utf16_text_is_decoded_and_reencoded_in_utf16():
    body = base64.encodebytes("Ihre Zahlung ist fällig.\r\n".encode("utf-16")).replace(b"\n", b"\r\n")
    raw = HEAD + b"Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    msg = rebuild(raw, edit)
    assert msg.get_content_charset() == "utf-16"
    text = msg.get_content()
    assert text.index("[mailwarden]") < text.index("Ihre Zahlung ist fällig.")


def test_banner_characters_missing_from_the_charset_make_the_part_utf8():
    v = Verdict(action="tag", score=6.0, findings=[],
                summary="Suspicious: The sender name imitates Ѕberbank with a Cyrillic letter, a common trick.")
    raw = (HEAD + b"Content-Type: multipart/mixed; boundary=\"M\"\r\n\r\n--M\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1; format=flowed\r\nX-Part: keep me\r\n\r\nCaf\xe9\r\n--M--\r\n")
    edit = insert_banner(raw, v)
    assert edit is not None and edit.content_headers == {}
    assert b"X-Part: keep me\r\n" in edit.body
    part = next(iter(rebuild(raw, edit).iter_parts()))
    assert part.get_content_charset() == "utf-8" and part.get_param("format") == "flowed"
    assert part["Content-Transfer-Encoding"] == "quoted-printable"  # it was 7bit (no header): 8-bit bytes now
    text = part.get_content()
    assert "imitates Ѕberbank" in text and text.endswith("\r\n\r\nCafé")


def test_single_part_7bit_with_non_ascii_banner_changes_top_level_headers():
    v = Verdict(action="tag", score=6.0, findings=[], summary="Suspicious: The display name says “Apple Support” "
                "but the address is elsewhere.")
    raw = b"From: a@example.net\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    edit = insert_banner(raw, v)
    assert edit is not None
    assert edit.content_headers == {"Content-Type": "text/plain; charset=utf-8",
                                    "Content-Transfer-Encoding": "quoted-printable", "MIME-Version": "1.0"}
    text = rebuild(raw, edit).get_content()
    assert "“Apple Support”" in text and text.endswith("\r\n\r\nhello\r\n")


def test_multipart_alternative_gets_a_banner_in_both_parts():
    raw = (HEAD + b"Content-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\npreamble\r\n"
           b"--ALT\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPay the invoice.\r\n"
           b"--ALT\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<HTML><BODY>Pay the invoice.</BODY></HTML>\r\n"
           b"--ALT--\r\nepilogue\r\n")
    edit = insert_banner(raw, V)
    msg = rebuild(raw, edit)
    _assert_clean(msg)
    plain = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    assert plain.index("[mailwarden]") < plain.index("Pay the invoice.")
    assert page.index("<BODY>") < page.index("[mailwarden]") < page.index("Pay the invoice.")
    assert edit.body.startswith(b"preamble\r\n--ALT\r\n") and edit.body.endswith(b"--ALT--\r\nepilogue\r\n")


def test_nested_mixed_message_keeps_every_other_byte():
    pdf = base64.encodebytes(bytes(range(256)) * 8).replace(b"\n", b"\r\n")
    text_part = b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee the attached invoice.\r\n"
    before = (HEAD + b"Content-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n"
              b"--OUT\r\nContent-Type: multipart/alternative; boundary=\"IN\"\r\n\r\n--IN\r\n")
    after = (b"--IN\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
             b"<p>See the attached invoice.</p>\r\n--IN--\r\n"
             b"--OUT\r\nContent-Type: application/pdf; name=\"inv.pdf\"\r\nContent-Disposition: attachment; "
             b"filename=\"inv.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + pdf +
             b"--OUT\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; "
             b"filename=\"notes.txt\"\r\n\r\nnot a body\r\n--OUT--\r\n")
    raw = before + text_part + after
    edit = insert_banner(raw, V)
    assert edit is not None and edit.content_headers == {}
    body_before = before.split(b"\r\n\r\n", 1)[1]
    assert edit.body.startswith(body_before + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + b"-" * 72)
    tail = edit.body[edit.body.index(b"--OUT\r\nContent-Type: application/pdf"):]
    assert tail == after[after.index(b"--OUT\r\nContent-Type: application/pdf"):]
    msg = rebuild(raw, edit)
    _assert_clean(msg)
    attachments = list(msg.iter_attachments())
    assert attachments[0].get_content() == bytes(range(256)) * 8
    assert attachments[1].get_content() == "not a body"
    assert "[mailwarden]" in msg.get_body(("html",)).get_content()


def test_html_without_body_tag():
    cases = {
        b"<html><head><title>t</title></head><p>Pay now</p></html>": b"</head>",
        b"<html lang=en><p>Pay now</p></html>": b"<html lang=en>",
        b"<!DOCTYPE html>\r\n<p>Pay now</p>": b"<!DOCTYPE html>",
        b"<p>Pay now</p><bodyguard>": b"",
    }
    for page, anchor in cases.items():
        raw = HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + page + b"\r\n"
        edit = insert_banner(raw, V)
        assert edit is not None
        assert edit.body.index(b"<div ") == edit.body.index(anchor) + len(anchor), page
        assert edit.body.index(b"[mailwarden]") < edit.body.index(b"Pay now")


def test_text_part_that_is_an_attachment_gets_no_banner():
    notes = (b"--M\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\n"
             b"\r\nattached words\r\n")
    only_attached = HEAD + b"Content-Type: multipart/mixed; boundary=\"M\"\r\n\r\n" + notes + b"--M--\r\n"
    assert insert_banner(only_attached, V) is None
    with_html = (HEAD + b"Content-Type: multipart/mixed; boundary=\"M\"\r\n\r\n" + notes
                 + b"--M\r\nContent-Type: text/html\r\n\r\n<body>inline words</body>\r\n--M--\r\n")
    edit = insert_banner(with_html, V)
    assert edit is not None and notes in edit.body
    assert edit.body.count(b"[mailwarden]") == 1 and b"<body><div " in edit.body


def test_malformed_or_unrewritable_mime_is_left_alone():
    cases = [
        # boundary parameter missing
        HEAD + b"Content-Type: multipart/mixed\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n--X--\r\n",
        # boundary never appears
        HEAD + b"Content-Type: multipart/mixed; boundary=\"Q\"\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n",
        # no blank line between header and body
        b"From: a@example.net\r\nSubject: x\r\nthis is not a header\r\n",
        # corrupt base64 in the only text part
        HEAD + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=!!notbase64\r\n",
        # a transfer encoding we do not write
        HEAD + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n",
        # a charset we do not know
        HEAD + b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nhello\r\n",
        # mbox separator line: not a message as an MTA hands it over
        b"From someone@example.net Tue Nov 17 09:12:03 2026\r\n" + HEAD + b"\r\nhello\r\n",
    ]
    for raw in cases:
        assert insert_banner(raw, V) is None, raw


def test_too_deep_nesting_hits_the_parser_budget_and_is_left_alone():
    raw = HEAD + b"Content-Type: multipart/mixed; boundary=\"B0\"\r\n\r\n"
    for i in range(1, 80):
        raw += f"--B{i - 1}\r\nContent-Type: multipart/mixed; boundary=\"B{i}\"\r\n\r\n".encode()
    raw += b"--B79\r\nContent-Type: text/plain\r\n\r\ndeep\r\n"
    assert insert_banner(raw, V) is None


def test_part_without_a_header_separator_is_not_given_a_banner_that_would_read_as_headers():
    # an empty part (delimiter, then at once the closing delimiter) defaults to text/plain but has no
    # blank line: anything spliced at its start would become its header section
    raw = (HEAD + b"Content-Type: multipart/mixed; boundary=\"E\"\r\n\r\n"
           b"--E\r\nContent-Type: text/html\r\n\r\n<body>words</body>\r\n--E\r\n\r\n--E--\r\n")
    edit = insert_banner(raw, V)
    assert edit is not None and edit.body.count(b"[mailwarden]") == 1
    assert edit.body.endswith(b"</div>words</body>\r\n--E\r\n\r\n--E--\r\n")
    _assert_clean(rebuild(raw, edit))


def test_body_tags_in_comments_scripts_and_attributes_do_not_place_the_banner():
    from mailwarden.frontends.banner import html_insertion_point

    page = (b"<html><head><!-- <body> --><script>var a = \"<body>\";</script><title><BODY></title></head>"
            b"<!--[if mso]><body class=mso><![endif]--><!--[if !mso]><!--><body onload=\"go('a>b')\" class=x>")
    assert page[:html_insertion_point(page + b"Pay now")].endswith(b"class=x>")
    # hostile bodies: the search is bounded, whatever the input
    for hostile in (b"<" * 2_000_000, b"<body" * 500_000, b"<body \"" + b"\"" * 2_000_000, b"<!--" * 500_000):
        assert html_insertion_point(hostile) == 0

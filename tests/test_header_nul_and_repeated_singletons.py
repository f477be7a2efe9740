"""HEADER_NUL and HEADER_DUPLICATE_SINGLETON, whichever way the parser read the header section.

The headers analyzer skips its per-field NUL check when the parser's one scan of the section found
no NUL, and counts repeated singleton fields from the header index; these tests pin what it reports
for clean, 8-bit and malformed sections.
"""

from __future__ import annotations

from mailwarden.analyzers.headers import HeadersAnalyzer
from mailwarden.message import Message


class _Ctx:
    def __init__(self) -> None:
        self.facts: dict = {}
        self.from_info: dict = {}


def _findings(raw: bytes) -> dict:
    msg = Message.parse(raw)
    return {f.symbol: f for f in HeadersAnalyzer().analyze(msg, _Ctx())}


def test_repeated_singletons_listed_in_order_of_first_appearance() -> None:
    raw = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: one\r\nX-Other: 1\r\nTo: c@example.org\r\n"
           b"Subject: two\r\nSubject: three\r\nX-Other: 2\r\nReturn-Path: <a@example.org>\r\n"
           b"Return-Path: <a@example.org>\r\n\r\nbody\r\n")
    f = _findings(raw)["HEADER_DUPLICATE_SINGLETON"]
    assert "(to, subject)" in f.detail
    assert f.evidence == ["to: 2 times", "subject: 3 times"]


def test_field_names_are_counted_case_insensitively() -> None:
    raw = b"From: a@example.org\r\nDATE: x\r\ndate: y\r\n\r\nbody\r\n"
    assert _findings(raw)["HEADER_DUPLICATE_SINGLETON"].evidence == ["date: 2 times"]


def test_no_repeats_no_finding() -> None:
    raw = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: one\r\nReceived: x\r\nReceived: y\r\n\r\nbody\r\n"
    assert "HEADER_DUPLICATE_SINGLETON" not in _findings(raw)


def test_nul_found_in_clean_eight_bit_and_malformed_sections() -> None:
    clean = b"From: a@example.org\r\nSubject: x\x00y\r\n\r\nbody\r\n"
    eight_bit = "From: José <a@example.org>\r\nSubject: x\x00y\r\n\r\nbody\r\n".encode()
    malformed = b"From: a@example.org\r\nSubject: x\x00y\r\nnot a header line\r\n\r\nbody\r\n"
    for raw in (clean, eight_bit, malformed):
        f = _findings(raw)
        assert "HEADER_NUL" in f, raw
        assert f["HEADER_NUL"].detail == "The Subject header contains a NUL byte."


def test_no_nul_no_finding_in_eight_bit_section() -> None:
    raw = "From: José <a@example.org>\r\nSubject: café\r\n\r\nbody\r\n".encode()
    msg = Message.parse(raw)
    assert msg.root.headers_nul_free
    assert not any(h.has_nul for h in msg.headers)
    assert "HEADER_NUL" not in _findings(raw)

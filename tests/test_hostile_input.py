"""Generated pathological inputs: each ends in a verdict with the right finding, never an exception."""

import pytest

from mailwarden.engine import Engine
from mailwarden.limits import Limits
from mailwarden.message import Message


def deep_nesting(n: int) -> bytes:
    head = b"From: a@example.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    body = b"".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode() for i in range(n))
    tail = b"".join(f"\r\n--b{i}--".encode() for i in reversed(range(n)))
    return head + body + b"Content-Type: text/plain\r\n\r\nhello" + tail + b"\r\n"


def many_parts(n: int) -> bytes:
    part = b"--x\r\nContent-Type: text/plain\r\n\r\npart\r\n"
    return (b"From: a@example.test\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
            + part * n + b"--x--\r\n")


def encoded_word_bomb() -> bytes:
    word = b"=?utf-8?b?" + b"QUFB" * 10 + b"?="
    return b"From: a@example.test\r\nSubject: " + b" ".join([word] * 4500) + b"\r\n\r\nbody\r\n"


def huge_header_section() -> bytes:
    return (b"From: a@example.test\r\n" + b"".join(f"X-Filler-{i}: {'v' * 100}\r\n".encode() for i in range(5000))
            + b"\r\nbody\r\n")


CASES = {
    "deep nesting": (lambda: deep_nesting(1000), "MIME_TOO_DEEP"),
    "100,000 parts": (lambda: many_parts(100_000), "MIME_TOO_MANY_PARTS"),
    "encoded-word bomb": (encoded_word_bomb, "ENCODED_WORDS_TOO_MANY"),
    "huge header section": (huge_header_section, "HEADER_TOO_LARGE"),
    "NUL in From": (lambda: b"From: a@example.test\x00evil@attacker.test\r\nSubject: x\r\n\r\nbody\r\n", "HEADER_NUL"),
    "missing boundary": (lambda: b"From: a@example.test\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nhi\r\n",
                         "MIME_BOUNDARY_MISSING"),
    "boundary never used": (lambda: b"From: a@example.test\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
                            b"--x\r\nhi\r\n", "MIME_BOUNDARY_MISSING"),
    "too many headers": (lambda: b"From: a@example.test\r\n" + b"X: y\r\n" * 1500 + b"\r\nbody", "HEADER_TOO_MANY"),
    "oversized message": (lambda: b"From: a@example.test\r\n\r\n" + b"a" * (10 * 1024 * 1024 + 10), "MSG_TOO_LARGE"),
}


@pytest.fixture(scope="module")
def bare_engine():
    return Engine(analyzers=["headers"])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(CASES))
def test_pathological_input_gives_verdict_with_finding(bare_engine, name):
    make, symbol = CASES[name]
    verdict = bare_engine.scan(make())
    symbols = {f.symbol for f in verdict.findings}
    assert symbol in symbols, (name, symbols)
    assert verdict.action in ("accept", "tag", "quarantine", "reject")
    assert "ENGINE_ERROR" not in symbols


def test_parts_beyond_budget_are_not_materialised():
    msg = Message.parse(many_parts(50_000))
    assert len(msg.entities) <= Limits().max_parts


def test_depth_is_bounded_without_recursion_error():
    msg = Message.parse(deep_nesting(5000))
    assert max(e.depth for e in msg.entities) <= Limits().max_mime_depth


def test_invalid_charset_decodes_with_replacement_and_is_reported():
    raw = b"From: a@example.test\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nb\xe9dy\r\n"
    msg = Message.parse(raw)
    assert "dy" in msg.text
    assert any(d.symbol == "MIME_BAD_CHARSET" for d in msg.defects)


@pytest.mark.parametrize("charset", ["punycode", "idna", "unicode_escape", "hex", "rot13", "base64"])
def test_codec_names_that_are_not_text_charsets_are_refused(charset):
    raw = f"From: a@example.test\r\nContent-Type: text/plain; charset={charset}\r\n\r\nabc\\u0041\r\n".encode()
    msg = Message.parse(raw)
    assert msg.text.startswith("abc")
    assert any(d.symbol == "MIME_BAD_CHARSET" for d in msg.defects)


def test_truncated_base64_decodes_what_is_valid():
    raw = (b"From: a@example.test\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           b"SGVsbG8gd29y\r\nbGQ=x\r\nQUJ")
    msg = Message.parse(raw)
    assert msg.text.startswith("Hello wor")
    assert any(d.symbol == "MIME_BAD_BASE64" for d in msg.defects)


def test_decoded_bytes_budget():
    limits = Limits(max_decoded_bytes=1000)
    body = b"QUFB" * 2000
    raw = b"From: a@example.test\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    msg = Message.parse(raw, limits)
    assert len(msg.text) <= 1000
    assert "DECODED_TOO_LARGE" in {h.symbol for h in msg.limit_hits}


def test_analyzer_crash_is_contained(monkeypatch):
    from mailwarden.analyzers.headers import HeadersAnalyzer

    engine = Engine(analyzers=["headers"])

    def boom(self, msg, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(HeadersAnalyzer, "analyze", boom)
    verdict = engine.scan(b"From: a@example.test\r\n\r\nhi\r\n")
    assert any(f.symbol == "ANALYZER_ERROR" and "boom" in f.evidence[0] for f in verdict.findings)


def test_engine_failure_maps_to_configured_action(monkeypatch):
    from mailwarden.config import Config

    engine = Engine(config=Config(failure_action="tag"), analyzers=["headers"])
    monkeypatch.setattr(Message, "parse", classmethod(lambda cls, raw, limits=None: 1 / 0))
    verdict = engine.scan(b"From: a@example.test\r\n\r\nhi\r\n")
    assert verdict.action == "tag"
    assert verdict.findings[0].symbol == "ENGINE_ERROR"

"""The parser's fast path for well-formed header sections must decide exactly as the line-by-line
loop does: same fields (name, value, raw, oddities), same body offset, same defects and limit hits.
Every input here is parsed twice, once as usual and once with the fast path switched off."""

from __future__ import annotations

import pytest

from mailwarden.limits import Limits
from mailwarden.message import Message

from conftest import spliced


class _LoopOnly(Message):
    def _parse_headers(self, ent):  # noqa: ANN001, ANN202 - the general loop for every section
        self._parse_headers_general(ent)


def _view(msg: Message) -> tuple:
    ents = [(e.start, e.end, e.body_start, e.content_type,
             [(h.name, h.key, h.value, h.raw, h.space_before_colon, h.folded_name, h.has_nul, h.has_8bit,
               h.decoded) for h in e.headers]) for e in msg.entities]
    return (ents, [(d.symbol, d.detail, d.evidence) for d in msg.defects],
            [(h.budget, h.detail, h.evidence) for h in msg.limit_hits])


SAMPLES = [
    b"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n",
    b"From: a@example.org\nSubject: folded\n  more\n\tand more\n\nbody\n",
    b"From : a@example.org\r\nTo: b@example.org\r\n\r\n",
    b"From\r\n : a@example.org\r\nTo: b@example.org\r\n\r\nx",
    b" orphan: continuation\r\nFrom: a@example.org\r\n\r\n",
    b"From: a@example.org\r\nnot a header line\r\nTo: b@example.org\r\n\r\nbody",
    b"From: a@example.org\r\r\nSubject: CRs\r\r\n\r\r\nbody",
    b"\r\nbody only\r\n",
    b"\r\r\nbody after a CR-only line",
    b"From: a@example.org",
    b"From: nul\x00here@example.org\r\nSubject: caf\xc3\xa9 =?utf-8?q?caf=C3=A9?=\r\n\r\n",
    b"Subject: =?utf-8?b?w6k=?=\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n"
    b"--b\r\n\r\nno headers\r\n--b\r\nX: y\r\n z\r\nbroken line\r\n\r\nthree\r\n--b--\r\n",
    b"Content-Type: message/rfc822\r\n\r\nFrom: inner@example.org\r\nSubject: in\r\n\r\ninner body",
    b"From: a@example.org\r\n" + b"X-Long: " + b"a" * 300 + b"\r\n\r\n",
    b"".join(b"X-%d: v\r\n" % i for i in range(40)) + b"\r\n",
]
TOKENS = [b"\r", b"\n", b"\r\n", b"\n\n", b"\r\r\n", b"\x00", b"\xff", b" ", b"\t", b":", b"From\r\n : x\r\n",
          b"no colon\n", b"\n \n", b"X: y\n"]


def _mutations(seed: int, n: int) -> list[bytes]:
    return spliced(SAMPLES, TOKENS, seed, n)


@pytest.mark.parametrize("limits", [Limits(), Limits(max_header_bytes=120, max_line_bytes=40, max_headers=5)],
                         ids=["default", "tight"])
def test_fast_path_matches_line_loop(limits: Limits) -> None:
    for raw in SAMPLES + _mutations(7, 600):
        assert _view(Message.parse(raw, limits)) == _view(_LoopOnly.parse(raw, limits)), raw


def test_field_name_cache_gives_what_decoding_gives() -> None:
    """Field names are decoded once per distinct spelling and kept (bounded); a name seen before,
    spaced or not, in any case, or once the cache is full, reads exactly as a first sighting does."""
    from mailwarden import message as message_module

    spellings = [b"From", b"From ", b"FROM\t", b"X-\xe9t\xe9", b"Received", b"received"]
    raw = b"".join(s + b": v\r\n" for s in spellings) + b"\r\nbody"
    first = _view(Message.parse(raw))
    again = _view(Message.parse(raw))  # every name now comes from the cache
    assert first == again == _view(_LoopOnly.parse(raw))
    assert [(h.name, h.key, h.space_before_colon) for h in Message.parse(raw).headers] == [
        ("From", "from", False), ("From", "from", True), ("FROM", "from", True), ("X-\xe9t\xe9", "x-\xe9t\xe9", False),
        ("Received", "received", False), ("received", "received", False)]
    saved = dict(message_module._FIELD_NAMES)
    try:  # a full cache: names not in it are decoded every time, the same way
        message_module._FIELD_NAMES.clear()
        message_module._FIELD_NAMES.update({b"X-Filler-%d" % i: ("", "", False)
                                            for i in range(message_module._FIELD_NAMES_MAX - 2)})
        many = b"".join(b"X-Many-%d : v\r\n" % i for i in range(20)) + b"\r\n"
        msg = Message.parse(many)
        assert len(message_module._FIELD_NAMES) == message_module._FIELD_NAMES_MAX
        assert [(h.name, h.key, h.space_before_colon) for h in msg.headers] == [
            (f"X-Many-{i}", f"x-many-{i}", True) for i in range(20)]
        assert _view(msg) == _view(_LoopOnly.parse(many))
    finally:
        message_module._FIELD_NAMES.clear()
        message_module._FIELD_NAMES.update(saved)

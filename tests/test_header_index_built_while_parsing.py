"""The parser indexes a well-formed header section by key while it builds the fields; that index
must be the one `Entity._by_key` builds from the fields afterwards: same keys in the same order,
the same field objects in each list (so lookups and repeated-field counts read the same), and none
when the field limit cut the section (the index then covers only the fields kept)."""

from __future__ import annotations

import pytest

from mailwarden.limits import Limits
from mailwarden.message import Entity, Message

from conftest import spliced

SAMPLES = [
    b"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n",
    b"From: a@example.org\nSubject: folded\n  more\n\tand more\n\nbody\n",
    b"From : a@example.org\r\nTo: b@example.org\r\nfrom: c@example.org\r\n\r\n",
    b"From\r\n : a@example.org\r\nTo: b@example.org\r\n\r\nx",
    b"From: a@example.org\r\nnot a header line\r\nTo: b@example.org\r\n\r\nbody",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nX-1: a\r\n"
    b"x-1: b\r\n\r\none\r\n--b\r\n\r\nno headers\r\n--b--\r\n",
    b"".join(b"X-%d: v\r\n" % (i % 7) for i in range(40)) + b"\r\n",
]
TOKENS = [b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b" ", b"\t", b":", b"X-1: y\n", b"From: z\r\n", b"no colon\n"]


def _mutations(seed: int, n: int) -> list[bytes]:
    return spliced(SAMPLES, TOKENS, seed, n)

_SINGLETONS = frozenset({"from", "to", "subject", "date", "message-id", "x-1", "x-2"})


def _rebuilt(ent: Entity) -> dict:
    return Entity._by_key.func(ent)  # what the cached property computes from ent.headers


@pytest.mark.parametrize("limits", [Limits(), Limits(max_header_bytes=120, max_line_bytes=40, max_headers=5)],
                         ids=["default", "tight"])
def test_index_equals_one_built_from_the_fields(limits: Limits) -> None:
    repeated = b"From: a@x.example\r\nReceived: 1\r\nX-1: a\r\nreceived: 2\r\nFROM: b@x.example\r\nX-1: b\r\n\r\n"
    for raw in [*SAMPLES, repeated, *_mutations(11, 600)]:
        for ent in Message.parse(raw, limits).entities:
            index = ent._by_key
            again = _rebuilt(ent)
            assert list(index) == list(again), raw
            for key, fields in again.items():
                assert [id(h) for h in index[key]] == [id(h) for h in fields], raw
            assert ent.repeated_fields(_SINGLETONS) == {k: len(v) for k, v in again.items()
                                                        if len(v) > 1 and k in _SINGLETONS}


def test_cut_section_indexes_only_the_kept_fields() -> None:
    raw = b"".join(b"X-%d: v\r\n" % (i % 3) for i in range(12)) + b"\r\nbody"
    msg = Message.parse(raw, Limits(max_headers=4))
    assert len(msg.headers) == 4
    assert {k: len(v) for k, v in msg.root._by_key.items()} == {"x-0": 2, "x-1": 1, "x-2": 1}
    assert len(msg.header_fields("x-0")) == 2

"""The fast header path reads each field's name, colon and rest of line straight from one regex
(no per-field search for the colon, no CR strip until a value is read). Lines that start with a
colon, CRs before or after the colon, colons in continuation lines, a section without colons and
CR runs (also in continuation lines, whose line ends are removed in one step) must give what the line-by-line loop gives: same names, values, raw bytes and defects."""

from __future__ import annotations

import random

from mailwarden.message import Message


class _LoopOnly(Message):
    def _parse_headers(self, ent):  # noqa: ANN001, ANN202 - the general loop for every section
        self._parse_headers_general(ent)


def _view(msg: Message) -> tuple:
    ents = [(e.start, e.end, e.body_start,
             [(h.name, h.key, h.value, h.raw, h.space_before_colon, h.folded_name, h.has_nul, h.has_8bit,
               h.decoded) for h in e.headers]) for e in msg.entities]
    return ents, [(d.symbol, d.detail, d.evidence) for d in msg.defects]


EDGES = [
    b":no name\r\nFrom: a@example.org\r\n\r\nbody",
    b"From: a@example.org\r\n::double: colon\r\n\r\n",
    b"X-A\r: cr before colon\r\nX-B:\r\r\nX-C: v\r\r\r\n\r\nbody",
    b"X-A: v\r\n folded: with colon\r\n\tmore\r\r\n\r\n",
    b"X-A: \rmid\rcr\r\n\r\n",
    b"X-A:\r\nX-B:\n\n",
    b"Only a line\nX: y\n\n",
    b"X: y\nOnly a line\n\n",
    b"X: y\n \n\n",
    b"X: y\n\t\r\n\r\n",
    b"X:y:z:\r\nY\t:\t w \r\n\r\n",
    b"X: a\r\n b\rc\r\n \r\r\n\td\r\n\r\n",
    b"X: a\n b\n\tc\r\n d\n\n",
    b"X: a\r\r\n b\r\r\r\n\r\n",
]
PIECES = [b"\r", b"\n", b":", b" ", b"\t", b"X", b"\r\n", b"\x00", b"\xc3\xa9"]


def test_edges_match_line_loop() -> None:
    for raw in EDGES:
        assert _view(Message.parse(raw)) == _view(_LoopOnly.parse(raw)), raw


def test_random_sections_match_line_loop() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        raw = b"A: b\r\n" + b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))) + b"\n\nbody"
        assert _view(Message.parse(raw)) == _view(_LoopOnly.parse(raw)), raw

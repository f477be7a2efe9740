"""`mailwarden.lazy.cached`: computed on first read, then an ordinary instance attribute (the
descriptor is not consulted again), for objects that never had their __dict__ read as well as
for ones that did; the parser's header fields rely on this."""

from __future__ import annotations

from mailwarden.lazy import cached
from mailwarden.message import Header, Message


class _Counted:
    def __init__(self) -> None:
        self.calls = 0

    @cached
    def answer(self) -> int:
        self.calls += 1
        return 41 + self.calls


def test_computed_once_and_then_plain_attribute() -> None:
    obj = _Counted()
    assert obj.answer == 42
    assert obj.answer == 42
    assert obj.calls == 1
    assert vars(obj)["answer"] == 42  # stored on the instance, where later reads find it


def test_works_after_the_instance_dict_was_read() -> None:
    obj = _Counted()
    assert vars(obj) == {"calls": 0}
    assert obj.answer == 42 and obj.answer == 42 and obj.calls == 1


def test_an_assigned_value_wins_over_the_computation() -> None:
    obj = _Counted()
    obj.answer = 7
    assert obj.answer == 7 and obj.calls == 0


def test_parsed_fields_equal_constructed_ones() -> None:
    msg = Message.parse(b"From: a@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nX-Folded: one\r\n two\r\n\r\nbody")
    frm, subj, folded = msg.headers
    assert frm == Header("From", "a@example.org", b"From: a@example.org")
    assert subj.decoded == "café" and subj.decoded == "café"
    assert folded.value == "one two" and folded.raw == b"X-Folded: one\r\n two"
    # A field built by hand (no parsed lines) decodes its value as given.
    assert Header("Subject", "=?utf-8?q?caf=C3=A9?=", b"").decoded == "café"
    assert Header("Subject", "plain", b"").decoded == "plain"

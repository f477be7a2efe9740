"""A parsed message is freed as soon as the last reference goes, not left for the cycle collector.

Parts used to point back at their message (and strongly at their parent, which lists them), so every
message was a reference cycle: a busy milter spent a noticeable share of its time in the garbage
collector. These tests fail if such a cycle comes back.
"""

from __future__ import annotations

import gc
import weakref

from mailwarden.engine import Engine
from mailwarden.message import Message

MULTIPART = (
    b"From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
    b"Received: from mx.example.org (mx.example.org [192.0.2.1]) by in.example.net; Tue, 1 Sep 2026 10:00:00 +0000\r\n"
    b"Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
    b"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
    b"--inner\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    b"--inner\r\nContent-Type: text/html\r\n\r\n<p>hello <a href='https://example.org/'>there</a></p>\r\n"
    b"--inner--\r\n"
    b"--outer\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\nSubject: inner\r\n\r\nbody\r\n"
    b"--outer--\r\n"
)


def _freed_without_collector(make) -> bool:  # noqa: ANN001 - a callable returning an object
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        obj = make()
        ref = weakref.ref(obj)
        del obj
        return ref() is None
    finally:
        if was_enabled:
            gc.enable()


def test_parsed_message_is_freed_by_reference_counting() -> None:
    def parse_and_touch() -> Message:
        msg = Message.parse(MULTIPART)
        for ent in msg.entities:  # fill the per-part caches too
            _ = ent.content_type, ent.payload, ent.parent
            if ent.content_type.startswith("text/"):
                _ = ent.text
        _ = msg.received_hops, msg.header("subject")
        return msg

    assert _freed_without_collector(parse_and_touch)


def test_parents_are_still_known_while_the_message_lives() -> None:
    msg = Message.parse(MULTIPART)
    by_type: dict = {}
    for e in msg.entities:
        by_type.setdefault(e.content_type, e)  # document order: the first of each type
    assert by_type["text/plain"].parent is by_type["multipart/alternative"]
    assert by_type["multipart/alternative"].parent is msg.root
    assert msg.root.parent is None
    # a part with no Content-Type inside multipart/digest defaults from its parent
    digest = Message.parse(b"Content-Type: multipart/digest; boundary=d\r\n\r\n"
                           b"--d\r\n\r\nFrom: x@example.org\r\n\r\nhi\r\n--d--\r\n")
    assert digest.entities[1].content_type == "message/rfc822"


def test_a_whole_scan_leaves_no_cyclic_garbage() -> None:
    engine = Engine()
    engine.scan(MULTIPART)  # warm caches, lazy imports
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            engine.scan(MULTIPART)
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()

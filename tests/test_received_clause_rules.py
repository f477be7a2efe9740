"""How parse_hop picks each field when a Received header is odd: the first clause of each kind wins,
an empty `from` clause leaves room for a later one, only the `from` clause's comments are read, and
a NUL inside the header itself is treated as the parser always treated it. Pinned so that faster
tokenising can never change what a header yields."""

from __future__ import annotations

import pytest

from mailwarden.received import parse_hop

CASES = [
    ("from  (127.0.0.1 [127.0.0.1]) by MailEnable Inbound Mail Agent with ESMTP; Sun, 04 Aug 2002 05:31:23 -0800",
     (None, None, None, "127.0.0.1", "MailEnable", "ESMTP", None, None, ["127.0.0.1 [127.0.0.1]"])),
    ("from from a.example.org by b.example.net; Mon, 2 Mar 2020 10:00:00 +0000",
     ("a.example.org", "a.example.org", None, None, "b.example.net", None, None, None, [])),
    ("from [] (x.example.org [192.0.2.9]) from y.example.org (198.51.100.1) by z.example.net",
     (None, "", "x.example.org", "192.0.2.9", "z.example.net", None, None, None,
      ["x.example.org [192.0.2.9]", "198.51.100.1"])),
    ("by first.example.net by second.example.net with ESMTP with LMTP id A id B for <a@x.example> for <b@y.example>",
     (None, None, None, None, "first.example.net", "ESMTP", "A", "a@x.example", [])),
    ("from a.example.org (b.example.org [192.0.2.7]) by c.example.net (Postfix) with ESMTPS id 1; "
     "Tue, 3 Mar 2020 01:02:03 +0100",
     ("a.example.org", "a.example.org", "b.example.org", "192.0.2.7", "c.example.net", "ESMTPS", "1", None,
      ["b.example.org [192.0.2.7]", "Postfix"])),
    ("from mail.example.org (\x0012 [192.0.2.8]) by mx\x000.example.net with SMTP",
     ("mail.example.org", "mail.example.org", None, "192.0.2.8", "mx", "SMTP", None, None, ["\x0012 [192.0.2.8]"])),
    ("from a\x001b.example.org (c.example.org [192.0.2.5]) by d.example.net",
     ("a", "a", "c.example.org", "192.0.2.5", "d.example.net", None, None, None, ["c.example.org [192.0.2.5]"])),
    ("by (comment) (another) mx.example.net with (x) ESMTP id (y) Q1 for (z) <r@example.net>",
     (None, None, None, None, "mx.example.net", "ESMTP", "Q1", "r@example.net", ["comment", "another", "x", "y", "z"])),
    ("from unknown (HELO 192.168.2.1) (198.51.100.9) by qmail.example.net",
     ("unknown", "192.168.2.1", None, "198.51.100.9", "qmail.example.net", None, None, None,
      ["HELO 192.168.2.1", "198.51.100.9"])),
    ("from [unknown] ([203.0.113.4] helo=bad.example) by exim.example.net",
     ("unknown", "bad.example", None, "203.0.113.4", "exim.example.net", None, None, None,
      ["[203.0.113.4] helo=bad.example"])),
    ("FROM Upper.Example.ORG BY Mx.Example.NET WITH esmtpa ID x FOR <u@example.net>",
     ("Upper.Example.ORG", "Upper.Example.ORG", None, None, "Mx.Example.NET", "esmtpa", "x", "u@example.net", [])),
]


@pytest.mark.parametrize(("value", "expected"), CASES)
def test_fields(value: str, expected: tuple) -> None:
    h = parse_hop(value)
    assert (h.from_word, h.helo, h.rdns, h.ip, h.by, h.with_, h.id, h.for_, h.comments) == expected

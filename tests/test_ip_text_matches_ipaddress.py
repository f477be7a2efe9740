"""`received.ip_of` / `ip_text` decide dotted quads without the ipaddress module's parser; the
answers must be exactly the module's, on the edge cases where a hand-written check could drift."""

from __future__ import annotations

import ipaddress
import random

from mailwarden import received


def _reference(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip().strip("[]").removeprefix("IPv6:").split("%")[0])
    except ValueError:
        return None


EDGES = [
    "0.0.0.0", "1.2.3.4", "255.255.255.255", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "00.0.0.0",
    "1.2.3.00", "0.0.0.00", "199.200.249.250", "249.250.251.255", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3.4",
    "1..2.3", " 1.2.3.4", "1.2.3.4 ", "\t8.8.8.8\n", "1.2.3.4\n", "[1.2.3.4]", "[IPv6:1.2.3.4]", "IPv6:1.2.3.4",
    "1.2.3.4%eth0", "1.2.3.4/32", "+1.2.3.4", "-1.2.3.4", "1_0.2.3.4", "1.2.3.٤", "١.2.3.4", "１.2.3.4", "1.2.3.4x",
    "0x1.2.3.4", "1.2.3.1000", "1234.1.1.1", "", " ", "[]", "IPv6:", "::1", "::ffff:1.2.3.4", "::ffff:01.2.3.4",
    "IPv6:::1", "[IPv6:2001:db8::1]", "2001:DB8::1", "fe80::1%eth0", "1:2:3:4:5:6:7:8", "1:2", "mx.example.org",
    "unknown", "localhost", "a.b.c.d", "10.0.0.1", "192.168.001.1", "0", "4294967295", "1.2.3.4:25", "09:45:27",
    "[IPV6:240e:3b7::1]", "1::2::3", ":::", "[::1]", "::", "::ffff:256.1.1.1", "2001:db8::/32", "2001:0db8:0:0:0:0:0:1",
    "2001:db8:0:0:1:0:0:1", "::FFFF:C000:0280", "1:2:3:4:5:6:7:8:9", "g::1", "2001:db8::1%", "[fe80::1%25eth0]",
]


def test_edge_cases_match_ipaddress() -> None:
    for text in [*EDGES, None]:
        ref = _reference(text)
        got = received.ip_of(text)
        assert got == ref and type(got) is type(ref), repr(text)
        assert received.ip_text(text) == (str(ref) if ref is not None else None), repr(text)


def test_random_dotted_text_matches_ipaddress() -> None:
    rng = random.Random(4)
    parts = ["0", "00", "1", "9", "10", "09", "99", "100", "199", "200", "249", "250", "255", "256", "299", "300",
             "999", "1000", "", " ", "a", "٣"]
    for _ in range(20000):
        text = ".".join(rng.choice(parts) for _ in range(rng.choice((3, 4, 4, 4, 5))))
        ref = _reference(text)
        assert received.ip_of(text) == ref, repr(text)
        assert received.ip_text(text) == (str(ref) if ref is not None else None), repr(text)

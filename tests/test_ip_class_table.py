"""The IPv4 class table gives exactly what the direct network tests give (ipaddress is the reference)."""

from __future__ import annotations

import ipaddress
import random

from mailwarden import received


def test_the_table_is_in_use_on_this_python() -> None:
    assert received._V4_EDGES, "ipaddress internals changed: ip_class fell back to the direct tests"


def test_table_agrees_with_the_direct_tests_at_every_edge_and_at_random() -> None:
    rng = random.Random(7)
    probes = {e + d for e in received._V4_EDGES for d in (-1, 0, 1)} | {rng.getrandbits(32) for _ in range(100_000)}
    for n in sorted(p for p in probes if 0 <= p < 2 ** 32):
        ip = ipaddress.IPv4Address(n)
        assert received.ip_class(str(ip)) == received._ip_class(ip), str(ip)


def test_known_addresses() -> None:
    assert received.ip_class("10.1.2.3") == "private"
    assert received.ip_class("198.51.100.7") == "public"  # documentation range, used in examples
    assert received.ip_class("240.1.2.3") == "bogon"
    assert received.ip_class("100.64.0.1") == "private"  # carrier-grade NAT
    assert received.ip_class("8.8.8.8") == "public"
    assert received.ip_class("::1") == "private" and received.ip_class("2001:4860::8888") == "public"
    assert received.ip_class("not an address") == ""

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


def test_ipv6_table_agrees_with_the_direct_tests() -> None:
    assert received._V6_EDGES, "ipaddress internals changed: IPv6 ip_class fell back to the direct tests"
    rng = random.Random(11)
    mapped = int(ipaddress.IPv6Address("::ffff:0:0"))
    probes = {e + d for e in received._V6_EDGES for d in (-1, 0, 1)}
    probes |= {rng.getrandbits(128) for _ in range(20_000)}
    probes |= {mapped + rng.getrandbits(32) for _ in range(20_000)}  # IPv4-mapped
    for prefix, bits in (("2001::", 32), ("2002::", 16), ("fc00::", 7), ("fe80::", 10), ("ff00::", 8), ("::", 96),
                         ("64:ff9b::", 96), ("100::", 64), ("2001:db8::", 32), ("2a00::", 12), ("2600::", 12)):
        base = int(ipaddress.IPv6Address(prefix))
        probes |= {base | rng.getrandbits(128 - bits) for _ in range(2_000)}
    for n in sorted(p for p in probes if 0 <= p < 2 ** 128):
        ip = ipaddress.IPv6Address(n)
        assert received.ip_class(str(ip)) == received._ip_class(ip), str(ip)

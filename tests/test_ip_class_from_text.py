"""ip_class reads the number of a dotted quad or hex-group IPv6 text itself, without building an
address object; it must classify every text exactly as the address object would be classified."""

from __future__ import annotations

import ipaddress
import random

from mailwarden import received


def _reference(text: str | None) -> str:
    ip = received.ip_of(text)
    return "" if ip is None else received._ip_class(ip)


def _texts(rng: random.Random) -> list[str]:
    out = ["", " ", "[]", "1.2.3.4", "[1.2.3.4]", " 10.0.0.1 ", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1",
           "::", "::1", "[IPv6:::1]", "fe80::1%eth0", "::ffff:10.0.0.1", "::ffff:a00:1", "2001:db8::1",
           "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::1", "g::1", "١.٢.٣.٤",
           "ff02::1", "100::1", "2002::1", "64:ff9b::1.2.3.4", "IPv6:2001:db8::2", "192.0.2.1"]
    for _ in range(20_000):
        out.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        six = ipaddress.IPv6Address(rng.getrandbits(128) >> rng.choice((0, 16, 64, 100, 120)))
        out.append(rng.choice((str(six), six.exploded, f"[IPv6:{six}]", str(six).upper())))
    alphabet = "0123456789abcdefABCDEF:.[]% xIPv6"
    out += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))) for _ in range(20_000)]
    return out


def test_ip_class_matches_the_address_objects_class() -> None:
    for text in _texts(random.Random(5)):
        received.ip_class.cache_clear()
        assert received.ip_class(text) == _reference(text), repr(text)
    assert received.ip_class(None) == ""

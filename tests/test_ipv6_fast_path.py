"""`received.ip_of` / `ip_text` read IPv6 addresses written in hex groups without the ipaddress
module's parser and format them without its formatter; the answers must be exactly the module's."""

from __future__ import annotations

import ipaddress
import random

from mailwarden import received


def _reference(text: str) -> ipaddress.IPv6Address | ipaddress.IPv4Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]").removeprefix("IPv6:").split("%")[0])
    except ValueError:
        return None


def _check(text: str) -> None:
    ref = _reference(text)
    got = received.ip_of.__wrapped__(text)
    assert got == ref and type(got) is type(ref), repr(text)
    assert received.ip_text.__wrapped__(text) == (str(ref) if ref is not None else None), repr(text)


def _written(groups: list[int], rng: random.Random) -> str:
    """One of the ways to write these groups: any case, leading zeros or not, any zero run as '::'."""
    hexes = []
    for g in groups:
        h = f"{g:x}"
        if rng.random() < 0.2:
            h = h.zfill(rng.randint(len(h), 4))
        hexes.append(h.upper() if rng.random() < 0.2 else h)
    runs = [(i, j) for i in range(8) for j in range(i + 1, 9) if not any(groups[i:j])]
    if runs and rng.random() < 0.8:
        i, j = rng.choice(runs)
        return ":".join(hexes[:i]) + "::" + ":".join(hexes[j:])
    return ":".join(hexes)


def test_edge_cases() -> None:
    for text in ["::", "::1", "1::", "1::2", "0:0:0:0:0:0:0:0", "0:0:1:0:0:1:0:0", "1:0:0:2:0:0:0:3",
                 "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8",
                 "1::2::3", ":::", ":1::", "::1:", "1:2:3:4:5:6:7", "12345::1", "::ffff:102:304", "::ffff:1.2.3.4",
                 "::FFFF:C000:0280", "0000:0000:0000:0000:0000:ffff:0000:0001", "fe80::1%eth0", "[IPv6:2001:DB8::1]",
                 "2001:db8:0:0:1:0:0:1", "2001:0db8:0000:0000:0000:0000:0000:0001", "g::1", "::1 ", " ::1", "1:2",
                 ":", "::٣", "::１", "1_2::3", "+1::2", "0x1::2", "2603:10b6:a03:3e0::13"]:
        _check(text)


def test_random_addresses_match_ipaddress() -> None:
    rng = random.Random(6)
    values = [0, 0, 0, 1, 0xFFFF, 0x10, 0xABC, 0xFFFF]
    for _ in range(30_000):
        groups = [rng.choice(values) if rng.random() < 0.7 else rng.randrange(0x10000) for _ in range(8)]
        if rng.random() < 0.05:
            groups[:6] = [0, 0, 0, 0, 0, 0xFFFF]
        _check(_written(groups, rng))


def test_random_text_matches_ipaddress() -> None:
    rng = random.Random(8)
    for _ in range(30_000):
        _check("".join(rng.choice("0123456789abcdefABCDEF:::::g.%") for _ in range(rng.randint(1, 24))))

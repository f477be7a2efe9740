"""IPv6 text is formatted by finding the first longest run of zero groups in the formatted
groups; it must equal the ipaddress module's own text for every arrangement of zero groups
(none, one, runs at either end, several runs of equal length, all zero) and random groups."""

from __future__ import annotations

import ipaddress
import itertools
import random

from mailwarden.received import _v6_text


def _reference(groups: list[int]) -> str:
    n = 0
    for g in groups:
        n = n << 16 | g
    return str(ipaddress.IPv6Address(n))


def _mapped(groups: list[int]) -> bool:  # IPv4-mapped text is left to the module by the caller
    return groups[5] == 0xFFFF and not any(groups[:5])


def test_every_zero_pattern() -> None:
    for pattern in itertools.product((0, 1), repeat=8):
        for nonzero in (1, 0x10, 0xA0, 0xFFFF):
            groups = [nonzero if bit else 0 for bit in pattern]
            if not _mapped(groups):
                assert _v6_text(groups) == _reference(groups), groups


def test_random_groups() -> None:
    rng = random.Random(21)
    for _ in range(50000):
        groups = [rng.choice((0, 0, 0, 1, 0x10, 0xA0, 0xFFFF, rng.randrange(65536))) for _ in range(8)]
        if not _mapped(groups):
            assert _v6_text(groups) == _reference(groups), groups

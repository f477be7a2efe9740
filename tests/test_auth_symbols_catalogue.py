"""The auth symbol group: every symbol the analyzer can emit is in the catalogue, described, and
never negative (authentication selects rules; it never subtracts score)."""

from __future__ import annotations

import re
from pathlib import Path

from mailwarden.symbols import builtin_catalogue

SRC = Path(__file__).resolve().parent.parent / "src" / "mailwarden"


def test_auth_symbols_are_catalogued_and_never_negative():
    cat = builtin_catalogue()
    auth = {n: s for n, s in cat.items() if s.group == "auth"}
    assert auth and all(s.weight >= 0 and s.description for s in auth.values())
    emitted = set(re.findall(r'Finding\("([A-Z0-9_]+)"', (SRC / "analyzers" / "auth.py").read_text()))
    assert emitted and emitted <= set(auth), emitted - set(auth)


def test_a_pass_carries_no_weight():
    cat = builtin_catalogue()
    assert all(s.weight == 0 for n, s in cat.items() if n.startswith("AUTH_PASS"))
    assert cat["AUTHRES_UNTRUSTED_UPSTREAM_CLAIM"].weight == 0

"""The brand-name search tries one branch per first letter; it finds what the plain alternation finds.

`brands._names_source` regroups the names (`a(?:mazon|pple|…)`). That is the same ordered choice when
no character can enter two branches: the first characters are distinct ASCII letters and digits, and
for the case-insensitive search no character matches two of them ignoring case.
"""

from __future__ import annotations

import random
import re

from mailwarden.brands import _names_source, default_index


def _alternatives(pattern: str) -> list[str]:
    ix = default_index()
    ci, cs = [], []
    for b in ix.brands.values():
        if b.key == "own":
            continue
        for n in [b.name, *b.names]:
            (cs if b.common_word else ci).append(re.escape(n) if b.common_word else re.escape(n.lower()))
    ci.sort(key=len, reverse=True)
    cs.sort(key=len, reverse=True)
    return ci if pattern == "ci" else cs


def test_index_uses_the_grouped_source() -> None:
    ix = default_index()
    assert ix._name_re_ci.caseless.pattern == _names_source(_alternatives("ci"), caseless=True)
    assert ix._name_re_cs.pattern == _names_source(_alternatives("cs"))
    assert _names_source(_alternatives("ci")) != _names_source(_alternatives("ci"), by_first_char=False)


def test_no_character_enters_two_case_insensitive_branches() -> None:
    firsts = dict.fromkeys(a[0] for a in _alternatives("ci"))
    assert all(f.isascii() and f.isalnum() and not f.isupper() for f in firsts)
    single = [re.compile(re.escape(f), re.IGNORECASE) for f in firsts]
    for cp in range(0x110000):
        c = chr(cp)
        assert sum(1 for rx in single if rx.fullmatch(c)) <= 1, hex(cp)


def _texts(alts: list[str], seed: int) -> list[str]:
    rnd = random.Random(seed)
    names = [re.sub(r"\\(.)", r"\1", a) for a in alts]
    glue = [" ", "", "-", "_", ".", "x", "1", "\n", "é", "K", "İ", "ſ", "@", "'s "]
    out = []
    for _ in range(3000):
        parts = []
        for _ in range(rnd.randint(1, 6)):
            n = rnd.choice(names)
            n = rnd.choice([n, n.upper(), n.title(), n.lower(), n[:-1], n + n[-1:]])
            parts += [rnd.choice(glue), n]
        out.append("".join(parts))
    return out


def test_grouped_matches_equal_plain_matches() -> None:
    for which, flags in (("ci", re.IGNORECASE), ("ci", 0), ("cs", 0)):
        alts = _alternatives(which)
        grouped = re.compile(_names_source(alts, caseless=bool(flags)), flags)
        plain = re.compile(_names_source(alts, by_first_char=False), flags)
        for text in _texts(alts, 1 if flags else 2):
            for t in (text, text.lower()):
                assert [(m.span(), m.group(1)) for m in grouped.finditer(t)] == \
                    [(m.span(), m.group(1)) for m in plain.finditer(t)], t

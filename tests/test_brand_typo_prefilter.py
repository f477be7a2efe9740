"""The typo check's Levenshtein prefilter keeps exactly the brand keys a full Damerau-Levenshtein
extract finds within distance 2, in the same order (nearest first, ties in list order)."""

from __future__ import annotations

import random

from rapidfuzz import process as rf_process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from mailwarden.brands import default_index

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _full_extract(keys: list[str], query: str) -> list[tuple[int, int]]:
    return [(d, i) for _, d, i in rf_process.extract(query, keys, scorer=DamerauLevenshtein.distance,
                                                     score_cutoff=2, limit=8)]


def _mutate(rng: random.Random, s: str) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        pos = rng.randrange(len(s) + 1)
        if op == 0:
            s = s[:pos] + rng.choice(_ALPHABET) + s[pos:]
        elif op == 1 and pos < len(s):
            s = s[:pos] + s[pos + 1:]
        elif op == 2 and pos < len(s):
            s = s[:pos] + rng.choice(_ALPHABET) + s[pos + 1:]
        elif pos + 1 < len(s):
            s = s[:pos] + s[pos + 1] + s[pos] + s[pos + 2:]
    return s


def test_levenshtein_is_at_most_twice_damerau_levenshtein() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        a = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 9)))
        assert Levenshtein.distance(a, b) <= 2 * DamerauLevenshtein.distance(a, b)


def test_prefiltered_typo_search_equals_full_extract_on_brand_keys() -> None:
    index = default_index()
    keys = index._fuzzy_keys
    rng = random.Random(11)
    queries = [_mutate(rng, rng.choice(keys)) for _ in range(4000)]
    queries += ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(6, 16))) for _ in range(2000)]
    for q in queries:
        assert index._fuzzy_near(q) == _full_extract(keys, q), q


def test_prefiltered_typo_search_keeps_list_order_on_many_ties() -> None:
    # more than 8 keys at the same distance: the cut must keep the first ones in list order
    index = default_index()
    saved = index._fuzzy_keys
    keys = [f"abcde{c}" for c in "fghijklmnopq"] + ["abcdxf", "bacdef", "zzzzzz"]
    try:
        index._fuzzy_keys = keys
        for q in ("abcdef", "abcdez", "bacdez", "abcdxz", "zzzzzy"):
            assert index._fuzzy_near(q) == _full_extract(keys, q), q
    finally:
        index._fuzzy_keys = saved

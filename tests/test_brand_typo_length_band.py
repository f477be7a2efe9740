"""The typo check measures only brand keys whose length is within 2 of the label's (one edit
changes the length by at most one); the answers must be those of the full extract at every length,
the edges of the band and labels longer than any key included."""

from __future__ import annotations

import random

from rapidfuzz import process as rf_process
from rapidfuzz.distance import DamerauLevenshtein

from mailwarden.brands import default_index


def _full_extract(keys: list[str], query: str) -> list[tuple[int, int]]:
    return [(d, i) for _, d, i in rf_process.extract(query, keys, scorer=DamerauLevenshtein.distance,
                                                     score_cutoff=2, limit=8)]


def test_length_changes_at_most_one_per_edit() -> None:
    rng = random.Random(3)
    for _ in range(20000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        assert DamerauLevenshtein.distance(a, b) >= abs(len(a) - len(b))


def test_every_length_gives_the_full_answer() -> None:
    index = default_index()
    keys = index._fuzzy_keys
    rng = random.Random(5)
    for key in keys:
        for grow in (-3, -2, -1, 0, 1, 2, 3):
            q = key[:len(key) + grow] if grow < 0 else key + "".join(rng.choice("ab1") for _ in range(grow))
            if q != key:
                assert index._fuzzy_near(q) == _full_extract(keys, q), q
    for n in range(4, 40):
        q = "".join(rng.choice("aeilnorst") for _ in range(n))
        assert index._fuzzy_near(q) == _full_extract(keys, q), q


def test_bands_follow_a_replaced_key_list() -> None:
    index = default_index()
    saved = index._fuzzy_keys
    index._fuzzy_near("paypa1co")  # bands of the bundled keys exist now
    try:
        index._fuzzy_keys = ["abcdefgh", "zzzzzzzz"]
        assert index._fuzzy_near("abcdefgx") == [(1, 0)]
    finally:
        index._fuzzy_keys = saved
    assert index._fuzzy_near("abcdefgx") == _full_extract(saved, "abcdefgx")

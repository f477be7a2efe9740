"""Lure matching returns a single matched bucket as it is: its hits are distinct by construction."""

from __future__ import annotations

from itertools import chain

from mailwarden import lures


def test_each_bucket_holds_distinct_hits() -> None:
    _, buckets = lures._automaton()
    assert all(len(set(b)) == len(b) for b in buckets)


def test_results_equal_the_deduplicated_bucket_walk() -> None:
    auto, buckets = lures._automaton()
    texts = ["", "nothing here", "Verify your account", "verify your account now, urgent: verify your account",
             "Your invoice is attached. Unusual activity detected. Call us to cancel.", "acc0unt suspended"]
    for text in texts:
        seen = dict.fromkeys(i for _, i in auto.iter(lures.normalize(text)))
        expected = tuple(dict.fromkeys(chain.from_iterable(buckets[i] for i in seen)))
        assert lures._match_lures.__wrapped__(text) == expected, text

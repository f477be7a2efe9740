"""The platform analyzer's fast recognition answers what the plain expressions answered.

- `_GlobIndex.first` skips its regex when the address ends with no glob's literal tail;
- `_brand_regex` checks the whole-word look-behind once for all brand words.
Both are compared with the straightforward forms on the shipped profiles and on awkward globs.
"""

from __future__ import annotations

import fnmatch
import random
import re

from mailwarden.analyzers.platform import _brand_regex, _GlobIndex, _literal_tail
from mailwarden.platforms import load_profiles


class _P:
    def __init__(self, globs: tuple[str, ...]) -> None:
        self.globs = globs


def _first_reference(profiles: list, address: str):  # noqa: ANN202 - a profile or None
    for p in profiles:
        if any(re.match(fnmatch.translate(g), address.lower()) for g in p.globs):
            return p
    return None


def test_literal_tail() -> None:
    assert _literal_tail("*@*.zendesk.com") == ".zendesk.com"
    assert _literal_tail("noreply@github.com") == "noreply@github.com"
    assert _literal_tail("dse_*@docusign.net") == "@docusign.net"
    assert _literal_tail("x@[ab]c.example") == "c.example"
    assert _literal_tail("bounce-*") == ""


def test_glob_index_matches_reference_on_awkward_globs() -> None:
    profiles = [_P(("*@*.zendesk.com", "a?c@x.example")), _P(("x@[bc]d.example", "odd[@q.example")),
                _P(("*+bnc*@googlegroups.com",)), _P(("tail-*",)), _P(("UPPER@x.example",))]
    index = _GlobIndex(tuple(profiles), lambda p: p.globs)
    rng = random.Random(7)
    parts = ["a", "x", "@", ".", "zendesk", "com", "example", "bd", "cd", "odd[", "q", "tail-", "+bnc",
             "googlegroups", "upper", "UPPER", "abc", "-"]
    cases = ["a@b.zendesk.com", "abc@x.example", "x@bd.example", "x@cd.example", "odd[@q.example",
             "me+bnc1@googlegroups.com", "tail-anything", "UPPER@x.example", "upper@x.example", ""]
    cases += ["".join(rng.choice(parts) for _ in range(rng.randint(1, 7))) for _ in range(5000)]
    for address in cases:
        assert index.first(address) is _first_reference(profiles, address), address


def test_glob_index_matches_reference_on_shipped_profiles() -> None:
    profiles = tuple(load_profiles())
    for globs in (lambda p: p.from_addresses + p.customer_senders, lambda p: p.return_paths):
        index = _GlobIndex(profiles, globs)
        owners = [_P(globs(p)) for p in index.owners]
        samples = [g.replace("*", "x") for o in owners for g in o.globs]
        samples += [s.upper() for s in samples] + ["alice@example.org", "x@notgithub.com", "a@b.c"]
        for address in samples:
            ref = _first_reference(owners, address)
            got = index.first(address)
            assert (got is None) == (ref is None), address
            if got is not None:
                assert index.owners.index(got) == owners.index(ref), address


def test_brand_regex_finds_what_one_alternative_per_word_finds() -> None:
    words = ("git", "github", "google", "google docs", "live", "msn", "office 365", "apple id")
    fast = _brand_regex(words)
    slow = re.compile("|".join(r"(?<!\w)" + re.escape(b) + r"(?!\w)" for b in words))
    rng = random.Random(11)
    pieces = ["git", "hub", "github", "google", " ", "docs", "-", "live", "ly", "msn", "office", "365",
              "apple", "id", "x", "_", "é", "."]
    texts = ["", "github", "gitlab", "google docs team", "googledocs", "alive", "live!", "msn.com",
             "office 365", "office 3650", "apple idea", "my apple id"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(5000)]
    for text in texts:
        a, b = fast.search(text), slow.search(text)
        assert (a is None) == (b is None), text
        if a is not None:
            assert a.span() == b.span(), text

"""Shortcuts in the links analyzer give what the plain forms give."""

from __future__ import annotations

import random
from collections import Counter
from operator import itemgetter

from mailwarden.analyzers.links import _SKIP_SCHEMES, _resolve


def test_first_of_the_most_frequent_domains_is_what_most_common_gives() -> None:
    rng = random.Random(8)
    for _ in range(5000):
        counts: dict[str, int] = {}
        for _ in range(rng.randint(1, 12)):
            d = rng.choice("abcdefg")
            counts[d] = counts.get(d, 0) + 1
        assert max(counts.items(), key=itemgetter(1)) == Counter(counts).most_common(1)[0]


def test_no_skipped_script_or_data_scheme_starts_like_http() -> None:
    # _resolve takes the web-URL path at once for anything starting with "http"
    for prefix in (*_SKIP_SCHEMES, "javascript:", "vbscript:", "data:"):
        assert not prefix.startswith("http") and not "http".startswith(prefix)


def test_resolve_classifies_each_kind() -> None:
    _resolve.cache_clear()
    assert _resolve("") is None and _resolve("   ") is None
    assert _resolve(" mailto:a@example.com") is None
    assert _resolve("JavaScript:alert(1)").kind == "script"
    assert _resolve("  data:text/html;base64,AAAA").mediatype == "text/html"
    r = _resolve("HTTPS://Example.COM/x")
    assert r.kind == "url" and r.final_url == "https://example.com/x" and r.domain == "example.com"
    assert _resolve("httpx://example.com/") is None

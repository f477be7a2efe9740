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


def test_a_host_in_no_hosting_list_matches_none_of_them() -> None:
    from mailwarden.urls import hosting_data

    data = hosting_data()
    sets = (data.free_hosting, data.form_hosts, data.file_share, data.ipfs, data.shorteners)
    entries = [h for s in sets for h in s._hosts]
    rng = random.Random(6)
    hosts = entries + [f"{rng.choice(['x', 'www', 'a.b'])}.{e}" for e in entries] + [
        "example.com", "mail.example.org", "github.io", "notgithub.io", "io", "", "bit.ly.example"]
    paths = ["", "/", "/forms/d/x", "/ipfs/abc", "/s/abc", "/d/e/f", "/view?x"]
    for host in hosts:
        listed = data.listed(host)
        for path in paths:
            hits = [s.match(host, path) for s in sets]
            if not listed:
                assert hits == [None] * len(sets), (host, path)
        assert listed == any(s.covers(host) for s in sets)

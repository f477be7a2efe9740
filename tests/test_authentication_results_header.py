"""Our Authentication-Results header: safely quoted (nothing can inject a header line through a
domain or selector) and parseable back to the same results by an independent parser."""

from __future__ import annotations

import pytest

from mailwarden.auth.authres import OutResult, format_authentication_results, parse_authentication_results

authres = pytest.importorskip("authres")

HOSTILE = ["evil.example\r\nX-Injected: yes", "a\x00b.example", 'quo"te\\.example', "sp ace.example",
           "x;dkim=pass", "(comment).example", "\u00e9xample.com"]


@pytest.mark.parametrize("value", HOSTILE)
def test_no_control_characters_can_be_injected(value):
    out = format_authentication_results("mx.example.org", [
        OutResult("dkim", "fail", [("header.d", value), ("header.s", value)], reason=value)])
    body = out.replace("\r\n\t", " ")  # our own folding is the only line break
    assert "\r" not in body and "\n" not in body and "\x00" not in body
    parsed = parse_authentication_results(out)
    assert parsed.authserv_id == "mx.example.org"
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "fail")]
    cleaned = value.replace("\r", "").replace("\n", "").replace("\x00", "")
    expected = cleaned if cleaned.isascii() else "xn--xample-9ua.com"  # IDNA A-label for the header
    assert parsed.results[0].props["header.d"] == expected
    assert body.isascii()
    theirs = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + body)
    assert [(r.method, r.result) for r in theirs.results] == [("dkim", "fail")]


def test_round_trip_through_the_authres_library():
    out = format_authentication_results("mx.example.org", [
        OutResult("spf", "pass", [("smtp.mailfrom", "bounces.example.com")]),
        OutResult("dkim", "pass", [("header.d", "example.com"), ("header.s", "sel1"), ("header.b", "abcd1234")]),
        OutResult("dkim", "fail", [("header.d", "other.example"), ("header.s", "s2")]),
        OutResult("dmarc", "pass", [("header.from", "example.com")]),
        OutResult("arc", "none"),
    ])
    ours = parse_authentication_results(out)
    theirs = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + out.replace("\r\n\t", " "))
    assert theirs.authserv_id == ours.authserv_id == "mx.example.org"
    assert [(r.method, r.result) for r in theirs.results] == [(r.method, r.result) for r in ours.results]
    assert [(r.method, r.result) for r in ours.results] == [
        ("spf", "pass"), ("dkim", "pass"), ("dkim", "fail"), ("dmarc", "pass"), ("arc", "none")]
    dkim = theirs.results[1]
    assert {(p.type + "." + p.name, p.value) for p in dkim.properties} >= {("header.d", "example.com"),
                                                                          ("header.s", "sel1")}


def test_nothing_checked_is_none():
    assert format_authentication_results("mx.example.org", []) == "mx.example.org; none"


@pytest.mark.parametrize("value,authserv,methods", [
    # Exchange Online: no authserv-id, comments, non-standard keys
    ("spf=pass (sender IP is 209.85.219.199) smtp.mailfrom=trix.bounces.google.com; dkim=pass (signature was "
     "verified) header.d=gmail.com;dmarc=pass action=none header.from=gmail.com;compauth=pass reason=100",
     None, [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"), ("compauth", "pass")]),
    # ARC-Authentication-Results with an instance and an authserv-id version
    ("i=3; mx.microsoft.com 1; spf=pass (sender ip is 192.0.2.1) smtp.mailfrom=example.com; "
     "dmarc=bestguesspass action=none header.from=example.com", "mx.microsoft.com",
     [("spf", "pass"), ("dmarc", "none")]),
    ('mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b="AbC;1"; spf=softfail', "mx.google.com",
     [("dkim", "pass"), ("spf", "softfail")]),
    ("mailin049.protonmail.ch; dmarc=none (p=none dis=none) header.from=example.com", "mailin049.protonmail.ch",
     [("dmarc", "none")]),
])
def test_reads_real_world_shapes(value, authserv, methods):
    h = parse_authentication_results(value)
    assert h.authserv_id == authserv
    assert [(r.method, r.result) for r in h.results] == methods


def test_quoted_semicolon_and_comment_parenthesis_do_not_split():
    h = parse_authentication_results('x.example; dkim=pass (a ";" b) header.b="x;y" header.d=example.com')
    assert len(h.results) == 1 and h.results[0].props["header.b"] == "x;y"
    assert h.results[0].props["header.d"] == "example.com"

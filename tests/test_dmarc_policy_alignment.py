"""DMARC (RFC 7489): discovery via the organisational domain, relaxed/strict alignment, p/sp/np/pct,
and several From mailboxes (§6.6.1)."""

from __future__ import annotations

import pytest

from mailwarden.auth.dmarc import aligned, evaluate, org_domain, parse_record, strictest
from mailwarden.dns import StaticResolver


def test_org_domain_uses_the_public_suffix_list():
    assert org_domain("mail.example.co.uk") == "example.co.uk"
    assert org_domain("a.b.example.com") == "example.com"
    assert org_domain("example.com") == "example.com"
    # private-section suffixes count: each Firebase project is its own organisation
    assert org_domain("abc-123.firebaseapp.com") == "abc-123.firebaseapp.com"


def test_alignment_modes():
    assert aligned("mail.example.com", "example.com", "r")
    assert not aligned("mail.example.com", "example.com", "s")
    assert aligned("EXAMPLE.com.", "example.com", "s")
    assert not aligned("example.co.uk", "other.co.uk", "r")
    assert not aligned(None, "example.com")


@pytest.mark.parametrize("txt,p", [
    ("v=DMARC1; p=reject; sp=none; pct=50; adkim=s", "reject"),
    ("v=DMARC1;p=quarantine", "quarantine"),
    ("v=DMARC1; rua=mailto:d@example.com", "none"),  # §6.6.3: no p but rua -> none
])
def test_parse_record(txt, p):
    assert parse_record(txt).p == p


def test_parse_record_rejects_non_dmarc():
    assert parse_record("v=spf1 -all") is None
    assert parse_record("p=reject; v=DMARC1") is None  # v must come first
    assert parse_record("v=DMARC1; p=bogus") is None


ZONE = StaticResolver({
    "_dmarc.example.com": [["TXT", "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=r; aspf=s"]],
    "news.example.com": [["A", "192.0.2.1"]],
    "_dmarc.strict.example": [["TXT", "v=DMARC1; p=quarantine; adkim=s; pct=20"]],
    "_dmarc.two.example": [["TXT", "v=DMARC1; p=reject"], ["TXT", "v=DMARC1; p=none"]],
    "_dmarc.slow.example": "TIMEOUT",
})


def test_pass_by_relaxed_dkim_alignment_of_a_subdomain_signature():
    r = evaluate(ZONE, "example.com", "none", None, ["mail.example.com"])
    assert (r.result, r.policy, r.dkim_aligned) == ("pass", "reject", ["mail.example.com"])


def test_strict_spf_alignment_needs_the_exact_domain():
    r = evaluate(ZONE, "example.com", "pass", "bounces.example.com", [])
    assert r.result == "fail" and r.applied == "reject"
    assert evaluate(ZONE, "example.com", "pass", "example.com", []).result == "pass"


def test_subdomain_inherits_sp_and_nonexistent_subdomain_gets_np():
    r = evaluate(ZONE, "news.example.com", "none", None, [])
    assert (r.result, r.policy, r.applied) == ("fail", "reject", "quarantine")
    r = evaluate(ZONE, "ghost.example.com", "none", None, [])
    assert (r.result, r.applied) == ("fail", "reject")


def test_strict_dkim_and_pct_are_reported():
    r = evaluate(ZONE, "strict.example", "none", None, ["mail.strict.example"])
    assert (r.result, r.applied, r.pct) == ("fail", "quarantine", 20)


def test_no_record_is_none_and_several_records_are_none():
    assert evaluate(ZONE, "nothing.example", "pass", "nothing.example", []).result == "none"
    assert evaluate(ZONE, "two.example", "none", None, []).result == "none"


def test_dns_failure_is_temperror_never_pass():
    assert evaluate(ZONE, "slow.example", "pass", "slow.example", ["slow.example"]).result == "temperror"
    assert evaluate(None, "example.com", "pass", "example.com", ["example.com"]).result == "temperror"


def test_several_from_mailboxes_take_the_strictest_outcome():
    results = [evaluate(ZONE, d, "pass", "example.com", ["example.com"]) for d in ("example.com", "strict.example")]
    worst = strictest(results)
    assert (worst.domain, worst.result) == ("strict.example", "fail")

"""Trusted upstream: results a provider wrote at its own receiving hop are believed; anything below
that hop, or written by anyone else, is attacker-controlled text (evidence at most)."""

from __future__ import annotations

import pytest

from mailwarden.config import config_from_dict
from mailwarden.dns import NullResolver
from mailwarden.engine import Engine
from mailwarden.upstream import PROVIDERS


def _engine(*providers: str, authserv_id: str = "gw.example.org") -> Engine:
    cfg = config_from_dict({"trusted_upstream": list(providers), "authserv_id": authserv_id})
    return Engine(config=cfg, resolver=NullResolver(), analyzers=["headers", "auth"])


def _msg(*headers: str, body: str = "Please call us.\r\n") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


EXO_BLOCK = [
    "Received: from PH0PR11MB0001.namprd11.prod.outlook.com (2603:10b6:510::1) by "
    "PH0PR11MB0002.namprd11.prod.outlook.com with HTTPS; Tue, 2 Jan 2024 10:00:03 +0000",
    "Received: from BN8NAM11FT001.eop-nam11.prod.protection.outlook.com (2603:10b6:408::2) by "
    "PH0PR11MB0001.outlook.office365.com (2603:10b6:510::1) with Microsoft SMTP Server id 15.20.1; "
    "Tue, 2 Jan 2024 10:00:02 +0000",
]
EXO_HOP = ("Received: from mail.sender.example (198.51.100.7) by BN8NAM11FT001.mail.protection.outlook.com "
           "(10.13.1.1) with Microsoft SMTP Server id 15.20.1 via Frontend Transport; Tue, 2 Jan 2024 10:00:01 +0000")
# What the sender put in the message before it reached Microsoft: a forged "verified" header.
INJECTED = ("Authentication-Results: spf=pass smtp.mailfrom=paypal.com; dkim=pass header.d=paypal.com; "
            "dmarc=pass action=none header.from=paypal.com")
TAIL = ["Received: from [10.0.0.5] by mail.sender.example with ESMTP; Tue, 2 Jan 2024 10:00:00 +0000",
        "From: PayPal <service@paypal.com>", "To: victim@example.org", "Subject: Unusual charge",
        "Message-ID: <x1@sender.example>", "Date: Tue, 2 Jan 2024 10:00:00 +0000"]


def exo_message(verdict: str) -> bytes:
    return _msg(*EXO_BLOCK, f"Authentication-Results: {verdict}", EXO_HOP, INJECTED, *TAIL)


EXO_FAIL = ("spf=fail (sender IP is 198.51.100.7) smtp.mailfrom=paypal.com; dkim=none (message not signed) "
            "header.d=none;dmarc=fail action=oreject header.from=paypal.com;compauth=fail reason=000")


def test_providers_are_exported():
    assert {"microsoft", "google", "proton"} <= set(PROVIDERS)


def test_exchange_results_without_authserv_id_are_believed_at_the_receiving_hop():
    v = _engine("microsoft").scan(exo_message(EXO_FAIL))
    assert v.auth["source"] == "upstream:microsoft"
    assert v.auth["spf"] == {"result": "fail", "domain": "paypal.com"}
    assert v.auth["dmarc"] == {"result": "fail", "domain": "paypal.com", "policy": "reject"}
    syms = {f.symbol: f for f in v.findings}
    assert "DMARC_FAIL_REJECT" in syms and "SPF_FAIL" in syms
    # the injected pass below the hop is evidence, never belief
    assert "AUTHRES_CONTRADICTED" in syms
    claim = syms["AUTHRES_UNTRUSTED_UPSTREAM_CLAIM"]
    assert claim.weight == 0 and any("below the trusted hop" in e for e in claim.evidence)
    assert "AUTH_PASS_DMARC" not in syms
    # the derived envelope names the client Microsoft received the message from
    assert v.envelope["ip"] == "198.51.100.7" and v.envelope["derived"] is True


def test_injected_header_alone_never_yields_a_pass():
    # No Microsoft verdict above the hop: the injected one must not be used.
    msg = _msg(*EXO_BLOCK, EXO_HOP, INJECTED, *TAIL)
    v = _engine("microsoft").scan(msg)
    assert v.auth["source"] == "computed"
    assert v.auth["dmarc"]["result"] != "pass" and all(d["result"] != "pass" for d in v.auth["dkim"])


def test_without_trust_the_provider_header_is_only_a_claim():
    v = _engine().scan(exo_message("spf=pass smtp.mailfrom=paypal.com; dmarc=pass action=none "
                                   "header.from=paypal.com"))
    assert v.auth["source"] == "computed"
    assert v.auth["dmarc"]["result"] in ("temperror", "none")
    assert any(f.symbol == "AUTHRES_UNTRUSTED_UPSTREAM_CLAIM" for f in v.findings)


def test_a_message_that_did_not_come_through_the_provider_is_computed():
    msg = _msg("Received: from mail.sender.example (198.51.100.7) by mx.example.org with ESMTP; "
               "Tue, 2 Jan 2024 10:00:01 +0000", INJECTED, *EXO_BLOCK, *TAIL)
    v = _engine("microsoft").scan(msg)
    assert v.auth["source"] == "computed"


def test_our_own_handoff_hop_above_the_provider_is_allowed():
    handoff = ("Received: from mail-bn8nam11on2001.outbound.protection.outlook.com (40.107.1.1) by gw.example.org "
               "with ESMTPS; Tue, 2 Jan 2024 10:00:04 +0000")
    v = _engine("microsoft").scan(_msg(handoff, *EXO_BLOCK, f"Authentication-Results: {EXO_FAIL}", EXO_HOP,
                                       *TAIL))
    assert v.auth["source"] == "upstream:microsoft"


GMAIL = [
    "Received: by 2002:a05:6a10:1234:b0:4a1:2345:6789 with SMTP id a1csp123456pxb; "
    "Tue, 2 Jan 2024 02:00:02 -0800 (PST)",
    "ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.i=@docs.example header.s=s1 "
    "header.b=AbCd; spf=pass (google.com: domain of x@docs.example designates 192.0.2.9 as permitted sender) "
    "smtp.mailfrom=x@docs.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=docs.example",
    "Authentication-Results: mx.google.com; dkim=pass header.i=@docs.example header.s=s1 header.b=AbCd; "
    "spf=pass (google.com: domain of x@docs.example designates 192.0.2.9 as permitted sender) "
    "smtp.mailfrom=x@docs.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=docs.example",
    "Received: from mail-out.docs.example (mail-out.docs.example. [192.0.2.9]) by mx.google.com with ESMTPS id "
    "x1si123; Tue, 2 Jan 2024 02:00:01 -0800 (PST)",
    "Authentication-Results: mx.google.com; dmarc=pass header.from=bank.example",  # injected by the sender
    "From: Docs <share@docs.example>", "To: someone@gmail.example", "Subject: A document was shared",
    "Message-ID: <g1@docs.example>",
]


def test_gmail_results_are_believed_and_its_name_below_the_hop_is_not():
    v = _engine("google").scan(_msg(*GMAIL))
    assert v.auth["source"] == "upstream:google"
    assert v.auth["dmarc"] == {"result": "pass", "domain": "docs.example", "policy": "reject"}
    assert v.auth["dkim"] == [{"result": "pass", "domain": "docs.example", "selector": "s1"}]
    assert v.auth["spf"] == {"result": "pass", "domain": "docs.example"}
    claims = [f for f in v.findings if f.symbol == "AUTHRES_UNTRUSTED_UPSTREAM_CLAIM"]
    # only the sender's injected header is a claim; Gmail's own ARC-Authentication-Results is not
    assert claims and all("bank.example" in e for c in claims for e in c.evidence)
    assert any(f.symbol == "AUTH_PASS_DMARC" for f in v.findings)
    # a pass never subtracts: no negative weights anywhere
    assert all(f.weight >= 0 for f in v.findings)


def test_authentication_facts_for_other_analyzers():
    eng = _engine("google")
    from mailwarden.context import ScanContext
    from mailwarden.envelope import derive_envelope
    from mailwarden.message import Message

    msg = Message.parse(_msg(*GMAIL))
    ctx = ScanContext(engine=eng, envelope=derive_envelope(msg), deadline=float("inf"))
    for a in eng.analyzers:
        list(a.analyze(msg, ctx))
    facts = ctx.facts["auth"]
    assert facts.source == "upstream:google"
    assert facts.dmarc_result == "pass" and facts.dmarc_domain == "docs.example"
    assert facts.aligned_domains == {"docs.example"}
    assert facts.dkim_pass_domains == {"docs.example"}
    assert facts.spf_pass_domain == "docs.example"
    assert facts.authenticated_as("docs.example") and facts.authenticated_as("mail.docs.example")
    assert not facts.authenticated_as("bank.example")
    assert ctx.authentication_results.startswith("gw.example.org;")


PROTON = [
    "Authentication-Results: mailin042.protonmail.ch; dkim=pass (2048-bit key) header.d=shop.example "
    "header.i=@shop.example header.b=\"Zz12\"",
    "Authentication-Results: mailin042.protonmail.ch; dmarc=pass (p=quarantine dis=none) header.from=shop.example",
    "Authentication-Results: mailin042.protonmail.ch; spf=pass smtp.mailfrom=shop.example",
    "Authentication-Results: mailin042.protonmail.ch; arc=none smtp.remote-ip=192.0.2.44",
    "Received: from out.shop.example (out.shop.example [192.0.2.44]) by mailin042.protonmail.ch (Postfix) with "
    "ESMTPS id 4Abc for <me@proton.example>; Tue, 2 Jan 2024 10:00:01 +0000 (UTC)",
    "From: Shop <news@shop.example>", "To: me@proton.example", "Subject: Sale", "Message-ID: <p1@shop.example>",
]


def test_proton_split_headers_are_merged():
    v = _engine("proton").scan(_msg(*PROTON))
    assert v.auth["source"] == "upstream:proton"
    assert v.auth["dmarc"] == {"result": "pass", "domain": "shop.example", "policy": "quarantine"}
    assert v.auth["spf"]["result"] == "pass" and v.auth["arc"]["result"] == "none"
    assert v.auth["dkim"][0]["domain"] == "shop.example"


def test_gmail_forwarding_into_microsoft_believes_the_top_provider():
    msg = _msg(*EXO_BLOCK, "Authentication-Results: spf=pass (sender IP is 209.85.1.1) smtp.mailfrom=gmail.example; "
               "dkim=pass (signature was verified) header.d=docs.example;dmarc=pass action=none "
               "header.from=docs.example;compauth=pass reason=100",
               "Received: from mail-ua1-f44.google.com (209.85.1.1) by BN8NAM11FT001.mail.protection.outlook.com "
               "(10.13.1.1) with Microsoft SMTP Server; Tue, 2 Jan 2024 10:00:01 +0000",
               "Received: by mail-ua1-f44.google.com with SMTP id q1so1; Tue, 2 Jan 2024 02:00:01 -0800 (PST)",
               *GMAIL)
    v = _engine("google", "microsoft").scan(msg)
    assert v.auth["source"] == "upstream:microsoft"


def test_our_own_authserv_id_in_an_incoming_message_is_a_forgery():
    msg = _msg("Received: from x.example (x.example [198.51.100.1]) by gw.example.org with ESMTP; "
               "Tue, 2 Jan 2024 10:00:00 +0000",
               "Authentication-Results: gw.example.org; spf=pass smtp.mailfrom=bank.example; "
               "dmarc=pass header.from=bank.example",
               "From: Bank <alerts@bank.example>", "Subject: Verify", "Message-ID: <f1@x.example>")
    v = _engine(authserv_id="gw.example.org").scan(msg)
    forged = [f for f in v.findings if f.symbol == "AUTHRES_FORGED"]
    assert forged and forged[0].weight > 0
    assert v.auth["dmarc"]["result"] != "pass"


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_provider_definitions_are_complete(name):
    p = PROVIDERS[name]
    assert p.name == name and p.label


def test_boundary_mta_under_own_domains_is_believed_when_trusted():
    cfg = config_from_dict({"trusted_upstream": ["boundary"], "own_domains": ["example.org"],
                            "authserv_id": "scan.example.org"})
    eng = Engine(config=cfg, resolver=NullResolver(), analyzers=["headers", "auth"])
    msg = _msg("Received: from mx1.example.org (mx1.example.org [10.0.0.2]) by store.example.org with LMTP; "
               "Tue, 2 Jan 2024 10:00:02 +0000",
               "Authentication-Results: mx1.example.org; spf=pass smtp.mailfrom=shop.example; "
               "dkim=pass header.d=shop.example header.s=k1; dmarc=pass (p=reject) header.from=shop.example",
               "Received: from out.shop.example (out.shop.example [192.0.2.44]) by mx1.example.org with ESMTPS; "
               "Tue, 2 Jan 2024 10:00:01 +0000",
               "Authentication-Results: mx1.example.org; dmarc=pass header.from=bank.example",  # injected
               "From: Shop <news@shop.example>", "Subject: Sale", "Message-ID: <b1@shop.example>")
    v = eng.scan(msg)
    assert v.auth["source"] == "upstream:boundary"
    assert v.auth["dmarc"] == {"result": "pass", "domain": "shop.example", "policy": "reject"}
    assert v.envelope["ip"] == "192.0.2.44"
    # our own authserv-id is never a believed writer, even though it is under own_domains
    forged = _msg("Received: from mx1.example.org (mx1.example.org [10.0.0.2]) by store.example.org with LMTP; "
                  "Tue, 2 Jan 2024 10:00:02 +0000",
                  "Authentication-Results: scan.example.org; dmarc=pass header.from=bank.example",
                  "Received: from evil.example (evil.example [198.51.100.9]) by mx1.example.org with ESMTP; "
                  "Tue, 2 Jan 2024 10:00:01 +0000",
                  "From: Bank <a@bank.example>", "Subject: x", "Message-ID: <b2@evil.example>")
    v = eng.scan(forged)
    assert v.auth["source"] == "computed"
    assert any(f.symbol == "AUTHRES_FORGED" for f in v.findings)


def test_proton_results_relocated_below_the_trace_are_believed_worst_first():
    received = ("Received: from vps.sender.example (vps.sender.example [198.51.100.43]) by mailin034.protonmail.ch "
                "(Postfix) with ESMTPS id 4Tx for <me@proton.example>; Tue, 2 Jan 2024 10:00:01 +0000 (UTC)")
    msg = _msg("Return-Path: <root@sender.example>", received,
               "Received: by vps.sender.example (Postfix, from userid 0) id 1; Tue, 2 Jan 2024 10:00:00 +0100",
               "Authentication-Results: mail.protonmail.ch; dmarc=none (p=none dis=none) header.from=bank.example",
               # the sender's own text, right next to Proton's: it must not upgrade the verdict
               "Authentication-Results: mail.protonmail.ch; dmarc=pass header.from=bank.example; "
               "dkim=pass header.d=bank.example",
               "Authentication-Results: mail.protonmail.ch; spf=none smtp.mailfrom=sender.example",
               "From: Bank <alerts@bank.example>", "Subject: Points expire", "Message-ID: <r1@sender.example>")
    v = _engine("proton").scan(msg)
    assert v.auth["source"] == "upstream:proton"
    assert v.auth["dmarc"]["result"] == "none"
    assert v.auth["spf"] == {"result": "none", "domain": "sender.example"}
    assert all(d["result"] != "pass" for d in v.auth["dkim"])


def test_a_provider_that_reports_no_dmarc_does_not_make_it_none():
    gmail = [h for h in GMAIL if not h.startswith("ARC-")]
    gmail = [h.replace("; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=docs.example", "")
             if h.startswith("Authentication-Results: mx.google.com; dkim") else h for h in gmail]
    v = _engine("google").scan(_msg(*gmail))
    assert v.auth["source"] == "upstream:google"
    assert v.auth["dmarc"]["result"] == "none"
    assert "DMARC_NONE" not in {f.symbol for f in v.findings}


def test_a_by_inside_a_received_comment_is_not_a_provider_hop():
    from mailwarden.upstream import received_hosts

    assert received_hosts("from evil.example (helo x by mx.google.com) by relay.evil.example with SMTP") == (
        "evil.example", "relay.evil.example")
    msg = _msg("Received: from evil.example (x by mx.google.com) by relay.evil.example with SMTP; "
               "Tue, 2 Jan 2024 10:00:01 +0000",
               "Authentication-Results: mx.google.com; dmarc=pass header.from=bank.example",
               "Received: from a.example (a.example [192.0.2.1]) by mx.google.com with ESMTPS; "
               "Tue, 2 Jan 2024 10:00:00 +0000",
               "From: Bank <alerts@bank.example>", "Subject: x", "Message-ID: <c1@evil.example>")
    assert _engine("google").scan(msg).auth["source"] == "computed"


def test_exchange_composite_authentication_failure_is_evidence():
    verdict = ("spf=none (sender IP is 198.51.100.7) smtp.mailfrom=sender.example; dkim=none (message not signed) "
               "header.d=none;dmarc=none action=none header.from=paypa1-billing.example;compauth=fail reason=001")
    v = _engine("microsoft").scan(exo_message(verdict))
    f = {x.symbol: x for x in v.findings}["AUTH_UPSTREAM_COMPAUTH_FAIL"]
    assert f.weight > 0 and "reason=001" in f.evidence[0]
    # not on top of a DMARC failure, which already says it
    assert "AUTH_UPSTREAM_COMPAUTH_FAIL" not in {x.symbol for x in _engine("microsoft").scan(exo_message(EXO_FAIL)).findings}


def test_our_authserv_id_written_at_our_own_receiving_hop_is_not_a_forgery():
    msg = _msg("Authentication-Results: gw.example.org; auth=pass smtp.auth=alice@example.org",
               "Received: from laptop.example.org (laptop.example.org [192.0.2.50]) by gw.example.org with ESMTPSA; "
               "Tue, 2 Jan 2024 10:00:00 +0000",
               "From: Alice <alice@example.org>", "Subject: Minutes", "Message-ID: <m1@example.org>")
    v = _engine(authserv_id="gw.example.org").scan(msg)
    assert "AUTHRES_FORGED" not in {f.symbol for f in v.findings}
    # the same header inside a message with no trace at all cannot be ours
    bare = _msg("Authentication-Results: gw.example.org; dmarc=pass header.from=bank.example",
                "From: Bank <alerts@bank.example>", "Subject: x", "Message-ID: <m2@x.example>")
    assert "AUTHRES_FORGED" in {f.symbol for f in _engine(authserv_id="gw.example.org").scan(bare).findings}

"""Hybrid routing: when Microsoft stamps that it received a message from its tenant's own
on-premises relay, its SPF and DMARC verdicts judge that relay, not the sender. They are set aside
(DKIM, judged on the message itself, is kept), and the relay is not taken for where the message
entered. The stamp counts only as Microsoft writes it: one copy, naming the receiving hop's client."""

from __future__ import annotations

from mailwarden.config import config_from_dict
from mailwarden.dns import NullResolver
from mailwarden.engine import Engine
from test_trusted_upstream import EXO_BLOCK  # Exchange Online's internal hops above its receiving hop

RELAY_IP = "192.0.2.25"

# Microsoft's receiving hop: the client is the tenant's own gateway, which relayed the message in.
EXO_HOP = (f"Received: from smtp-out.tenant.example ({RELAY_IP}) by BN8NAM11FT001.mail.protection.outlook.com "
           "(10.13.1.1) with Microsoft SMTP Server id 15.20.1 via Frontend Transport; Tue, 2 Jan 2024 10:00:01 +0000")
# The tenant's own servers, and where the message really entered them.
ON_PREM = [
    "Received: from gw1.tenant.example (10.1.1.5) by smtp-out.tenant.example (10.1.1.9) with Microsoft SMTP "
    "Server id 14.3.1; Tue, 2 Jan 2024 10:00:00 +0000",
    "Received: from mail-sor-f41.google.com (209.85.220.41) by gw1.tenant.example with ESMTP; "
    "Tue, 2 Jan 2024 09:59:59 +0000",
]
TAIL = ["From: Google <no-reply@accounts.google.com>", "To: admin@tenant.example",
        "Subject: Security alert", "Message-ID: <a1@google.com>", "Date: Tue, 2 Jan 2024 09:59:58 +0000"]

# What Exchange Online writes when it checks SPF against the tenant's relay.
RELAY_FAIL = (f"spf=softfail (sender IP is {RELAY_IP}) smtp.mailfrom=google.com; dkim=fail (signature did not "
              "verify) header.d=google.com;dmarc=fail action=oreject header.from=google.com;compauth=fail reason=001")


def _stamp(entity: str = "HybridOnPrem", ip: str = RELAY_IP) -> list[str]:
    return [f"X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: "
            f"TenantId=11111111-2222-3333-4444-555555555555;Ip=[{ip}];Helo=[smtp-out.tenant.example]",
            f"X-MS-Exchange-CrossTenant-FromEntityHeader: {entity}"]


def _message(verdict: str, stamp: list[str]) -> bytes:
    headers = [*EXO_BLOCK, f"Authentication-Results: {verdict}", EXO_HOP, *ON_PREM, *TAIL, *stamp]
    return ("\r\n".join(headers) + "\r\n\r\nYour account was signed in from a new device.\r\n").encode()


def _scan(msg: bytes, *providers: str):
    cfg = config_from_dict({"trusted_upstream": list(providers)})
    return Engine(config=cfg, resolver=NullResolver(),
                  analyzers=["headers", "auth", "routing", "identity"]).scan(msg)


def _symbols(v) -> dict:
    return {f.symbol: f for f in v.findings}


def test_relay_verdicts_are_set_aside_and_dkim_kept():
    v = _scan(_message(RELAY_FAIL, _stamp()), "microsoft")
    assert v.auth["source"] == "upstream:microsoft"
    assert v.auth["spf"]["result"] == "none"
    assert v.auth["dmarc"] == {"result": "none", "domain": "google.com", "policy": None}
    assert v.auth["dkim"] == [{"result": "fail", "domain": "google.com", "selector": ""}]
    syms = _symbols(v)
    note = syms["AUTH_UPSTREAM_OWN_RELAY"]
    assert note.weight == 0 and any("HybridOnPrem" in e for e in note.evidence)
    for gone in ("DMARC_FAIL_REJECT", "SPF_SOFTFAIL", "AUTH_UPSTREAM_COMPAUTH_FAIL", "DMARC_NONE",
                 "FROM_BRAND_UNAUTHENTICATED", "RCVD_BRAND_FOREIGN_INFRA", "IDENTITY_SPOOFED_BRAND_PATH"):
        assert gone not in syms, gone
    assert "DKIM_FAIL" in syms
    assert "relay, not the sender" in v.authentication_results


def test_without_the_stamp_the_same_message_is_a_brand_spoof():
    v = _scan(_message(RELAY_FAIL, []), "microsoft")
    assert v.auth["dmarc"]["result"] == "fail"
    syms = _symbols(v)
    assert {"DMARC_FAIL_REJECT", "RCVD_BRAND_FOREIGN_INFRA"} <= set(syms)
    assert "AUTH_UPSTREAM_OWN_RELAY" not in syms


def test_microsoft_saying_internet_is_not_a_relay():
    v = _scan(_message(RELAY_FAIL, _stamp("Internet")), "microsoft")
    assert "DMARC_FAIL_REJECT" in _symbols(v)


def test_a_second_stamp_means_the_sender_wrote_one():
    # Exchange Online strips the stamps a message arrives with; two copies mean one is the sender's.
    stamp = _stamp() + ["X-MS-Exchange-CrossTenant-FromEntityHeader: Internet"]
    assert "DMARC_FAIL_REJECT" in _symbols(_scan(_message(RELAY_FAIL, stamp), "microsoft"))
    stamp = _stamp() + _stamp()[:1]
    assert "DMARC_FAIL_REJECT" in _symbols(_scan(_message(RELAY_FAIL, stamp), "microsoft"))


def test_a_stamp_about_another_client_is_not_this_hop():
    v = _scan(_message(RELAY_FAIL, _stamp(ip="198.51.100.99")), "microsoft")
    assert "DMARC_FAIL_REJECT" in _symbols(v)
    v = _scan(_message(RELAY_FAIL, _stamp()[1:]), "microsoft")  # no connecting-IP stamp at all
    assert "DMARC_FAIL_REJECT" in _symbols(v)


def test_a_pass_on_the_relay_spf_alone_is_not_kept():
    # The tenant's own domain authorises its relay: SPF (and a DMARC pass resting on it) passes for
    # whoever handed the message to the relay, e.g. a spoof of the tenant's own domain.
    spf_only = (f"spf=pass (sender IP is {RELAY_IP}) smtp.mailfrom=google.com; dkim=none (message not signed) "
                "header.d=none;dmarc=pass action=none header.from=google.com;compauth=pass reason=100")
    v = _scan(_message(spf_only, _stamp()), "microsoft")
    assert v.auth["spf"]["result"] == "none" and v.auth["dmarc"]["result"] == "none"
    assert "AUTH_PASS_DMARC" not in _symbols(v)


def test_a_pass_resting_on_aligned_dkim_stands():
    dkim_pass = (f"spf=softfail (sender IP is {RELAY_IP}) smtp.mailfrom=google.com; dkim=pass (signature was "
                 "verified) header.d=google.com;dmarc=pass action=none header.from=google.com;compauth=pass reason=100")
    v = _scan(_message(dkim_pass, _stamp()), "microsoft")
    assert v.auth["dmarc"]["result"] == "pass" and v.auth["spf"]["result"] == "none"
    syms = _symbols(v)
    assert "AUTH_PASS_DMARC" in syms and "SPF_SOFTFAIL" not in syms


def test_the_stamp_means_nothing_without_trusting_microsoft():
    # Not behind a trusted Microsoft hop, the stamp is text the sender could have written.
    v = _scan(_message(RELAY_FAIL, _stamp()))
    assert v.auth["source"] == "computed"
    assert "AUTH_UPSTREAM_OWN_RELAY" not in _symbols(v)

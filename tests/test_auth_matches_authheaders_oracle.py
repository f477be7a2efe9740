"""Cross-check against an independent implementation: authheaders (DKIM + DMARC through the same
zone data) must agree with our DKIM and DMARC results, and its parser must read our header."""

from __future__ import annotations

import pytest

from dkimkeys import rsa_key, sign
from mailwarden.config import config_from_dict
from mailwarden.dns import NXDomain, StaticResolver
from mailwarden.engine import Engine
from mailwarden.envelope import Envelope

authheaders = pytest.importorskip("authheaders")
authres = pytest.importorskip("authres")

MSG = (b"From: News <news@example.com>\r\nTo: you@example.org\r\nSubject: Weekly\r\n"
       b"Date: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <w1@example.com>\r\n\r\nThis week.\r\n")


def _oracle_dnsfunc(zone: StaticResolver):
    def dnsfunc(name, timeout=5):
        as_bytes = isinstance(name, bytes)
        qname = name.decode() if as_bytes else name
        try:
            recs = zone.query(qname, "TXT")
        except NXDomain:
            return None
        if not recs:
            return None
        return recs[0].encode() if as_bytes else recs[0]

    return dnsfunc


@pytest.mark.parametrize("signer,tamper", [("example.com", False), ("example.com", True),
                                           ("mailer.example.net", False)])
def test_dkim_and_dmarc_agree_with_authheaders(signer, tamper):
    pem, rec = rsa_key()
    raw = sign(MSG, signer, "s1", pem)
    if tamper:
        raw = raw.replace(b"This week.", b"This week, urgent.")
    zone = StaticResolver({f"s1._domainkey.{signer}": [["TXT", rec]],
                           "_dmarc.example.com": [["TXT", "v=DMARC1; p=quarantine"]]})
    eng = Engine(config=config_from_dict({"authserv_id": "mx.example.org"}), resolver=zone,
                 analyzers=["headers", "auth"])
    v = eng.scan(raw, Envelope(ip="203.0.113.5", helo="out.example.net", mail_from="b@bounce.example.net"))
    theirs = authheaders.authenticate_message(raw, "mx.example.org", spf=False, dkim=True, dmarc=True,
                                              dnsfunc=_oracle_dnsfunc(zone))
    parsed = authres.AuthenticationResultsHeader.parse(theirs)
    oracle = {r.method: r.result for r in parsed.results}
    assert v.auth["dkim"][0]["result"] == oracle["dkim"]
    assert v.auth["dmarc"]["result"] == oracle["dmarc"]
    # and our own header parses back, with the same results, in their parser
    ours = authres.AuthenticationResultsHeader.parse(
        "Authentication-Results: " + v.authentication_results.replace("\r\n\t", " "))
    assert ours.authserv_id == "mx.example.org"
    got = {r.method: r.result for r in ours.results if r.method in ("dkim", "dmarc")}
    assert got == {"dkim": v.auth["dkim"][0]["result"], "dmarc": v.auth["dmarc"]["result"]}

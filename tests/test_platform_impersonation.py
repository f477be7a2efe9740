"""The reverse case: a platform's look and name from a sender that is not the platform."""

from __future__ import annotations

from platform_helpers import StubAuthFacts, _StubAuth, platform_engine, scan_as, symbols

from conftest import make_message

DOCUSIGN_LOOK = ("REVIEW DOCUMENT\nPlease DocuSign: Payroll update.pdf\nDo Not Share This Email\n"
                 "Alternate Signing Method: visit DocuSign.com\nAbout DocuSign\n")


def test_platform_look_from_another_domain_is_impersonation() -> None:
    raw = make_message({"From": "DocuSign Electronic Signature <dse@docs-sign-center.example>",
                        "Subject": "Please DocuSign: Payroll update.pdf"}, DOCUSIGN_LOOK)
    v = scan_as(raw, ["docs-sign-center.example"])
    assert "PLATFORM_IMPERSONATION" in symbols(v)
    assert v.platform == {"name": "docusign", "authenticated": False}
    assert "docs-sign-center.example" in v.findings[0].detail


def test_forwarded_platform_mail_is_not_impersonation() -> None:
    raw = make_message({"From": "DocuSign fan <dana@customer.test>", "Subject": "Fwd: Please DocuSign: Lease"},
                       DOCUSIGN_LOOK)
    assert "PLATFORM_IMPERSONATION" not in symbols(scan_as(raw, ["customer.test"]))


def test_mentioning_a_platform_is_not_impersonation() -> None:
    raw = make_message({"From": "Sam <sam@partner.example>", "Subject": "Contract"},
                       "I'll send the contract through DocuSign tomorrow; please review document 3 first.\n")
    assert "PLATFORM_IMPERSONATION" not in symbols(scan_as(raw, ["partner.example"]))


def test_genuine_platform_sender_is_not_impersonation() -> None:
    raw = make_message({"From": "Alex Kim via Docusign <dse@docusign.net>",
                        "Subject": "Complete with Docusign: Lease renewal 2027"}, DOCUSIGN_LOOK)
    assert "PLATFORM_IMPERSONATION" not in symbols(scan_as(raw, ["docusign.net"]))


def test_a_business_named_like_a_platform_is_not_impersonation() -> None:
    raw = make_message({"From": "Square One Plumbing <billing@squareoneplumbing.example>",
                        "Subject": "Invoice 311 from Square One Plumbing"},
                       "Hi Dana, please find your invoice below.\nView invoice\nPay invoice\nThank you!\n")
    assert "PLATFORM_IMPERSONATION" not in symbols(scan_as(raw, ["squareoneplumbing.example"]))


# A company's marketing sender that the brand list knows but the platform profile (which lists where
# the *notifications* come from) does not: Microsoft Store offers from microsoftstoreemail.com.
STORE_LOOK = ("Black Friday deals are here\nSave on select Surface devices and Xbox consoles.\nShop now\n"
              "Privacy Statement\nMicrosoft Corporation, One Microsoft Way, Redmond, WA 98052\n")


def _store_offer(sender: str) -> bytes:
    return make_message({"From": f"Microsoft Store <{sender}>", "Subject": "Black Friday deals are here"},
                        STORE_LOOK)


def _scan_with_dmarc(raw: bytes, dmarc: str):  # noqa: ANN202 - a Verdict
    engine = platform_engine()
    saved = list(engine.analyzers)
    engine.analyzers = [_StubAuth(StubAuthFacts([], dmarc))] + [a for a in saved if a.name != "auth"]
    try:
        return engine.scan(raw)
    finally:
        engine.analyzers = saved


def test_brand_owned_marketing_domain_unverified_is_not_impersonation() -> None:
    # DNS unreachable: DMARC could not be evaluated, which is not evidence of spoofing
    v = _scan_with_dmarc(_store_offer("microsoftstore@microsoftstoreemail.com"), "temperror")
    assert "PLATFORM_IMPERSONATION" not in symbols(v)


def test_brand_owned_marketing_domain_failing_dmarc_is_impersonation() -> None:
    v = _scan_with_dmarc(_store_offer("microsoftstore@microsoftstoreemail.com"), "fail")
    assert "PLATFORM_IMPERSONATION" in symbols(v)


def test_same_look_from_a_domain_the_brand_does_not_own_is_impersonation() -> None:
    v = _scan_with_dmarc(_store_offer("offers@microsoft-store-deals.example"), "temperror")
    assert "PLATFORM_IMPERSONATION" in symbols(v)

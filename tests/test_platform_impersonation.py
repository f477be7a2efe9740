"""The reverse case: a platform's look and name from a sender that is not the platform."""

from __future__ import annotations

from platform_helpers import scan_as, symbols

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

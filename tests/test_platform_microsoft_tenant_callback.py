"""Microsoft's own verification-code template, abused through a tenant's organisation name."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from platform_helpers import flagged, scan_as, symbols

from conftest import DEMO, REPO, make_message


def verification_mail(tenant: str, from_addr: str = "msonlineservicesteam@microsoftonline.com") -> bytes:
    return make_message(
        {"From": f"Microsoft on behalf of {tenant} <{from_addr}>", "To": "dana@customer.test",
         "Subject": f"{tenant} account email verification code", "Message-ID": "<v@test>"},
        f"<p>To finish setting up your {tenant} account, we just need to make sure this email address is yours.</p>"
        "<p>To verify your email address use this security code: <b>418305</b></p>"
        "<p>Thanks,<br>The Microsoft account team</p>"
        '<p><a href="https://go.microsoft.com/fwlink/?LinkId=521839">Privacy Statement</a></p>',
        "text/html; charset=utf-8")


@pytest.mark.parametrize("tenant", [
    "Unusual charge of $499.99 call +1 (808) 555-0147 to cancel",
    "Your Bitcoin Purchased of USD 498.95 Completed through PayPal. Reach Support Desk at 802 538 3069 to CanceI",
    "PayPal Billing - call l-8O8-555-0199 now",  # look-alike digits
    "You have 3 unread private messages",
    "Verify your wallet at secure-wallet-check.example.com",
])
def test_lure_in_tenant_name_is_flagged(tenant: str) -> None:
    v = scan_as(verification_mail(tenant), ["microsoftonline.com"])
    assert flagged(v), [(f.symbol, f.weight) for f in v.findings]
    assert v.platform == {"name": "microsoft365", "authenticated": True}
    assert v.summary.split(": ", 1)[1].startswith("This message really came from Microsoft's notification system")


def test_callback_explanation_names_the_field_and_advises() -> None:
    v = scan_as(verification_mail("Unusual charge of $499.99 call +1 (808) 555-0147 to cancel"),
                ["microsoftonline.com"])
    assert "PLATFORM_FIELD_CALLBACK" in symbols(v)
    top = v.findings[0]
    assert top.symbol == "PLATFORM_FIELD_CALLBACK"
    assert "organisation name" in top.detail and "phone number" in top.detail
    assert "Do not call the number." in top.detail
    assert any("+18085550147" in e for e in top.evidence)
    assert v.action in ("quarantine", "reject")


@pytest.mark.parametrize("tenant", ["Contoso Ltd", "Fabrikam Research GmbH", "Université de Lyon 2",
                                    "St. Mary's School District #4", "Northwind Traders (EU)"])
def test_ordinary_tenant_name_is_not_flagged(tenant: str) -> None:
    v = scan_as(verification_mail(tenant), ["microsoftonline.com"])
    assert not flagged(v), [(f.symbol, f.weight, f.evidence) for f in v.findings]
    assert "PLATFORM_AUTHENTICATED" in symbols(v)


def test_unauthenticated_copy_gets_no_platform_sentence() -> None:
    """Someone else's mail claiming the Microsoft sender: the platform rules do not apply (spoofing is
    the auth analyzer's finding), and nothing says it "really came from" Microsoft."""
    v = scan_as(verification_mail("Unusual charge of $499.99 call +1 (808) 555-0147 to cancel"), [])
    assert v.platform == {"name": "microsoft365", "authenticated": False}
    assert "PLATFORM_AUTHENTICATED" not in symbols(v)
    assert "really came from" not in v.summary


def test_without_auth_analyzer_the_fields_are_still_checked() -> None:
    v = scan_as(verification_mail("Unusual charge of $499.99 call +1 (808) 555-0147 to cancel"), None)
    assert "PLATFORM_FIELD_CALLBACK" in symbols(v)
    assert "looks like it came from Microsoft" in v.findings[0].detail
    assert v.platform == {"name": "microsoft365", "authenticated": False}


def test_microsofts_own_support_number_is_not_a_callback_lure() -> None:
    v = scan_as(verification_mail("Contoso Ltd"), ["microsoftonline.com"])
    assert "PLATFORM_FIELD_CALLBACK" not in symbols(v)
    tenant = "Contoso - Microsoft support 1-800-642-7676"
    v = scan_as(verification_mail(tenant), ["microsoftonline.com"])
    assert "PLATFORM_FIELD_CALLBACK" not in symbols(v)


def test_tenant_name_posing_as_microsoft_staff() -> None:
    v = scan_as(verification_mail("Microsoft Billing Department"), ["microsoftonline.com"])
    assert "PLATFORM_FIELD_POSES_AS_PLATFORM" in symbols(v)


def test_bundled_demo_is_flagged_with_the_platform_explanation() -> None:
    """`make run` scans the demo folder with the demo DNS zone: demo 04 is DKIM-signed for
    microsoftonline.com, so the engine itself computes that Microsoft sent it."""
    zone = REPO / "src" / "mailwarden" / "data" / "demo-dns.json"
    out = subprocess.run([sys.executable, "-m", "mailwarden", "scan", str(DEMO / "04-microsoft-tenant-callback.eml"),
                          "--format", "json", "--dns-zone", str(zone)], capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 1, out.stderr
    verdict = json.loads(out.stdout)[0]
    assert verdict["auth"]["dmarc"]["result"] == "pass"
    assert verdict["platform"] == {"name": "microsoft365", "authenticated": True}
    assert verdict["action"] in ("quarantine", "reject")
    assert "really came from Microsoft's notification system" in verdict["summary"]
    assert "+18085550147" in " ".join(e for f in verdict["findings"] for e in f["evidence"])


def test_unknown_microsoft_template_still_judges_subject_and_sender_name() -> None:
    """A Microsoft notice we have no template for: the tenant's words in the subject are still judged."""
    def notice(subject: str) -> bytes:
        return make_message({"From": "Microsoft <msonlineservicesteam@microsoftonline.com>", "Subject": subject},
                            "You are receiving this email because of your Microsoft Entra ID tenant.\n")

    bad = scan_as(notice("Welcome to Your PayPal order of $749.00 - if not you call +1 (808) 555-0147 to cancel"),
                  ["microsoftonline.com"])
    assert flagged(bad) and "PLATFORM_FIELD_CALLBACK" in symbols(bad)
    good = scan_as(notice("Action required: Make a purchase by June 26, 2026 to continue using your tenant"),
                   ["microsoftonline.com"])
    assert not flagged(good)

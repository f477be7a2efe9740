"""Mail written end to end by a platform customer: throwaway Microsoft 365 tenants, Firebase projects."""

from __future__ import annotations

from platform_helpers import flagged, scan_as, symbols

from conftest import make_message


def tenant_mail(display: str, subject: str, body: str, domain: str = "qzvbnx7.onmicrosoft.com",
                reply_to: str | None = None) -> bytes:
    headers = {"From": f'"{display}" <info@{domain}>', "To": "dana@customer.test", "Subject": subject}
    if reply_to:
        headers["Reply-To"] = reply_to
    return make_message(headers, body)


def test_tenant_posing_as_a_brand_with_a_prize_is_flagged() -> None:
    v = scan_as(tenant_mail("Costco®", "Your Costco Turkey Dinner Is Ready",
                            "Congratulations! You have been selected to receive a free turkey dinner. "
                            "Claim your reward today, only 3 left."), ["qzvbnx7.onmicrosoft.com"])
    assert flagged(v)
    assert {"PLATFORM_CUSTOMER_CONTENT", "PLATFORM_FIELD_BRAND"} <= symbols(v)
    assert "customer account (qzvbnx7.onmicrosoft.com)" in v.summary


def test_ordinary_tenant_mail_is_not_flagged() -> None:
    v = scan_as(tenant_mail("Lena Hoffmann", "Minutes from Tuesday",
                            "Hi all, attached are the minutes. Next meeting is on the 4th. Lena"),
                ["qzvbnx7.onmicrosoft.com"])
    assert not flagged(v)
    assert v.platform == {"name": "microsoft365", "authenticated": True}
    assert "PLATFORM_CUSTOMER_CONTENT" in symbols(v)  # noted, weighs little alone


def test_firebase_project_casino_spam_is_flagged() -> None:
    v = scan_as(tenant_mail("Prestige Casino", "Sie haben gewonnen! Sichern Sie sich Ihren Bonus",
                            "Herzlichen Glückwunsch! 350 Freispiele und 500 € Willkommensbonus warten auf Sie.",
                            domain="juan3-1453e.firebaseapp.com"), ["firebaseapp.com"])
    assert flagged(v)
    assert v.platform["name"] == "firebase_auth"


def test_firebase_default_template_is_only_its_fields() -> None:
    raw = make_message({"From": "Acme Notes <noreply@acme-notes-4f2e1.firebaseapp.com>",
                        "Subject": "Reset your password for Acme Notes"},
                       "Hello,\nFollow this link to reset your Acme Notes password for your dana@customer.test "
                       "account.\nhttps://acme-notes-4f2e1.firebaseapp.com/__/auth/action?mode=resetPassword\n"
                       "If you didn't ask to reset your password, you can ignore this email.\nThanks,\nYour Acme Notes team\n")
    v = scan_as(raw, ["firebaseapp.com"])
    assert not flagged(v)
    assert "PLATFORM_CUSTOMER_CONTENT" not in symbols(v)  # a known template, not customer prose


def test_reply_to_pivot_away_from_the_tenant() -> None:
    v = scan_as(tenant_mail("Support", "Re: [New] Payment Report: 444497142",
                            "Your payment of $499.00 was processed. Unauthorized? Reply now.",
                            reply_to="billing@desk-mail.example"), ["qzvbnx7.onmicrosoft.com"])
    assert "PLATFORM_REPLYTO_PIVOT" in symbols(v)

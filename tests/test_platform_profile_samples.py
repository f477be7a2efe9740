"""Every platform profile has at least one positive and one negative sample (messages written here).

A positive sample is the platform's genuine template, authenticated for the platform, with a lure in
an attacker-writable field: it must be flagged with a platform symbol. The negative sample is the
same template with ordinary content: it must not be flagged.
"""

from __future__ import annotations

import pytest

from mailwarden.platforms import load_profiles
from platform_helpers import flagged, scan_as, symbols

from conftest import make_message

LURE_NAME = "Unusual charge of $499.99 call +1 (808) 555-0147 to cancel"
HTML = "text/html; charset=utf-8"


def msg(from_: str, subject: str, body: str, extra: dict[str, str] | None = None,
        content_type: str = "text/plain; charset=utf-8") -> bytes:
    headers = {"From": from_, "To": "dana@customer.test", "Subject": subject,
               "Date": "Thu, 19 Nov 2026 14:21:05 +0000", "Message-ID": "<sample@test>", "MIME-Version": "1.0"}
    headers.update(extra or {})
    return make_message(headers, body, content_type)


# profile -> (authenticated domain, positive message, negative message)
SAMPLES: dict[str, tuple[str, bytes, bytes]] = {
    "microsoft365": (
        "microsoftonline.com",
        msg(f"Microsoft on behalf of {LURE_NAME} <msonlineservicesteam@microsoftonline.com>",
            f"{LURE_NAME} account email verification code",
            f"To finish setting up your {LURE_NAME} account, we just need to make sure this email address is "
            "yours.\nTo verify your email address use this security code: 418305\nThanks,\nThe Microsoft account team\n"),
        msg("Microsoft on behalf of Contoso Ltd <msonlineservicesteam@microsoftonline.com>",
            "Contoso Ltd account email verification code",
            "To finish setting up your Contoso Ltd account, we just need to make sure this email address is "
            "yours.\nTo verify your email address use this security code: 418305\nThanks,\nThe Microsoft account team\n"),
    ),
    "firebase_auth": (
        "firebaseapp.com",
        msg("Casino Rewards <noreply@lucky-spin-1a2b3.firebaseapp.com>", "250 Free Spins Bonus pending in your account",
            "Congratulations! Your welcome bonus of 300% up to 2,000€ + 150 free spins is waiting.\n"
            "Claim your reward now, offer expires today.\n"),
        msg("Acme Notes <noreply@acme-notes-4f2e1.firebaseapp.com>", "Verify your email for Acme Notes",
            "Hello,\n\nFollow this link to verify your email address.\n\n"
            "https://acme-notes-4f2e1.firebaseapp.com/__/auth/action?mode=verifyEmail&oobCode=abc\n\n"
            "If you didn't ask to verify this address, you can ignore this email.\n\nThanks,\n\nYour Acme Notes team\n"),
    ),
    "google": (
        "google.com",
        msg("malletflore022@gmail.com", "Score released: +$284 bonus credited to your wallet",
            "Google Forms\nYour score has been released for +$284 bonus credited to your wallet.\nYour balance "
            "will be cleared unless you log in to your account and verify your wallet today.\nView\n",
            {"Return-Path": "<3yqemZQ4JC@trix.bounces.google.com>"}),
        msg("teacher.k@gmail.com", "Score released: Chemistry quiz 3",
            "Google Forms\nYour score has been released for Chemistry quiz 3.\nThanks for taking part.\nView\n",
            {"Return-Path": "<3yqemZQ4JC@trix.bounces.google.com>"}),
    ),
    "github": (
        "github.com",
        msg("Binance Airdrop Whitelist User <notifications@github.com>",
            "[someone/slides] Claim your USDT airdrop now (#1)",
            "Your wallet was selected for the Binance airdrop of 500 USDT. Connect your wallet and verify your "
            "account within 24 hours: https://binance-airdrop-claim.example/\n\n—\nReply to this email directly, "
            "view it on GitHub.\nYou are receiving this because you were mentioned.\n"),
        msg("Jane Dev <notifications@github.com>", "Re: [octo/widgets] Crash when parsing empty config (#42)",
            "I can reproduce this on 2.3.1; the parser assumes at least one section. A fix is in #43.\n\n—\n"
            "Reply to this email directly, view it on GitHub.\nYou are receiving this because you are subscribed.\n"),
    ),
    "zendesk": (
        "zendesk.com",
        msg("Trust Wallet Support <support@wallet-helpdesk-x.zendesk.com>", "Urgent: Verify Your Wallet to Avoid Suspension",
            "Your Trust Wallet account is restricted. Verify your wallet and confirm your recovery phrase "
            "immediately, or your access will be suspended.\n"),
        msg("Xponential Support <support@xponential.zendesk.com>", "Create a password for Xponential Support",
            "You have been added to Xponential Support. Create a password to sign in to the help center.\n"),
    ),
    "surveymonkey": (
        "surveymonkeyuser.com",
        msg('"help@ledger-mailuser.com via SurveyMonkey" <member@surveymonkeyuser.com>',
            "Account Notification – Action Needed",
            "Your Ledger device has not been upgraded. Verify your wallet before January 21 or lose access to "
            "your assets.\nUpdate Now\nPlease do not forward this email as its survey link is unique to you.\n",
            {"Reply-To": "help@ledger-mailuser.com"}),
        msg('"Maria Lopez via SurveyMonkey" <member@surveymonkeyuser.com>', "Quick feedback on our spring workshop",
            "Thanks for attending the workshop. Could you answer five short questions?\nBegin Survey\n"
            "Please do not forward this email as its survey link is unique to you.\n",
            {"Reply-To": "maria@workshops.example"}),
    ),
    "typeform": (
        "typeform.com",
        msg("Typeform Notifications <notifications@typeform.com>", "Promo Code#6748 +$1,000.",
            "Crypto Investment Fund\nDaily payments from $1000. Your personal promo code worth $1000 is ready: "
            "claim your bonus now.\nTypeform sent you this email on behalf of a typeform creator.\n"),
        msg("Typeform Notifications <notifications@typeform.com>", "Thanks for registering for the meetup",
            "See you on Thursday at 6pm in the community hall.\n"
            "Typeform sent you this email on behalf of a typeform creator.\n"),
    ),
    "wix": (
        "wixinvoices.com",
        msg("Billing Support <invoices@wixinvoices.com>", "Invoice 1042 - unusual charge",
            "An unusual charge of $399.99 for Norton renewal was made. To cancel call +1 (808) 555-0183 now.\n"),
        msg("Bloom Florist <invoices@wixinvoices.com>", "Invoice 1042 from Bloom Florist",
            "Hi Dana, here is your invoice for the wedding bouquets. Total due: $240.00. Thank you!\n"),
    ),
    "paypal": (
        "paypal.com",
        msg("service@paypal.com <service@paypal.com>", "Invoice from Geek Squad Billing (#INV2-7X3K)",
            "Note from seller: Your subscription was renewed for $499.99. If you did not authorize this charge, "
            "call our billing helpline +1 (808) 555-0199 to cancel.\nView and Pay Invoice\n"),
        msg("service@paypal.com <service@paypal.com>", "Invoice from Corner Bakery (#INV2-9Q2L)",
            "Note from seller: Thanks for the catering order, see you next week!\nView and Pay Invoice\n"),
    ),
    "docusign": (
        "docusign.net",
        msg("Payroll Department via Docusign <dse@docusign.net>",
            "Complete with Docusign: Q4 salary adjustment - verify your account to avoid suspension",
            "REVIEW DOCUMENT\nSign in to continue with your Microsoft 365 password and confirm your identity "
            "immediately.\nDo Not Share This Email\n"),
        msg("Alex Kim via Docusign <dse@docusign.net>", "Complete with Docusign: Lease renewal 2027",
            "REVIEW DOCUMENT\nHi Dana, the renewal we discussed is ready for your signature.\nDo Not Share This Email\n"),
    ),
    "intuit": (
        "intuit.com",
        msg("Account Security Dept <quickbooks@notification.intuit.com>", "Invoice 20931 from Account Security Dept",
            "Your PayPal account was charged $729.00 for a Bitcoin purchase. If this was not you, call "
            "+1 (808) 555-0122 immediately to cancel the transaction.\nReview and pay\n"),
        msg("Riverside Plumbing <quickbooks@notification.intuit.com>", "Invoice 20931 from Riverside Plumbing",
            "Dear Dana, your invoice for the boiler service is attached. Total $180.00. Questions? Call us at "
            "+1 (808) 555-0131.\nReview and pay\n"),
    ),
    "dropbox": (
        "dropbox.com",
        msg("Dropbox <no-reply@dropbox.com>", 'Support Team shared "Wallet recovery - verify now" with you',
            "Your crypto wallet will be suspended. Verify your recovery phrase at https://dropbox-verify.example/\n"),
        msg("Dropbox <no-reply@dropbox.com>", 'Sam Lee shared "Holiday photos 2026" with you',
            "Sam Lee shared a folder with you.\nGo to folder\n"),
    ),
    "adobe_sign": (
        "adobesign.com",
        msg("HR Payroll via Adobe Acrobat Sign <adobesign@adobesign.com>",
            "Signature requested on \"Urgent: confirm your password to receive $4,800 bonus\"",
            "Review and sign. Confirm your password immediately to release the payment.\n"),
        msg("Legal Team via Adobe Acrobat Sign <adobesign@adobesign.com>", 'Signature requested on "NDA - Project Lark"',
            "Please review and sign the attached agreement.\n"),
    ),
    "apple": (
        "apple.com",
        msg("Apple <noreply@email.apple.com>", "Apple Billing +1 (808) 555-0177 invited you to \"Refund $699 order\"",
            "You have been invited to an event.\n"),
        msg("Apple <noreply@email.apple.com>", 'Chris Park invited you to "Book club"',
            "You have been invited to an event.\n"),
    ),
    "zoom": (
        "zoom.us",
        msg("Zoom <no-reply@zoom.us>", "Microsoft Billing is inviting you to a scheduled Zoom meeting",
            "Topic: Refund of $799 - call +1 (808) 555-0166 to cancel your subscription\nJoin Zoom Meeting\n"),
        msg("Zoom <no-reply@zoom.us>", "Priya Shah is inviting you to a scheduled Zoom meeting",
            "Topic: Weekly design sync\nJoin Zoom Meeting\nMeeting ID: 812 3456 7890\n"),
    ),
    "salesforce": (
        "salesforce.com",
        msg("Meta Support <noreply@salesforce.com>", "Your page will be disabled within 24 hours",
            "Your Facebook page violated our policies. Verify your account immediately or it will be suspended: "
            "https://meta-appeal-center.example/\n"),
        msg("Acme Customer Care <noreply@salesforce.com>", "Your case 00012345 has been updated",
            "Hi Dana, we have shipped the replacement part. Reply to this message if anything is missing.\n"),
    ),
    "square": (
        "squareup.com",
        msg("Norton Renewal Dept <invoices@messaging.squareup.com>", "Invoice from Norton Renewal Dept",
            "Your Norton subscription auto-renewed for $399.99. To cancel and get a refund call +1 (808) 555-0150.\n"),
        msg("Main St Coffee <invoices@messaging.squareup.com>", "Invoice from Main St Coffee",
            "Thanks for your catering order. Total due $95.00. Pay by Friday.\n"),
    ),
    "venmo": (
        "venmo.com",
        msg("Venmo <venmo@venmo.com>", "Venmo Support +1 (808) 555-0111 requests $850.00",
            "Note: unauthorized transaction detected, call to cancel.\n"),
        msg("Venmo <venmo@venmo.com>", "Jordan Lee requests $24.00", "Note: pizza on Friday\n"),
    ),
    "stripe": (
        "stripe.com",
        msg("Geek Squad Billing <invoice+statements@stripe.com>", "Your receipt from Geek Squad Billing #2031-4411",
            "Your Geek Squad plan renewed for $349.99. If you did not authorize this charge call +1 (808) 555-0144 "
            "to cancel.\nDownload receipt\n"),
        msg("Hillside Yoga <invoice+statements@stripe.com>", "Your receipt from Hillside Yoga #2031-4412",
            "Thanks for your membership payment of $60.00.\nDownload receipt\n"),
    ),
}


def test_every_profile_has_samples() -> None:
    names = {p.name for p in load_profiles()}
    assert names == set(SAMPLES), f"profiles without samples: {names - set(SAMPLES)}; stale: {set(SAMPLES) - names}"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_positive_sample_is_flagged_as_platform_abuse(name: str) -> None:
    domain, positive, _ = SAMPLES[name]
    v = scan_as(positive, [domain])
    assert v.platform == {"name": name, "authenticated": True}
    assert flagged(v), (v.score, [(f.symbol, f.weight) for f in v.findings])
    assert any(f.symbol.startswith("PLATFORM_") and f.weight > 0 for f in v.findings)
    assert v.findings[0].symbol.startswith("PLATFORM_")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_negative_sample_is_not_flagged(name: str) -> None:
    domain, _, negative = SAMPLES[name]
    v = scan_as(negative, [domain])
    assert v.platform == {"name": name, "authenticated": True}
    assert not flagged(v), (v.score, [(f.symbol, f.weight, f.evidence) for f in v.findings])
    assert "PLATFORM_AUTHENTICATED" in symbols(v)

"""The lures analyzer on whole messages: callback scams, disguised numbers, lures in display names."""

from __future__ import annotations

import pytest

from mailwarden.engine import Engine

from conftest import make_message


def scan(engine: Engine, headers: dict[str, str], body: str = "Hello.\n", html: bool = False):
    ct = "text/html; charset=utf-8" if html else "text/plain; charset=utf-8"
    return engine.scan(make_message(headers, body, ct))


def symbols(verdict) -> set[str]:
    return {f.symbol for f in verdict.findings}


BASE = {"From": "Billing <billing@example.net>", "To": "alex@example.org", "Subject": "Hello",
        "Message-ID": "<t1@example.net>", "Date": "Thu, 26 Nov 2026 10:00:00 +0000"}


def test_tenant_name_callback_scam(engine: Engine) -> None:
    v = scan(engine, dict(BASE, From='"Unusual charge of $499.99 call +1 808 555 0147" <no-reply@example.net>',
                          Subject="Your subscription renewal"),
             "Your Norton subscription has been renewed and $499.99 was charged to your card.\n"
             "If you did not authorize this charge, call +1 808 555 0147 to cancel and request a refund.\n")
    s = symbols(v)
    assert {"LURE_CALLBACK", "PHONE_IN_DISPLAY_NAME", "LURE_DISPLAY_NAME", "LURE_CALLBACK_PRESSURE"} <= s
    assert v.phones == ["+18085550147"]
    assert v.flagged
    cb = next(f for f in v.findings if f.symbol == "LURE_CALLBACK")
    assert "+18085550147" in cb.detail and any("$499.99" in e for e in cb.evidence)


def test_disguised_number_is_its_own_finding(engine: Engine) -> None:
    v = scan(engine, dict(BASE, Subject="Order cancelled"),
             "To cancel the order of $299 call l-8O8-555-O147 immediately.\n")
    s = symbols(v)
    assert "PHONE_OBFUSCATED" in s and "LURE_CALLBACK" in s
    assert v.phones == ["+18085550147"]
    ev = next(f for f in v.findings if f.symbol == "PHONE_OBFUSCATED").evidence
    assert ev == ["l-8O8-555-O147 -> +18085550147"]


def test_callback_in_portuguese_html(engine: Engine) -> None:
    body = ("<html><body><p>Sua assinatura foi renovada. Valor: R$ 1.299,90.</p>"
            "<p>Se você não reconhece esta compra, ligue para +55 11 3003-0147 para cancelar.</p></body></html>")
    v = scan(engine, dict(BASE, Subject="Renovação automática"), body, html=True)
    assert "LURE_CALLBACK" in symbols(v)
    assert v.phones == ["+551130030147"]


def test_signature_phone_with_support_words_is_not_a_callback(engine: Engine) -> None:
    v = scan(engine, BASE, "Hi Alex,\n\nthe new build is on the server; customer service has the notes.\n\n"
             "--\nDana Smith, Example Corp\nPhone: (808) 555-0147\n")
    assert "LURE_CALLBACK" not in symbols(v)
    assert v.phones == ["+18085550147"]  # still reported: it is a phone number
    assert not v.flagged


def test_one_stray_word_is_not_a_lure(engine: Engine) -> None:
    v = scan(engine, BASE, "The release is urgent only if the tests pass. See you at the meeting.\n")
    assert not {s for s in symbols(v) if s.startswith("LURE_")}


def test_subject_lure_counts_with_one_phrase(engine: Engine) -> None:
    v = scan(engine, dict(BASE, Subject="Security alert: unusual sign-in activity"), "See below.\n")
    assert "LURE_ACCOUNT_ANOMALY" in symbols(v)


def test_credential_pressure_composite(engine: Engine) -> None:
    v = scan(engine, dict(BASE, Subject="Action required"),
             "We detected unusual activity. Verify your account and confirm your password, "
             "or your account will be suspended and you will lose access within 24 hours.\n")
    s = symbols(v)
    assert {"LURE_CREDENTIAL", "LURE_THREAT", "LURE_ACCOUNT_ANOMALY", "LURE_CREDENTIAL_PRESSURE"} <= s
    assert "LURE_MANY_KINDS" in s


def test_german_gift_card_request(engine: Engine) -> None:
    v = scan(engine, dict(BASE, Subject="Dringend"),
             "Ich brauche dringend vier Geschenkkarten. Kaufen Sie sie und senden Sie mir die Codes sofort.\n")
    assert {"LURE_GIFT_CARD", "LURE_URGENCY", "LURE_GIFT_CARD_PRESSURE"} <= symbols(v)


def test_every_lure_finding_has_a_human_detail_and_evidence(engine: Engine) -> None:
    v = scan(engine, dict(BASE, Subject="Vous avez gagné ! Réclamez votre prix"),
             "Félicitations, vous avez gagné. Réclamez votre récompense, connectez votre portefeuille crypto.\n")
    lure = [f for f in v.findings if f.symbol.startswith("LURE_")]
    assert lure
    for f in lure:
        assert f.detail.endswith(".") and f.evidence


def test_lure_symbols_are_in_the_catalogue(engine: Engine) -> None:
    for name in ("LURE_CALLBACK", "PHONE_OBFUSCATED", "PHONE_IN_SUBJECT", "PHONE_IN_DISPLAY_NAME",
                 "LURE_CREDENTIAL", "LURE_FAKE_2FA", "LURE_MESSAGE_BAIT", "LURE_ACCOUNT_ANOMALY",
                 "LURE_INVOICE_PAYMENT", "LURE_CRYPTO", "LURE_GIFT_CARD", "LURE_URGENCY", "LURE_THREAT",
                 "LURE_DISPLAY_NAME", "LURE_MANY_KINDS", "MODEL_PHISH"):
        assert name in engine.catalogue
        if name != "MODEL_PHISH":
            assert engine.catalogue[name].weight < 5  # no single lure tags a message alone


def test_parenthesised_area_code_in_display_name_is_kept(engine: Engine) -> None:
    # To an address parser "(808)" is a comment; to the person reading the inbox it is an area code.
    v = scan(engine, dict(BASE, From='"Refund Desk" (call +1 (808) 555-0147) <desk@example.net>'),
             "Your refund is pending.\n")
    assert "PHONE_IN_DISPLAY_NAME" in symbols(v)
    assert v.phones == ["+18085550147"]


def test_words_spelled_with_cyrillic_lookalikes(engine: Engine) -> None:
    v = scan(engine, dict(BASE, Subject="Portal Notice: Nеw rесоrd аvаіlаblе"),  # Cyrillic е, с, о, а, і
             "Dear Сustomer, а new document is available for viewing.\n")
    assert "TEXT_MIXED_SCRIPT" in symbols(v)
    ev = next(f for f in v.findings if f.symbol == "TEXT_MIXED_SCRIPT").evidence
    assert ev[0] == "Nеw (Latin + Cyrillic)"


def test_real_cyrillic_and_accented_text_is_not_mixed_script(engine: Engine) -> None:
    for subject, body in (("Привет", "Это обычное письмо на русском языке о встрече в среду.\n"),
                          ("Réunion à l'école", "Ça va très bien, à jeudi.\n"),
                          ("Καλημέρα", "Η συνάντηση είναι την Τετάρτη.\n")):
        assert "TEXT_MIXED_SCRIPT" not in symbols(scan(engine, dict(BASE, Subject=subject), body))


def test_mathematical_letters_in_subject(engine: Engine) -> None:
    assert "TEXT_STYLED_LETTERS" in symbols(scan(engine, dict(BASE, Subject="𝐅𝐑𝐄𝐄 𝐒𝐏𝐈𝐍𝐒 𝐍𝐎𝐖")))
    assert "TEXT_STYLED_LETTERS" not in symbols(scan(engine, dict(BASE, Subject="Free spins now")))


def test_tel_link_number_is_reported(engine: Engine) -> None:
    body = ('<html><body><p>Your order of $349.00 was charged. To cancel, '
            '<a href="tel:+18085550147">call our billing department</a>.</p></body></html>')
    v = scan(engine, dict(BASE, Subject="Order confirmation"), body, html=True)
    assert v.phones == ["+18085550147"]
    assert "LURE_CALLBACK" in symbols(v)


@pytest.mark.parametrize("subject, body", [
    ("Subscription renewed", "Your plan was renewed for $399.99. To cancel and get a refund, call +1 808 555 0147."),
    ("Assinatura renovada", "Foi cobrado R$ 899,90. Para cancelar e pedir reembolso, ligue para +1 808 555 0147."),
    ("Suscripción renovada", "Se ha cobrado 399,99 €. Para cancelar y solicitar el reembolso, llame al +1 808 555 0147."),
    ("Abonnement verlängert", "Es wurden 399,99 € abgebucht. Zur Stornierung und Rückerstattung "
                              "rufen Sie uns an: +1 808 555 0147."),
    ("Abonnement renouvelé", "Un montant de 399,99 € a été débité. Pour l'annulation et le remboursement, "
                             "appelez le +1 808 555 0147."),
])
def test_callback_scam_in_each_language(engine: Engine, subject: str, body: str) -> None:
    v = scan(engine, dict(BASE, Subject=subject), body + "\n")
    assert "LURE_CALLBACK" in symbols(v)
    assert v.phones == ["+18085550147"]


@pytest.mark.parametrize("body", [
    "Thanks for the refund policy draft. Call me at +1 808 555 0147 if anything is unclear.",
    "Ligue para mim no +55 11 91234-5678 quando puder, obrigado.",
])
def test_phone_with_one_callback_word_and_no_money_is_not_a_callback(engine: Engine, body: str) -> None:
    assert "LURE_CALLBACK" not in symbols(scan(engine, BASE, body + "\n"))

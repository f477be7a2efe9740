"""Lure wording in five languages, matched in one pass after folding case, accents and lookalikes."""

from __future__ import annotations

import pytest

from mailwarden.lures import CATEGORIES, LANGUAGES, find_money, match_lures, normalize, vocabulary

REQUIRED = ("callback", "credential", "fake_2fa", "message_bait", "account_anomaly", "invoice_payment",
            "crypto", "gift_card", "urgency", "threat")


def categories(text: str) -> set[str]:
    return {h.category for h in match_lures(text)}


def test_every_language_file_covers_every_required_category() -> None:
    vocab = vocabulary()
    assert set(LANGUAGES) <= set(vocab)
    for lang in LANGUAGES:
        missing = [c for c in REQUIRED if not vocab[lang].get(c)]
        assert not missing, f"{lang} lacks {missing}"
    assert set(REQUIRED) <= set(CATEGORIES)


def test_no_phrase_is_lost_to_normalisation() -> None:
    for lang, cats in vocabulary().items():
        for cat, phrases in cats.items():
            for p in phrases:
                assert normalize(p.rstrip("*")).strip(), (lang, cat, p)


# One sentence per (category, language), written for this test.
CASES = [
    ("callback", "en", "If you did not authorize this purchase, call our billing department to cancel."),
    ("callback", "pt", "Se você não reconhece esta compra, ligue para nossa central de atendimento."),
    ("callback", "es", "Si usted no realizó esta compra, llame al número para solicitar el reembolso."),
    ("callback", "de", "Falls Sie diese Zahlung nicht autorisiert haben, rufen Sie uns an."),
    ("callback", "fr", "Si vous n'êtes pas à l'origine de ce paiement, appelez nous pour l'annulation."),
    ("credential", "en", "Please verify your account and confirm your password."),
    ("credential", "pt", "Atualize seus dados e confirme sua conta."),
    ("credential", "es", "Verifique su cuenta e inicie sesión para continuar."),
    ("credential", "de", "Bitte bestätigen Sie Ihr Konto und melden Sie sich an."),
    ("credential", "fr", "Vérifiez votre compte et confirmez vos informations."),
    ("fake_2fa", "en", "Your verification code is 493021. Do not share this code."),
    ("fake_2fa", "pt", "Seu código de verificação é 493021."),
    ("fake_2fa", "es", "Su código de seguridad es 493021."),
    ("fake_2fa", "de", "Ihr Bestätigungscode lautet 493021."),
    ("fake_2fa", "fr", "Votre code de vérification est 493021."),
    ("message_bait", "en", "You have 4 unread messages pending delivery."),
    ("message_bait", "pt", "Você tem mensagens não lidas na sua caixa."),
    ("message_bait", "es", "Tiene mensajes pendientes retenidos en el servidor."),
    ("message_bait", "de", "Sie haben ungelesene Nachrichten in Ihrem Postfach."),
    ("message_bait", "fr", "Vous avez des messages non lus en attente."),
    ("account_anomaly", "en", "We detected unusual sign-in activity on your account."),
    ("account_anomaly", "pt", "Detectamos atividade suspeita na sua conta."),
    ("account_anomaly", "es", "Hemos detectado actividad inusual en su cuenta."),
    ("account_anomaly", "de", "Wir haben eine ungewöhnliche Anmeldung festgestellt."),
    ("account_anomaly", "fr", "Nous avons détecté une activité inhabituelle."),
    ("invoice_payment", "en", "Your invoice is attached; the payment failed."),
    ("invoice_payment", "pt", "Segue a fatura e o boleto em atraso."),
    ("invoice_payment", "es", "Adjuntamos la factura con el pago pendiente."),
    ("invoice_payment", "de", "Anbei Ihre Rechnung; die Zahlung ist fehlgeschlagen."),
    ("invoice_payment", "fr", "Votre facture est disponible, le paiement a été refusé."),
    ("crypto", "en", "Connect your wallet to claim the airdrop."),
    ("crypto", "pt", "Resgate seu airdrop na sua carteira digital de criptomoedas."),
    ("crypto", "es", "Reclame su airdrop en su billetera de criptomonedas."),
    ("crypto", "de", "Geben Sie Ihre Wiederherstellungsphrase für die Kryptowährung ein."),
    ("crypto", "fr", "Saisissez votre phrase de récupération du portefeuille crypto."),
    ("gift_card", "en", "Buy three Google Play gift cards and send me the codes."),
    ("gift_card", "pt", "Compre um cartão presente e envie os códigos."),
    ("gift_card", "es", "Compre tarjetas de regalo y envíeme los códigos."),
    ("gift_card", "de", "Kaufen Sie Geschenkkarten und senden Sie mir die Codes."),
    ("gift_card", "fr", "Achetez des cartes cadeaux et envoyez moi les codes."),
    ("urgency", "en", "Action required: respond within 24 hours."),
    ("urgency", "pt", "Urgente: responda imediatamente."),
    ("urgency", "es", "Urgente: acción requerida de inmediato."),
    ("urgency", "de", "Dringend: Handlung erforderlich."),
    ("urgency", "fr", "Urgent : action requise immédiatement."),
    ("threat", "en", "Your account will be suspended and permanently deleted."),
    ("threat", "pt", "Sua conta será bloqueada e você perderá o acesso."),
    ("threat", "es", "Su cuenta será suspendida y perderá el acceso."),
    ("threat", "de", "Ihr Konto wird gesperrt und dauerhaft gelöscht."),
    ("threat", "fr", "Votre compte sera suspendu et supprimé définitivement."),
]


@pytest.mark.parametrize("category, lang, text", CASES)
def test_each_category_in_each_language(category: str, lang: str, text: str) -> None:
    hits = [h for h in match_lures(text) if h.category == category]
    assert hits, f"no {category} in {text!r}"
    assert lang in {h.lang for h in hits}


@pytest.mark.parametrize("text", [
    "Hi Ana, the build is failing on arm64 again; I pushed a fix to the branch, can you review it?",
    "Olá, segue a ata da reunião de ontem. Até amanhã.",
    "Hola equipo, mañana publicamos la versión 2.3 del controlador.",
    "Hallo zusammen, der Kernel-Patch ist jetzt im Testzweig.",
    "Bonjour à tous, la réunion est déplacée à jeudi.",
    "I won't be at the call; you won't miss much.",
])
def test_ordinary_mail_has_no_lures(text: str) -> None:
    assert match_lures(text) == []


def test_lookalikes_accents_and_leetspeak_are_folded() -> None:
    assert "credential" in categories("Vеrify your аccount")  # Cyrillic е and а
    assert "credential" in categories("v3rify your acc0unt")
    assert "credential" in categories("VERIFY  YOUR\nACCOUNT")
    assert "threat" in categories("sera suspensa")  # accents optional
    assert "threat" in categories("será suspensa")
    assert "credential" in categories("ver\u200bify your acc\u00adount")  # invisible characters


def test_phrases_match_on_word_boundaries() -> None:
    assert "fake_2fa" not in categories("the hotpot was great")  # "otp" inside a word
    assert "urgency" not in categories("the urgentest thing")  # no prefix match unless asked for
    assert "fake_2fa" in categories("enter the OTP below")


def test_each_hit_reported_once() -> None:
    hits = match_lures("urgent urgent URGENT")
    assert [h.phrase for h in hits if h.lang == "en"] == ["urgent"]


@pytest.mark.parametrize("text, money", [
    ("Unusual charge of $499.99 on your card", ["$499.99"]),
    ("Valor: R$ 1.234,56 em aberto", ["R$ 1.234,56"]),
    ("Betrag 49,90 € fällig", ["49,90 €"]),
    ("A fee of 300 USD applies", ["300 USD"]),
    ("US$ 1,000 and €20", ["US$ 1,000", "€20"]),
])
def test_find_money(text: str, money: list[str]) -> None:
    assert find_money(text) == money


def test_find_money_ignores_plain_numbers() -> None:
    assert find_money("version 1.2.3, 500 users, 2002-08-22") == []

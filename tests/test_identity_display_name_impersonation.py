"""Display-name impersonation: a brand or an address in the name, another domain in the address."""

from identity_helpers import aligned, crlf, run, symbols


def _raw(from_: str) -> bytes:
    return crlf(f"From: {from_}\nTo: a@b.example\nSubject: Billing\nMessage-ID: <1@evil.example>\n\nhi\n")


def test_brand_in_display_name():
    found, _ = run(_raw('"PayPal Billing" <x@evil.example>'))
    f = next(f for f in found if f.symbol == "DISPLAY_NAME_BRAND")
    assert "PayPal" in f.detail and "evil.example" in f.detail


def test_address_in_display_name():
    found, _ = run(_raw('"support@paypal.com" <x@evil.example>'))
    syms = {f.symbol for f in found}
    assert "FROM_DISPLAY_NAME_ADDRESS" in syms


def test_brand_name_on_free_mail():
    assert "DISPLAY_NAME_BRAND" in symbols(_raw('"Microsoft Account Team" <ms.team.1990@gmail.com>'))


def test_genuine_brand_address_is_not_display_impersonation():
    syms = symbols(_raw('"PayPal" <service@paypal.com>'), auth=aligned("paypal.com"))
    assert "DISPLAY_NAME_BRAND" not in syms and "FROM_DISPLAY_NAME_ADDRESS" not in syms


def test_person_with_everyday_brand_word_is_not_flagged():
    assert "DISPLAY_NAME_BRAND" not in symbols(_raw('"Chase Miller" <chase@example.org>'))
    assert "DISPLAY_NAME_BRAND" in symbols(_raw('"Chase Fraud Alerts" <alerts@example.org>'))


def test_own_address_in_own_name_is_fine():
    assert "FROM_DISPLAY_NAME_ADDRESS" not in symbols(_raw('"bob@example.org" <bob@example.org>'))


def test_brand_name_on_the_brands_own_subdomain_is_fine_but_not_on_its_free_mailboxes():
    assert "DISPLAY_NAME_BRAND" not in symbols(_raw('"Yahoo!News" <news@reply.yahoo.com>'))
    assert "DISPLAY_NAME_BRAND" in symbols(_raw('"Yahoo Account Security" <yahoo.security.team@yahoo.com>'))

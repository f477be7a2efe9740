"""Link text naming one domain while the href goes to another — never exempted for authenticated mail."""

from __future__ import annotations

from linkmsg import html_message, link, symbols


def test_text_shows_brand_domain_href_elsewhere(engine) -> None:
    found = symbols(engine, html_message(link("https://secure-login.example/pp", "https://www.paypal.com/signin")))
    assert "URL_HREF_TEXT_MISMATCH_BRAND" in found


def test_text_shows_other_domain(engine) -> None:
    found = symbols(engine, html_message(link("https://collector.example/a", "www.mybank-portal.com")))
    assert "URL_HREF_TEXT_MISMATCH" in found


def test_same_registrable_domain_is_fine(engine) -> None:
    found = symbols(engine, html_message(link("https://click.portal-test.com/a?id=1", "www.portal-test.com")))
    assert not found & {"URL_HREF_TEXT_MISMATCH", "URL_HREF_TEXT_MISMATCH_BRAND"}


def test_plain_words_are_not_a_domain(engine) -> None:
    for text in ("Click here", "Read invoice.pdf", "version 2.0", "Open report.zip"):
        found = symbols(engine, html_message(link("https://files.other.example/x", text)))
        assert not found & {"URL_HREF_TEXT_MISMATCH", "URL_HREF_TEXT_MISMATCH_BRAND"}, text


def test_safelinks_wrapper_is_unwrapped_before_comparing(engine) -> None:
    wrapped = ("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.portal-test.com%2Fa"
               "&amp;data=05")
    found = symbols(engine, html_message(link(wrapped, "www.portal-test.com")))
    assert not found & {"URL_HREF_TEXT_MISMATCH", "URL_HREF_TEXT_MISMATCH_BRAND"}
    wrapped_bad = "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2Fa"
    assert "URL_HREF_TEXT_MISMATCH" in symbols(engine, html_message(link(wrapped_bad, "www.portal-test.com")))


def test_senders_own_click_tracker_is_not_a_mismatch(engine) -> None:
    raw = html_message(link("https://click.shop.example/c?q=abc", "www.partner-store.com"),
                       from_addr="news@shop.example")
    assert "URL_HREF_TEXT_MISMATCH" not in symbols(engine, raw)


def test_brand_text_to_senders_domain_still_fires(engine) -> None:
    # an attacker's own domain in From does not excuse showing paypal.com
    raw = html_message(link("https://account-check.example/x", "www.paypal.com"),
                       from_addr="service@account-check.example")
    assert "URL_HREF_TEXT_MISMATCH_BRAND" in symbols(engine, raw)


def test_authentication_results_do_not_exempt(engine) -> None:
    html = link("https://collector.example/a", "www.mybank-portal.com")
    raw = html_message(html).replace(
        b"From:", b"Authentication-Results: mx.example; dkim=pass header.d=shop.example; "
                  b"dmarc=pass header.from=shop.example\r\nFrom:", 1)
    assert "URL_HREF_TEXT_MISMATCH" in symbols(engine, raw)


def test_opaque_tracker_is_not_judged(engine) -> None:
    raw = html_message(link("https://shop.us1.list-manage.com/track/click?u=1&id=2", "www.brand-store.com"))
    assert "URL_HREF_TEXT_MISMATCH" not in symbols(engine, raw)

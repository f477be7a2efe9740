"""Where a link goes: IP literals, user@host tricks, IDN, free hosting, shorteners, odd schemes."""

from __future__ import annotations

import pytest

from linkmsg import html_message, link, symbols, text_message


@pytest.mark.parametrize("href, symbol", [
    ("http://45.83.12.7/login.php", "URL_IP_LITERAL"),
    ("http://3232235777/login", "URL_IP_OBFUSCATED"),
    ("http://0xC0A80101/login", "URL_IP_OBFUSCATED"),
    ("https://www.paypal.com@secure-check.net/login", "URL_USERINFO_TRICK"),
    ("https://\u0440\u0430ypal.com/login", "URL_MIXED_SCRIPT"),
    ("https://b\u00fccher-shop.de/angebot", "URL_PUNYCODE"),
    ("https://account-verify.pages.dev/", "URL_FREE_HOSTING"),
    ("https://sso-update.web.app/", "URL_FREE_HOSTING"),
    ("https://docs.google.com/forms/d/e/1FAIpQL/viewform", "URL_FORM_HOST"),
    ("https://forms.office.com/r/AbCdEf", "URL_FORM_HOST"),
    ("https://bafybeigdyrzt.ipfs.dweb.link/index.html", "URL_IPFS"),
    ("https://gateway.example.net/ipfs/bafybeigdyrzt/login.html", "URL_IPFS"),
    ("https://bit.ly/3xYzAbC", "URL_SHORTENER"),
    ("https://secure-login.top/verify", "URL_SUSPICIOUS_TLD"),
    ("https://www.google.com/url?q=https://landing.example/p", "URL_OPEN_REDIRECT"),
    ("javascript:document.location='https://x.example'", "URL_JAVASCRIPT"),
    ("data:text/html;base64,PGgxPkxvZ2luPC9oMT4=", "URL_DATA_URI"),
    ("https://paypa1.com/signin", "URL_BRAND_LOOKALIKE"),
])
def test_signal_fires(engine, href: str, symbol: str) -> None:
    assert symbol in symbols(engine, html_message(link(href, "Open the document")))


@pytest.mark.parametrize("href", [
    "https://www.shop.example/orders/123",
    "https://github.com/torvalds/linux/commit/abc",
    "https://lore.kernel.org/all/20240101.123@example.org/",
    "https://groups.google.com/g/open-iscsi/c/abc",
])
def test_ordinary_links_are_quiet(engine, href: str) -> None:
    found = symbols(engine, html_message(link(href, "Open")))
    assert not {s for s in found if s.startswith("URL_")}, found


def test_images_on_ip_or_cdn_hosts_are_not_lures(engine) -> None:
    html = ('<html><body><p>News</p><img src="http://192.0.2.44/logo.gif">'
            '<img src="https://storage.googleapis.com/bucket/banner.png">'
            '<img src="data:image/png;base64,iVBORw0KGgo="></body></html>')
    found = symbols(engine, html_message(html))
    assert not found & {"URL_IP_LITERAL", "URL_FREE_HOSTING", "URL_DATA_URI"}


def test_links_in_plain_text(engine) -> None:
    found = symbols(engine, text_message("Verify now: hxxps://login-check[.]pages[.]dev/verify\n"))
    assert "URL_FREE_HOSTING" in found


def test_senders_own_free_hosted_site_is_not_flagged(engine) -> None:
    raw = html_message(link("https://myproject.netlify.app/docs", "docs"), from_addr="bot@myproject.netlify.app")
    assert "URL_FREE_HOSTING" not in symbols(engine, raw)


def test_many_links_to_one_unrelated_domain(engine) -> None:
    anchors = "".join(f'<a href="https://landing-zone.net/p{i}">link {i}</a> ' for i in range(6))
    raw = html_message(f"<html><body>{anchors}</body></html>", from_addr="it@company-mail.com")
    assert "URL_MANY_TO_ONE_UNRELATED" in symbols(engine, raw)
    own = "".join(f'<a href="https://www.company-mail.com/p{i}">link {i}</a> ' for i in range(6))
    raw2 = html_message(f"<html><body>{own}</body></html>", from_addr="it@company-mail.com")
    assert "URL_MANY_TO_ONE_UNRELATED" not in symbols(engine, raw2)


def test_newsletter_links_through_a_click_tracker_are_not_unrelated(engine) -> None:
    tracked = "".join(f'<a href="https://shop.us5.list-manage.com/track/click?u=ab&id={i}">offer {i}</a> '
                      for i in range(8))
    raw = html_message(f"<html><body>{tracked}</body></html>", from_addr="news@small-bakery.example")
    assert "URL_MANY_TO_ONE_UNRELATED" not in symbols(engine, raw)


def test_ctx_urls_and_facts(engine) -> None:
    from mailwarden.context import ScanContext  # noqa: F401 - facts are read through a verdict here

    html = ('<html><body><a href="https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fland.example'
            '%2Fx&amp;data=1">go</a> <a href="https://land.example/x">again</a>'
            '<img src="https://img.example/a.png"></body></html>')
    verdict = engine.scan(html_message(html))
    assert verdict.urls == ["https://land.example/x", "https://img.example/a.png"]


def test_url_budget(engine) -> None:
    from mailwarden.config import Config
    from mailwarden.engine import Engine
    from mailwarden.limits import Limits

    small = Engine(config=Config(limits=Limits(max_urls=3)), analyzers=["links"])
    body = "\n".join(f"https://site{i}.example/" for i in range(10))
    verdict = small.scan(text_message(body))
    assert len(verdict.urls) == 3
    assert "URLS_TOO_MANY" in {f.symbol for f in verdict.findings}


def test_extra_urls_from_attachments_are_judged() -> None:
    from mailwarden.analyzers.links import LinksAnalyzer
    from mailwarden.context import ScanContext
    from mailwarden.engine import Engine
    from mailwarden.envelope import Envelope
    from mailwarden.message import Message

    eng = Engine(analyzers=["links"])
    analyzer = eng.analyzer("links")
    assert isinstance(analyzer, LinksAnalyzer)
    msg = Message.parse(text_message("See attached."))
    ctx = ScanContext(engine=eng, envelope=Envelope(), deadline=float("inf"))
    ctx.facts["extra_urls"] = [("https://doc-view.pages.dev/x", "PDF invoice.pdf"),
                               ("http://91.215.40.12/a", "QR code in image001.png")]
    found = {f.symbol for f in analyzer.analyze(msg, ctx)}
    assert {"URL_FREE_HOSTING", "URL_IP_LITERAL"} <= found
    assert {lk["source"] for lk in ctx.facts["links"]} == {"attachment:PDF invoice.pdf",
                                                            "attachment:QR code in image001.png"}
    assert ctx.urls == ["https://doc-view.pages.dev/x", "http://91.215.40.12/a"]


def test_private_addresses_are_devices_not_landing_pages(engine) -> None:
    text = "The board answers on http://192.168.10.2/ and http://10.0.0.1:8080/status after boot.\n"
    assert "URL_IP_LITERAL" not in symbols(engine, text_message(text))
    assert "URL_IP_LITERAL" in symbols(engine, text_message("Log in at http://45.83.12.7/secure\n"))


def test_digest_of_many_sites_weighs_host_oddities_less(engine) -> None:
    sites = "".join(f'<a href="https://site{i}.com/">site {i}</a> ' for i in range(25))
    raw = html_message(f"<html><body>{sites}<a href='https://someblog.blogspot.com/'>blog</a></body></html>")
    finding = next(f for f in engine.scan(raw).findings if f.symbol == "URL_FREE_HOSTING")
    single = next(f for f in engine.scan(html_message(link("https://someblog.blogspot.com/", "blog"))).findings
                  if f.symbol == "URL_FREE_HOSTING")
    assert finding.weight < single.weight


def test_form_on_the_senders_own_platform_still_counts(engine) -> None:
    raw = html_message(link("https://docs.google.com/forms/d/e/1FAIpQLSf/viewform", "Open form"),
                       from_addr="forms-receipts-noreply@google.com")
    assert "URL_FORM_HOST" in symbols(engine, raw)


def test_urls_written_as_text_inside_html(engine) -> None:
    raw = html_message("<html><body><p>Copy this address into your browser:</p>"
                       "<p>hxxps://verify-account[.]pages[.]dev/start</p></body></html>")
    assert "URL_FREE_HOSTING" in symbols(engine, raw)

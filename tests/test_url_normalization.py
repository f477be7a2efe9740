"""URLs are read the way a browser follows them: refanged, decoded, unwrapped."""

from __future__ import annotations

import pytest

from mailwarden.urls import (
    extract_urls_from_text,
    normalize_url,
    parse_url,
    registrable_domain,
    unwrap_redirect,
)


@pytest.mark.parametrize("raw, expected", [
    ("https://Example.COM:443/a?b=1#frag", "https://example.com/a?b=1"),
    ("http://example.com", "http://example.com/"),
    ("hxxps://evil[.]example/login", "https://evil.example/login"),
    ("hxxp[:]//evil(.)example/x", "http://evil.example/x"),
    ("www.example.org/path", "http://www.example.org/path"),
    ("//cdn.example.net/x.js", "http://cdn.example.net/x.js"),
    ("https:\\\\evil.example\\path", "https://evil.example/path"),
    ("http://%70aypal.example/", "http://paypal.example/"),
    ("http&#58;//entity.example/&amp;x", "http://entity.example/&x"),
    ("  <https://spaced.example/a\tb>  ", "https://spaced.example/ab"),
    ("https://xn--pple-43d.com/", "https://xn--pple-43d.com/"),
    ("https://\u0430pple.com/", "https://xn--pple-43d.com/"),
    ("https://user:pw@host.example:8443/", "https://host.example:8443/"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "mailto:a@example.com", "data:text/html,hi", "",
                                 "not a url", "cid:part1", "tel:+15551234567", "summary.notatld", "invoice.pdf"])
def test_not_web_urls(raw: str) -> None:
    assert normalize_url(raw) is None


@pytest.mark.parametrize("host, ip", [
    ("3232235777", "192.168.1.1"),
    ("0xC0A80101", "192.168.1.1"),
    ("0300.0250.0001.0001", "192.168.1.1"),
    ("192.168.257", "192.168.1.1"),
])
def test_obfuscated_ip_forms(host: str, ip: str) -> None:
    info = parse_url(f"http://{host}/login")
    assert info is not None and info.ip == ip and info.ip_obfuscated


def test_plain_ip_is_not_obfuscated() -> None:
    info = parse_url("http://192.0.2.7/x")
    assert info is not None and info.ip == "192.0.2.7" and not info.ip_obfuscated
    assert parse_url("http://[2001:db8::1]/").ip == "2001:db8::1"


def test_userinfo_is_not_the_host() -> None:
    info = parse_url("https://paypal.com@evil.example/signin")
    assert info.host == "evil.example" and info.userinfo == "paypal.com"
    assert info.domain == "evil.example"


def test_idn_forms() -> None:
    info = parse_url("https://\u0430pple.com/")
    assert info.host == "xn--pple-43d.com" and info.host_unicode == "\u0430pple.com" and info.is_idn


@pytest.mark.parametrize("wrapped, target", [
    ("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fphish.example%2Flogin&data=05%7C01",
     "https://phish.example/login"),
    ("https://www.google.com/url?q=https://phish.example/a&sa=D", "https://phish.example/a"),
    ("https://www.google.co.uk/url?q=https://phish.example/a", "https://phish.example/a"),
    ("https://urldefense.proofpoint.com/v2/url?u=https-3A__phish.example_path&d=DwMF",
     "https://phish.example/path"),
    ("https://urldefense.com/v3/__https://phish.example/p__;!!AbCd$", "https://phish.example/p"),
    ("https://www.youtube.com/redirect?q=https%3A%2F%2Fphish.example%2F&v=x", "https://phish.example/"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fphish.example%2F", "https://phish.example/"),
    # a rewrapper around an open redirect around the target
    ("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.google.com%2Furl%3Fq%3D"
     "https%3A%2F%2Fevil.pages.dev%2Fx&data=1", "https://evil.pages.dev/x"),
])
def test_unwrap(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


@pytest.mark.parametrize("url", ["https://www.google.com/search?q=https://x.example", "https://example.com/?url=x",
                                 "https://www.youtube.com/watch?v=abc"])
def test_not_unwrapped(url: str) -> None:
    assert unwrap_redirect(url) == url


@pytest.mark.parametrize("host, reg", [
    ("login.evil.co.uk", "evil.co.uk"),
    ("a.b.pages.dev", "b.pages.dev"),
    ("WWW.Example.COM.", "example.com"),
    ("192.0.2.1", "192.0.2.1"),
    ("example.notatld", "example.notatld"),
])
def test_registrable_domain(host: str, reg: str) -> None:
    assert registrable_domain(host) == reg


def test_extract_from_text() -> None:
    text = ("Go to hxxps://bad[.]example/x, or (www.site.example/a). Also <http://y.example/p?q=1>.\n"
            "Visit https://github.com/org/repo/pull/1 and https://github.com/org/repo/pull/1 again.")
    assert extract_urls_from_text(text) == ["hxxps://bad[.]example/x", "www.site.example/a",
                                            "http://y.example/p?q=1", "https://github.com/org/repo/pull/1"]
    assert extract_urls_from_text("no links here, just example.com mentioned") == []

"""DNS blocklists add signal through the engine's resolver port; off by default, never required."""

from __future__ import annotations

import sys
import types

import pytest

from linkmsg import html_message, link
from mailwarden.config import config_from_dict
from mailwarden.engine import Engine


@pytest.fixture()
def dns_errors(monkeypatch):
    """The DNS port's error classes (a stand-in module when the port is not installed)."""
    try:
        import mailwarden.dns as dns
    except ImportError:
        dns = types.ModuleType("mailwarden.dns")

        class DNSError(Exception):
            pass

        class NXDomain(DNSError):
            pass

        class DNSTimeout(DNSError):
            pass

        dns.DNSError, dns.NXDomain, dns.DNSTimeout = DNSError, NXDomain, DNSTimeout
        monkeypatch.setitem(sys.modules, "mailwarden.dns", dns)
    return dns


class FakeResolver:
    def __init__(self, dns, listed: dict[str, list[str]], slow: set[str] = frozenset()) -> None:
        self.dns, self.listed, self.slow, self.queries = dns, listed, slow, []

    def query(self, name: str, rdtype: str) -> list[str]:
        self.queries.append((name, rdtype))
        if name in self.slow:
            raise self.dns.DNSTimeout(name)
        if name in self.listed:
            return self.listed[name]
        raise self.dns.NXDomain(name)


def test_listed_domain(dns_errors) -> None:
    res = FakeResolver(dns_errors, {"phish-site.com.dbl.test": ["127.0.1.4"]})
    eng = Engine(config=config_from_dict({"dns": {"dnsbl": ["dbl.test"]}}), resolver=res, analyzers=["links"])
    verdict = eng.scan(html_message(link("https://login.phish-site.com/x", "Sign in")))
    assert "URL_DNSBL" in {f.symbol for f in verdict.findings}
    assert ("phish-site.com.dbl.test", "A") in res.queries


def test_error_codes_and_unlisted_do_not_fire(dns_errors) -> None:
    res = FakeResolver(dns_errors, {"fine-site.com.dbl.test": ["127.255.255.254"]})
    eng = Engine(config=config_from_dict({"dns": {"dnsbl": ["dbl.test"]}}), resolver=res, analyzers=["links"])
    verdict = eng.scan(html_message(link("https://fine-site.com/x", "Open")))
    assert "URL_DNSBL" not in {f.symbol for f in verdict.findings}


def test_timeout_skips_the_list(dns_errors) -> None:
    anchors = "".join(f'<a href="https://site{i}.com/">s</a>' for i in range(5))
    res = FakeResolver(dns_errors, {}, slow={"site0.com.dbl.test"})
    eng = Engine(config=config_from_dict({"dns": {"dnsbl": ["dbl.test"]}}), resolver=res, analyzers=["links"])
    verdict = eng.scan(html_message(f"<html><body>{anchors}</body></html>"))
    assert "URL_DNSBL" not in {f.symbol for f in verdict.findings}
    assert len(res.queries) == 1  # a slow list is abandoned for this message, not waited on five times


def test_off_by_default(dns_errors) -> None:
    res = FakeResolver(dns_errors, {"phish-site.com.dbl.test": ["127.0.1.4"]})
    eng = Engine(resolver=res, analyzers=["links"])
    eng.scan(html_message(link("https://login.phish-site.com/x", "Sign in")))
    assert res.queries == []


def test_through_a_zone_file(tmp_path) -> None:
    dns = pytest.importorskip("mailwarden.dns")
    zone = tmp_path / "zone.json"
    zone.write_text('{"phish-site.com.dbl.test": [["A", "127.0.1.2"]], "slow-site.com.dbl.test": "TIMEOUT"}')
    eng = Engine(config=config_from_dict({"dns": {"dnsbl": ["dbl.test"]}}), resolver=dns.load_zone(zone),
                 analyzers=["links"])
    listed = eng.scan(html_message(link("https://x.phish-site.com/", "Open")))
    assert "URL_DNSBL" in {f.symbol for f in listed.findings}
    slow = eng.scan(html_message(link("https://slow-site.com/", "Open")))
    assert "URL_DNSBL" not in {f.symbol for f in slow.findings}

"""The DNS port: static zones (JSON and master file), the per-message budget, the live resolver's
circuit breaker, and that nothing answers when there is no DNS."""

from __future__ import annotations

import json
import socket

import pytest

from mailwarden.dns import (
    BudgetResolver,
    DNSBudgetExceeded,
    DNSError,
    DNSTimeout,
    LiveResolver,
    NullResolver,
    NXDomain,
    default_resolver,
    is_down,
    load_zone,
)


@pytest.fixture()
def json_zone(tmp_path):
    p = tmp_path / "zone.json"
    p.write_text(json.dumps({
        "Example.COM.": [["TXT", "v=spf1 -all"], ["TXT", ["v=DKIM1; p=", "abc"]], ["A", "192.0.2.1"],
                         ["MX", "10 mx.example.com."]],
        "alias.example.com": [["CNAME", "example.com."]],
        "loop1.example": [["CNAME", "loop2.example"]],
        "loop2.example": [["CNAME", "loop1.example"]],
        "slow.example": "TIMEOUT",
        "partial.example": [["TXT", "v=spf1 -all"], ["TIMEOUT", ""]],
        "weird name with spaces": [["TXT", "ok"]],
    }))
    return load_zone(p)


def test_json_zone_answers_case_insensitively_and_joins_txt_chunks(json_zone):
    assert json_zone.query("example.com", "TXT") == ["v=spf1 -all", "v=DKIM1; p=abc"]
    assert json_zone.query("EXAMPLE.com.", "a") == ["192.0.2.1"]
    assert json_zone.query("example.com", "MX") == ["10 mx.example.com."]
    assert json_zone.query("weird name with spaces", "TXT") == ["ok"]


def test_absent_name_is_nxdomain_and_absent_type_is_nodata(json_zone):
    with pytest.raises(NXDomain):
        json_zone.query("nothing.example", "TXT")
    assert json_zone.query("example.com", "AAAA") == []


def test_timeout_marker(json_zone):
    with pytest.raises(DNSTimeout):
        json_zone.query("slow.example", "TXT")
    assert json_zone.query("partial.example", "TXT") == ["v=spf1 -all"]
    with pytest.raises(DNSTimeout):
        json_zone.query("partial.example", "A")


def test_cname_is_followed_and_loops_are_errors(json_zone):
    assert json_zone.query("alias.example.com", "A") == ["192.0.2.1"]
    assert json_zone.query("alias.example.com", "CNAME") == ["example.com."]
    with pytest.raises(DNSError):
        json_zone.query("loop1.example", "A")


def test_master_file_zone(tmp_path):
    p = tmp_path / "example.zone"
    p.write_text("$ORIGIN example.net.\n$TTL 300\n"
                 "@ IN TXT \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"\n"
                 "sel._domainkey IN TXT \"v=DKIM1; k=ed25519; p=AAAA\"\n"
                 "@ IN MX 5 mx\nmx IN A 192.0.2.5\n")
    z = load_zone(p)
    assert z.query("example.net", "TXT") == ["v=spf1 ip4:192.0.2.0/24 -all"]
    assert z.query("SEL._domainkey.example.net.", "TXT") == ["v=DKIM1; k=ed25519; p=AAAA"]
    assert z.query("example.net", "MX") == ["5 mx.example.net."]
    with pytest.raises(NXDomain):
        z.query("other.example.net", "A")


def test_bad_zone_files_are_reported(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{not json")
    with pytest.raises(ValueError):
        load_zone(p)
    p.write_text(json.dumps({"x.example": "SLOW"}))
    with pytest.raises(ValueError):
        load_zone(p)


def test_budget_limits_queries_per_message(json_zone):
    r = BudgetResolver(json_zone, budget=2)
    r.query("example.com", "TXT")
    r.query("example.com", "TXT")  # memoised: free
    r.query("example.com", "A")
    with pytest.raises(DNSBudgetExceeded):
        r.query("example.com", "MX")
    assert r.used == 2


def test_budget_stops_at_the_deadline(json_zone):
    r = BudgetResolver(json_zone, budget=10, deadline=0.0)  # already past
    with pytest.raises(DNSTimeout):
        r.query("example.com", "TXT")


def test_no_resolver_never_answers():
    for r in (NullResolver(), BudgetResolver(None)):
        with pytest.raises(DNSError):
            r.query("example.com", "TXT")
        assert is_down(r)


def test_dns_can_be_disabled_in_config():
    from mailwarden.config import config_from_dict

    assert isinstance(default_resolver(config_from_dict({"dns": {"enabled": False}})), NullResolver)


def test_live_resolver_opens_its_circuit_after_consecutive_timeouts():
    # A loopback UDP socket that never answers: every query times out.
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    port = sink.getsockname()[1]
    try:
        r = LiveResolver(nameservers=["127.0.0.1"], port=port, timeout=0.05, lifetime=0.05, breaker_threshold=2,
                         breaker_cooldown=60)
        for i in range(2):
            with pytest.raises(DNSTimeout):
                r.query(f"a{i}.example", "TXT")
        assert r.is_down()
        with pytest.raises(DNSTimeout):
            r.query("b.example", "TXT")
        assert r.stats["timeouts"] == 2
        assert r.stats["short_circuited"] == 1
        # another engine's resolver for the same servers knows the network is down
        other = LiveResolver(nameservers=["127.0.0.1"], port=port, timeout=0.05, lifetime=0.05)
        assert other.is_down()
        assert not LiveResolver(nameservers=["127.0.0.1"], port=port, shared=False).is_down()
    finally:
        sink.close()

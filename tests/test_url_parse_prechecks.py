"""parse_url skips three steps when a cheap test shows they would change nothing; each test here
proves the skip safe over every character (the properties are per character)."""

from __future__ import annotations

import sys

from mailwarden.urls import _CONTROL, _DOTS, _idna_host, parse_url


def test_printable_without_blank_has_no_control_character() -> None:
    # the control-character pass is skipped for s.isprintable() and " " not in s
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if c.isprintable() and c != " ":
            assert _CONTROL.search(c) is None, hex(cp)


def test_dots_table_maps_only_non_ascii() -> None:
    # _idna_host skips translate(_DOTS) for ASCII hosts
    assert all(k > 127 for k in _DOTS)


def test_only_0_x_and_X_lower_case_into_the_hex_prefix() -> None:
    # the IP test looks for "0x"/"0X" in the host before lower-casing its last label
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        low = c.lower()
        if low[:1] in ("0", "x"):
            assert c in "0xX", hex(cp)
        assert c.isdigit() == low[-1:].isdigit(), hex(cp)


def test_hosts_parse_as_before() -> None:
    assert parse_url("http://0x7f.0x0.0x0.0x1/").ip == "127.0.0.1"
    assert parse_url("http://0X7F.1/").ip == "127.0.0.1"
    assert parse_url("http://a.0xcafe/") is None or parse_url("http://a.0xcafe/").ip is None
    assert parse_url("http://exa\tmple.com/p\nq").url == "http://example.com/pq"
    assert parse_url("http://EXAMPLE.com./x").host == "example.com"
    assert parse_url("http://b\u00fccher\u3002example/").host == "xn--bcher-kva.example"
    assert _idna_host("Example.COM.") == ("example.com", "example.com")

"""Who wrote an Authentication-Results header is read without parsing its results (the trusted
upstream check asks it of every header above a provider's hop); it must be exactly what the full
parse says, and the full parse must not change when it reuses that reading."""

from __future__ import annotations

import pytest

from mailwarden.auth.authres import parse_authentication_results, read_head
from mailwarden.upstream import ARSeen

VALUES = [
    "mx.google.com; dkim=pass header.i=@example.com header.s=s1; spf=pass smtp.mailfrom=a@example.com",
    "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none; dmarc=bestguesspass action=none",
    "i=2; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com",
    "  (comment) mail.protonmail.ch ; arc=none",
    '"quoted.example" ; dkim=fail reason="bad; signature" header.d=example.com',
    "i=1; (only a comment); dkim=pass",
    "",
    ";;;",
    "none",
    "x.example; none",
    "MX.Example.ORG; auth=pass smtp.auth=user\r\n\t(folded); spf=softfail",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("arc", [False, True])
def test_head_agrees_with_full_parse(value: str, arc: bool) -> None:
    full = parse_authentication_results(value, arc=arc)
    head = read_head(value, arc=arc)
    assert head[0] == full.authserv_id and head[1] == full.instance
    assert parse_authentication_results(value, arc=arc, head=head) == full


@pytest.mark.parametrize("value", VALUES)
def test_seen_header_reports_the_same_writer_either_way(value: str) -> None:
    name = "ARC-Authentication-Results"
    first = ARSeen(3, name, value)
    writer = first.authserv_id  # read before the results are parsed
    assert first.header == parse_authentication_results(value, arc=True)
    assert writer == first.header.authserv_id == ARSeen(3, name, value).header.authserv_id

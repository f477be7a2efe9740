"""Received dates: the direct parse of the common shape gives what email.utils gives."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

import pytest

from mailwarden.received import _parse_date, parse_hop

DATES = [
    "Wed, 09 Jun 2021 22:26:49 -0700", "Wed,09 Jun 2021 22:26:49 -0700", "9 jun 2021 22:26:49 +0530",
    "Mon, 2 Feb 2026 10:00:00 +0000", "Mon, 2 Feb 2026 10:00:00 -0000", "  Mon, 2 FEB 2026 10:00:00 +0100  ",
    "Mon, 31 Feb 2026 10:00:00 +0000", "Mon, 2 Feb 2026 25:00:00 +0000", "Mon, 2 Feb 2026 10:00:60 +0000",
    "Mon, 2 Feb 2026 10:00:00 +9999", "Mon, 2 Foo 2026 10:00:00 +0000", "Mon, 2 Feb 26 10:00:00 +0000",
    "Mon 2 Feb 2026 10:00:00 +0000", "2 Feb 2026 10:00 +0000", "Mon, 2 Feb 2026 10:00:00 GMT", "garbage",
    # zones: "-0000" (unknown, a naive result) however its digits are written, and repeated zones
    # (the zone object is cached per sign/hours/minutes text)
    "Mon, 2 Feb 2026 10:00:00 -0000", "Tue, 3 Feb 2026 11:00:00 -0000", "Mon, 2 Feb 2026 10:00:00 +0000",
    "Mon, 2 Feb 2026 10:00:00 -\u0660\u0660\u0660\u0660", "Mon, 2 Feb 2026 10:00:00 +\u0660\u0661\u0663\u0660",
    "Mon, 2 Feb 2026 10:00:00 -0130", "Mon, 2 Feb 2026 10:00:00 +2400", "Mon, 2 Feb 2026 10:00:00 -2359",
]


@pytest.mark.parametrize("text", DATES)
def test_common_shape_matches_email_utils(text: str) -> None:
    try:
        want = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        with pytest.raises(type(exc)):
            _parse_date(text)
        return
    got = _parse_date(text)
    assert got == want if want.tzinfo else got.replace(tzinfo=UTC) == want.replace(tzinfo=UTC)
    assert (got.tzinfo is None) == (want.tzinfo is None)
    assert got.utcoffset() == want.utcoffset()


def test_unknown_zone_reads_as_utc() -> None:
    hop = parse_hop("from a.example by b.example with ESMTP id 1; Mon, 2 Feb 2026 10:00:00 -0000 (UTC)")
    assert hop.date is not None and hop.date.utcoffset().total_seconds() == 0


def test_helo_found_in_any_case_and_addresses_in_comments() -> None:
    hop = parse_hop("from rdns.example.net ([198.51.100.7] HeLo=claimed.example) by mx.example.org with esmtp; "
                    "Mon, 2 Feb 2026 10:00:00 +0000")
    assert (hop.helo, hop.rdns, hop.ip) == ("claimed.example", "rdns.example.net", "198.51.100.7")
    bare = parse_hop("from x.example (x.example 2001:db8::5) by mx.example.org; Mon, 2 Feb 2026 10:00:00 +0000")
    assert bare.ip == "2001:db8::5"

"""Hostile header text never makes the identity parsers raise (property tests)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailwarden.addresses import parse_address_list
from mailwarden.brands import lookalike, lookalike_url, match_brand
from mailwarden.received import parse_hop

HEADERISH = st.text(alphabet=st.sampled_from(list('ab@.<>()"\\:;, \t=?-_[]01xn') + ["\x00", "é", "а", "\u202e"]),
                    max_size=200)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(HEADERISH)
def test_address_lists(value):
    parsed = parse_address_list(value)
    for mb in parsed.mailboxes:
        assert isinstance(mb.domain, str)


@FAST
@given(HEADERISH)
def test_received(value):
    parse_hop("from " + value + " by mx.example; Mon, 2 Feb 2026 10:00:00 +0000")
    parse_hop(value)


@FAST
@given(st.text(max_size=80))
def test_brand_functions(value):
    lookalike(value)
    lookalike_url(value)
    match_brand(value)

"""Property tests: the Authentication-Results reader never raises on arbitrary text, and the writer
never emits a control character whatever the domain, selector or reason."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
authres = pytest.importorskip("authres")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mailwarden.auth.authres import (  # noqa: E402
    OutResult,
    format_authentication_results,
    parse_authentication_results,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_reader_never_raises(text):
    h = parse_authentication_results(text)
    assert isinstance(h.results, list)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80), st.text(max_size=80), st.text(max_size=30))
def test_writer_output_is_one_logical_line_and_reads_back(domain, selector, reason, authserv):
    out = format_authentication_results(authserv, [OutResult("dkim", "fail", [("header.d", domain),
                                                                              ("header.s", selector)], reason)])
    body = out.replace("\r\n\t", " ")
    assert body.isascii() and not any(ord(c) < 32 or ord(c) == 127 for c in body)
    parsed = parse_authentication_results(out)
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "fail")]
    # an independent RFC 8601 parser reads it too
    theirs = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + body)
    assert [(r.method, r.result) for r in theirs.results] == [("dkim", "fail")]
    cleaned = "".join(c for c in domain if ord(c) >= 32 and ord(c) != 127)
    if cleaned and cleaned.isascii():
        cleaned = cleaned[:512]
        assert parsed.results[0].props["header.d"] == cleaned

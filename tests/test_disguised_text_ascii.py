"""ASCII-only texts skip the disguised-text checks: neither lookalike nor mathematical letters are ASCII."""

from __future__ import annotations

from mailwarden.analyzers.lures import _CONFUSABLE_RE, _STYLED, LuresAnalyzer


def test_no_ascii_character_is_a_lookalike_or_a_mathematical_letter() -> None:
    ascii_text = "".join(map(chr, range(128)))
    assert not _CONFUSABLE_RE.search(ascii_text) and not _STYLED.search(ascii_text)


def test_disguised_text_still_fires_on_lookalikes() -> None:
    texts = {"subject": "N\u0435w r\u0435c\u043erd", "display_name": "Support", "body": "plain body"}
    assert [f.symbol for f in LuresAnalyzer._disguised_text(texts)] == ["TEXT_MIXED_SCRIPT"]
    texts = {"subject": "New record", "display_name": "Support", "body": "plain body"}
    assert list(LuresAnalyzer._disguised_text(texts)) == []

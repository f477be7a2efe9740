"""Hostile HTML stays linear: long runs that would make naive patterns backtrack, huge counts."""

from __future__ import annotations

from mailwarden.htmltext import hidden_reason, html_document
from mailwarden.urls import extract_urls_from_text, normalize_url


def test_long_zero_runs_in_styles() -> None:
    zeros = "0" * 200_000
    assert hidden_reason(f"font-size:{zeros}x") is None
    assert hidden_reason(f"opacity:{zeros}x") is None
    doc = html_document(f'<p style="opacity:0.5;font-size:{zeros}x">text</p><p>more</p>')
    assert "more" in doc.visible_text  # finishes; the clipped style reads as font-size 0, which is fine


def test_many_pseudo_elements_without_braces() -> None:
    css = "::before" * 100_000
    doc = html_document(f"<html><head><style>{css}</style></head><body>ok</body></html>")
    assert doc.css_injected_text == []


def test_many_links_are_bounded() -> None:
    html = "<html><body>" + '<a href="https://x.example/a">a</a>' * 20_000 + "</body></html>"
    assert len(html_document(html).links) <= 5000


def test_huge_text_and_url() -> None:
    text = ("https://" + "a" * 100_000 + ".example/ ") * 3 + "www." * 50_000
    urls = extract_urls_from_text(text)
    assert len(urls) <= 10_000
    assert normalize_url("https://" + "b" * 100_000 + ".example/") is None  # no DNS name is that long


def test_trailing_brackets_are_trimmed_linearly() -> None:
    text = "see (https://x.example/a_(b)" + ")" * 200_000
    assert extract_urls_from_text(text) == ["https://x.example/a_(b)"]

"""Helpers for the link and HTML tests: build a message, scan it, list the symbols that fired."""

from __future__ import annotations

from conftest import make_message


def html_message(html: str, from_addr: str = "news@shop.example", subject: str = "Hello") -> bytes:
    return make_message({"From": from_addr, "To": "you@customer.example", "Subject": subject,
                         "Message-ID": "<t@shop.example>"}, html, "text/html; charset=utf-8")


def text_message(text: str, from_addr: str = "news@shop.example", subject: str = "Hello") -> bytes:
    return make_message({"From": from_addr, "To": "you@customer.example", "Subject": subject,
                         "Message-ID": "<t@shop.example>"}, text)


def symbols(engine, raw: bytes) -> set[str]:  # noqa: ANN001 - the engine fixture
    return {f.symbol for f in engine.scan(raw).findings}


def link(href: str, text: str) -> str:
    return f'<html><body><p>Dear customer,</p><p><a href="{href}">{text}</a></p></body></html>'

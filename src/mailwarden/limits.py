"""Budgets that bound the work one hostile message can cause.

Every budget has a symbol. Exceeding a budget never raises out of the engine:
the parser stops at the budget, records a `LimitHit`, and the scan goes on with
what was parsed (a best-effort verdict). Defaults are no looser than Rspamd's
and Postfix's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 10 * 1024 * 1024  # Postfix message_size_limit default
    max_header_bytes: int = 100 * 1024  # whole header section of one entity
    max_headers: int = 1000  # header fields per entity
    max_line_bytes: int = 64 * 1024  # one physical line (RFC 5322 says 998; real mail is worse)
    max_mime_depth: int = 64  # nesting of multiparts and message/rfc822
    max_parts: int = 10_000  # MIME entities in the whole message
    max_decoded_bytes: int = 50 * 1024 * 1024  # sum of decoded part bodies
    max_encoded_words: int = 2_000  # RFC 2047 encoded-words per message
    max_addresses: int = 100  # mailboxes in one address header
    max_address_header_bytes: int = 16 * 1024  # one address header, before parsing
    max_text_chars: int = 2 * 1024 * 1024  # visible text handed to content analyzers
    max_urls: int = 2_000  # URLs kept per message
    scan_seconds: float = 10.0  # wall clock per message; analyzers past it are skipped

    @classmethod
    def from_mapping(cls, data: dict) -> Limits:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        return cls(**{k: type(getattr(cls(), k))(v) for k, v in data.items()})


# budget name -> symbol raised when it is exceeded
LIMIT_SYMBOLS: dict[str, str] = {
    "message_bytes": "MSG_TOO_LARGE",
    "header_bytes": "HEADER_TOO_LARGE",
    "headers": "HEADER_TOO_MANY",
    "line_bytes": "LINE_TOO_LONG",
    "mime_depth": "MIME_TOO_DEEP",
    "parts": "MIME_TOO_MANY_PARTS",
    "decoded_bytes": "DECODED_TOO_LARGE",
    "encoded_words": "ENCODED_WORDS_TOO_MANY",
    "addresses": "ADDRESS_LIST_TOO_COMPLEX",
    "text_chars": "TEXT_TOO_LARGE",
    "urls": "URLS_TOO_MANY",
    "scan_time": "SCAN_TIMEOUT",
}


@dataclass
class LimitHit:
    budget: str  # a key of LIMIT_SYMBOLS
    detail: str
    evidence: list[str] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return LIMIT_SYMBOLS[self.budget]

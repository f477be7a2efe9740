"""Case-insensitive matching as case-sensitive matching of lower-cased text, where that is exact.

Python's regex engine matches case-insensitively several times slower than it matches a fixed case.
Lower-casing the text and the pattern gives the same matches at the same offsets, for patterns whose
letters are lower-case with no backslash-letter escapes, except around three characters: dotted capital
I (U+0130) lower-cases to two characters, and dotless i (U+0131) and long s (U+017F) match "i" and
"s" case-insensitively but lower-case to themselves. (The Kelvin sign lower-cases to "k", as it
matches.) A text holding one of the three takes the case-insensitive path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

LOWER_MISMATCH = ("\u0130", "\u0131", "\u017f")


def lowered(text: str) -> str | None:
    """`text.lower()` when matching it case-sensitively equals matching `text` case-insensitively, else None."""
    if text.isascii() or not any(c in text for c in LOWER_MISMATCH):
        return text.lower()
    return None


# A capital letter that is a literal: neither an escape's letter (\S) nor the P of a named group (?P<…>).
_UPPER_LITERAL = re.compile(r"(?<![\\?])[A-Z]")


class CaselessPattern:
    """A case-insensitive pattern whose letters are written lower-case, searched where that is exact
    case-sensitively on lower-cased text.

    Matches keep their offsets either way; their text is lower-case on the fast path, so callers compare
    lower-cased match text. A source with a capital literal always takes the case-insensitive path.
    """

    def __init__(self, source: str) -> None:
        self.caseless = re.compile(source, re.IGNORECASE)
        self.lower = None if _UPPER_LITERAL.search(source) else re.compile(source)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        low = lowered(text) if self.lower is not None else None
        return self.caseless.finditer(text) if low is None else self.lower.finditer(low)

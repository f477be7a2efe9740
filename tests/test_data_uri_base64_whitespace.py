"""Inline `data:` images: ASCII base64 text is decoded as it stands, whitespace and all.

Unvalidated base64 decoding skips characters outside the alphabet wherever they stand (between
pads too), so removing ASCII whitespace first gives the same bytes, and the same padding errors.
Checked on random payloads built from the alphabet, pads and every ASCII whitespace character.
"""

from __future__ import annotations

import base64
import binascii
import random
import re


def _decode(text: str) -> bytes | str:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        return type(exc).__name__


def test_ascii_whitespace_needs_no_removal() -> None:
    rng = random.Random(20261127)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spaces = [c for c in map(chr, range(128)) if re.fullmatch(r"\s", c)]
    assert "\x1c" in spaces  # \s takes the information separators too
    for _ in range(50_000):
        chars = [rng.choice(alphabet) for _ in range(rng.randint(0, 40))]
        for _ in range(rng.randint(0, 3)):
            chars.insert(rng.randint(0, len(chars)), "=")
        for _ in range(rng.randint(0, 8)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(spaces))
        text = "".join(chars)
        assert _decode(text) == _decode(re.sub(r"\s+", "", text)), repr(text)

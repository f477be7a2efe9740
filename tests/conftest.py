"""Shared test helpers. Tests that read ../shared skip cleanly when it is absent."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEMO = REPO / "src" / "mailwarden" / "data" / "demo"


def shared_path(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} not present")
    return p


@pytest.fixture(scope="session")
def engine():
    from mailwarden.engine import Engine

    return Engine()


def make_message(headers: dict[str, str] | list[tuple[str, str]], body: str = "Hello.\n",
                 content_type: str = "text/plain; charset=utf-8") -> bytes:
    """A small RFC 5322 message written for a test."""
    items = headers.items() if isinstance(headers, dict) else headers
    lines = [f"{k}: {v}" for k, v in items]
    if not any(k.lower() == "content-type" for k, _ in (headers.items() if isinstance(headers, dict) else headers)):
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


def spliced(samples: list[bytes], tokens: list[bytes], seed: int, n: int) -> list[bytes]:
    """`n` hostile variants of `samples`: each one a sample with 1-5 of `tokens` spliced in at random
    places (seeded, so a failure names a reproducible input)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        raw = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(raw) + 1)
            raw[i:i] = rng.choice(tokens)
        out.append(bytes(raw))
    return out

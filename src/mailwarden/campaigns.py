"""Campaign fingerprints: near-duplicate text (MinHash + LSH bands), HTML structure, exact pivots.

Pure functions, no storage: the history analyzer computes these per message and the store keeps
them (band hashes as indexed rows, so every scanner process shares one LSH index).

- `text_minhash(text)`: MinHash (datasketch, 64 permutations) of 4-word shingles hashed with xxhash.
  Digits and case are folded first, so reference numbers, amounts and names in a greeting change
  only a few shingles.
- `lsh_bands(hashvalues)`: 16 bands of 4 rows; two messages with Jaccard 0.5 share a band with
  probability 0.64, at 0.7 with 0.99. Candidates are then verified on the full signature.
- `landing_key(url)`: the landing page a link leads to, with tracking parameters, query strings,
  fragments and per-recipient tokens removed, so that one phishing page sent with a token per
  recipient is one pivot.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import numpy as np
import xxhash
from datasketch import MinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 4
MIN_TOKENS = 12  # shorter texts share too little to say they are near-duplicates
MAX_TOKENS = 5000
_SEED = 20261126

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)")
_PHONE_KEEP = re.compile(r"[^\d+]")


def _hash32(data: bytes) -> int:
    return xxhash.xxh32_intdigest(data)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # Permutations are derived once; every MinHash shares them (and so stays comparable).
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_hash32)


def text_tokens(text: str) -> list[str]:
    text = _DIGITS.sub("0", text.lower())
    return _WORD.findall(text)[:MAX_TOKENS]


def text_minhash(text: str) -> bytes | None:
    """The MinHash signature (NUM_PERM little-endian uint32) of a text, or None when it is too short."""
    tokens = text_tokens(text)
    if len(tokens) < MIN_TOKENS:
        return None
    shingles = {" ".join(tokens[i:i + SHINGLE]).encode("utf-8") for i in range(len(tokens) - SHINGLE + 1)}
    t = _template()
    m = MinHash(num_perm=NUM_PERM, hashfunc=_hash32, permutations=t.permutations, scheme=t.scheme)
    m.update_batch(shingles)
    return np.asarray(m.hashvalues, dtype="<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    va, vb = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    if va.shape != vb.shape or not len(va):
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)


def _signed64(h: int) -> int:
    return h - (1 << 64) if h >= (1 << 63) else h


def lsh_bands(signature: bytes) -> list[int]:
    """One signed 64-bit key per band (the band index is mixed in, so one indexed column suffices)."""
    step = ROWS * 4
    return [_signed64(xxhash.xxh3_64_intdigest(signature[i * step:(i + 1) * step], seed=i))
            for i in range(BANDS)]


def signature_id(signature: bytes) -> str:
    return xxhash.xxh3_64_hexdigest(signature)


def html_structure_hash(html: str) -> str | None:
    """A hash of the HTML tag sequence: the template's skeleton, blind to its words and links."""
    tags = _TAG.findall(html[:500_000])
    if len(tags) < 5:
        return None
    return xxhash.xxh3_64_hexdigest(" ".join(t.lower() for t in tags).encode("ascii", "replace"))


# --- landing pages ----------------------------------------------------------------------------------

_TOKENISH = re.compile(r"^(?=.*\d)(?=.*[a-zA-Z])[A-Za-z0-9_\-.=~%]{10,}$|^[0-9a-fA-F\-]{16,}$|^\d{6,}$")


def is_token(segment: str) -> bool:
    """Looks like an identifier or per-recipient token rather than a word."""
    s = unquote(segment)
    return "@" in s or bool(_TOKENISH.match(s))


def landing_key(url: str) -> str | None:
    """`host/path` of the page a link lands on.

    Dropped: scheme, userinfo, port, `www.`, query string (tracking parameters and per-recipient
    identifiers live there), fragment, and the last path segment when it looks like a per-recipient
    token (mixed letters and digits of 10+ characters, a long hex or numeric id, an address). Inner
    segments are kept: they name the resource (a Google Form or a shared document) rather than the
    recipient. Any segment holding an address is masked wherever it is.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host or parts.scheme.lower() not in ("http", "https", ""):
        return None
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    # A trailing per-recipient token is dropped, so /login/<token> and /login?t=<token> are one page.
    while len(segments) > 1 and is_token(segments[-1]):
        segments.pop()
    out = ["*" if "@" in unquote(seg) else seg for seg in segments]
    while out and out[-1].lower() in ("index.html", "index.htm", "index.php"):
        out.pop()
    return host + ("/" + "/".join(out) if out else "/")


def url_host(url: str) -> str | None:
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    return host or None


def normalize_phone(value: str) -> str:
    """E.164-ish key for a phone number typed by an analyst: digits with a leading +."""
    v = value.strip()
    if v.startswith("+"):
        return "+" + _PHONE_KEEP.sub("", v[1:]).replace("+", "")
    try:
        import phonenumbers

        n = phonenumbers.parse(v, "US")
        if phonenumbers.is_possible_number(n):
            return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    except Exception:  # noqa: BLE001 - fall back to digits
        pass
    return "+" + _PHONE_KEEP.sub("", v).replace("+", "")


_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'()\[\]]+""", re.IGNORECASE)
_HREF = re.compile(r"""href\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)


def fallback_urls(text: str, html: str) -> list[str]:
    """URLs found by a plain scan, used only when the links analyzer is not loaded."""
    seen: dict[str, None] = {}
    for u in _HREF.findall(html[:500_000]) + _URL_IN_TEXT.findall(text[:500_000]):
        seen.setdefault(u.rstrip(".,;:!?"), None)
    return list(seen)[:200]

"""Campaign fingerprints: near-duplicate text (MinHash + LSH bands), HTML structure, exact pivots.

Pure functions, no storage: the history analyzer computes these per message and the store keeps
them (band hashes as indexed rows, so every scanner process shares one LSH index).

- `text_minhash(text)`: MinHash (datasketch's "affine32" scheme, 64 permutations) of 4-word shingles
  hashed with xxhash. Digits and case are folded first, so reference numbers, amounts and names in a
  greeting change only a few shingles. datasketch derives the permutations; the signature is computed
  here with the same arithmetic in one numpy pass (identical values, see
  tests/test_campaign_minhash_equivalence.py), because `MinHash.update_batch` costs a Python call per
  shingle and a MinHash object per message.
- `lsh_bands(hashvalues)`: 16 bands of 4 rows; two messages with Jaccard 0.5 share a band with
  probability 0.64, at 0.7 with 0.99. Candidates are then verified on the full signature.
- `landing_key(url)`: the landing page a link leads to, with tracking parameters, query strings,
  fragments and per-recipient tokens removed, so that one phishing page sent with a token per
  recipient is one pivot.
"""

from __future__ import annotations

import re
import string
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


# Tokenising without a regex pass per character: `[^\W_]` is "alphanumeric" (str.isalnum) and `\d` is
# str.isdecimal, so after lower-casing, every decimal digit becomes "0", every other non-alphanumeric
# character a space, and a run of "0"s (only digits produce them) one "0" -- what `_DIGITS.sub` then
# `_WORD.findall` give. ASCII goes through a byte table; the few distinct non-ASCII characters of a text
# are replaced first. Working on UTF-8 bytes yields the shingles' bytes directly (UTF-8 never puts an
# ASCII byte inside a multi-byte character, so the table cannot split one).
_BYTE_TABLE = bytes(ord("0") if chr(i) in string.digits else i if (i >= 128 or chr(i).isalnum()) else ord(" ")
                    for i in range(256))
_NON_ASCII: dict[str, str] = {}  # character -> what it becomes ("0", " ", or itself)


def _non_ascii_role(ch: str) -> str:
    role = _NON_ASCII.get(ch)
    if role is None:
        role = "0" if ch.isdecimal() else ch if ch.isalnum() else " "
        if len(_NON_ASCII) < 100_000:
            _NON_ASCII[ch] = role
    return role


def _token_bytes(text: str) -> list[bytes]:
    """`text_tokens(text)`, each encoded in UTF-8."""
    text = text.lower()
    if not text.isascii():
        for ch in set(text):
            if ch > "\x7f":
                role = _non_ascii_role(ch)
                if role != ch:
                    text = text.replace(ch, role)
    data = text.encode("utf-8").translate(_BYTE_TABLE)
    while b"00" in data:
        data = data.replace(b"00", b"0")
    return data.split()[:MAX_TOKENS]


def text_tokens(text: str) -> list[str]:
    """Lower-cased words (letters and digits; a digit run is "0"), at most MAX_TOKENS."""
    return [w.decode("utf-8") for w in _token_bytes(text)]


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    t = _template()
    if t.scheme != "affine32":  # the arithmetic below is that scheme's; stored signatures depend on it
        raise RuntimeError(f"datasketch MinHash scheme {t.scheme!r}, expected 'affine32'")
    a, b = t.permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch pre-mixes input hashes (uint32, wrapping)."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def text_minhash(text: str) -> bytes | None:
    """The MinHash signature (NUM_PERM little-endian uint32) of a text, or None when it is too short.

    Equal to datasketch's `MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_hash32)` updated with every
    shingle (UTF-8 bytes of four words joined by a space): min over shingles of a*fmix32(h)+b mod 2^32.
    """
    words = _token_bytes(text)
    if len(words) < MIN_TOKENS:
        return None
    # Repeated shingles need no removal: they cannot change a minimum.
    shingles = map(b" ".join, zip(words, words[1:], words[2:], words[3:], strict=False))
    hv = np.fromiter(map(xxhash.xxh32_intdigest, shingles), dtype=np.uint32, count=len(words) - SHINGLE + 1)
    a, b = _permutations()
    # One row per permutation, reduced along contiguous memory; uint32 arithmetic wraps mod 2^32 as
    # datasketch's does.
    phv = np.multiply.outer(a, _fmix32(hv))
    phv += b[:, None]
    return phv.min(axis=1).astype("<u4").tobytes()


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
    # Tag names are ASCII ([a-zA-Z][a-zA-Z0-9]*): lower-casing the joined string equals lower-casing each.
    return xxhash.xxh3_64_hexdigest(" ".join(tags).lower().encode("ascii", "replace"))


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
    hit = landing(url)
    return hit[0] if hit else None


def landing(url: str) -> tuple[str, str] | None:
    """(`landing_key(url)`, `url_host(url)`) from one parse, None when the URL has no landing page."""
    try:
        parts = urlsplit(url.strip())
        full_host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not full_host or parts.scheme.lower() not in ("http", "https", ""):
        return None
    host = full_host[4:] if full_host.startswith("www.") else full_host
    segments = [s for s in parts.path.split("/") if s]
    # A trailing per-recipient token is dropped, so /login/<token> and /login?t=<token> are one page.
    while len(segments) > 1 and is_token(segments[-1]):
        segments.pop()
    out = ["*" if "@" in unquote(seg) else seg for seg in segments]
    while out and out[-1].lower() in ("index.html", "index.htm", "index.php"):
        out.pop()
    return host + ("/" + "/".join(out) if out else "/"), full_host


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

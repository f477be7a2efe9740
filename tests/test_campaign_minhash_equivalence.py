"""Text signatures computed in one numpy pass equal datasketch's MinHash exactly.

Signatures and their LSH bands are stored in the history store; a signature computed differently
would silently stop matching every stored message. datasketch stays the reference here.
"""

from __future__ import annotations

import random
import re

import numpy as np

from mailwarden.campaigns import (
    MAX_TOKENS,
    MIN_TOKENS,
    NUM_PERM,
    SHINGLE,
    _hash32,
    _template,
    lsh_bands,
    text_minhash,
    text_tokens,
)

from conftest import shared_path

_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")


def reference_tokens(text: str) -> list[str]:
    return _WORD.findall(_DIGITS.sub("0", text.lower()))[:MAX_TOKENS]


def reference_minhash(text: str) -> bytes | None:
    from datasketch import MinHash

    tokens = reference_tokens(text)
    if len(tokens) < MIN_TOKENS:
        return None
    shingles = {" ".join(tokens[i:i + SHINGLE]).encode("utf-8") for i in range(len(tokens) - SHINGLE + 1)}
    t = _template()
    m = MinHash(num_perm=NUM_PERM, hashfunc=_hash32, permutations=t.permutations, scheme=t.scheme)
    m.update_batch(shingles)
    return np.asarray(m.hashvalues, dtype="<u4").tobytes()


TEXTS = [
    "Your account has been suspended. Verify your identity within 24 hours at the link below or lose access.",
    "Olá João, sua conta foi bloqueada por atividade incomum. Acesse o portal e confirme seus dados hoje.",
    "Sehr geehrte Kundin, Ihre Rechnung Nr. 4711 über 99,00 EUR ist fällig. Bitte zahlen Sie bis Freitag.",
    "snake_case_words and under_scores split words 123abc abc123 a1b2c3 007 0x1F __init__ done now ok yes",
    "repeat " * 50,
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３ with ½ ² ٣ arabic-indic digits and İstanbul Kelvin K sign ſ long s here ok",
    "too short to count",
    "\t tabs\nnewlines\r\nand\x0bvertical\x0cfeeds \u2028 line sep \u00a0 nbsp words keep going on and on here",
    "Mixed Cyrillic rесоrd wоrds in a Latin sentence that goes on long enough to be signed by minhash yes",
    "",
]


def test_tokens_match_the_regex_definition() -> None:
    rng = random.Random(3)
    alphabet = "abcXYZ019_ -.,:/@\n\téñü٣½²İſK中"
    texts = TEXTS + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 400))) for _ in range(300)]
    for text in texts:
        assert text_tokens(text) == reference_tokens(text), text


def test_signatures_match_datasketch() -> None:
    rng = random.Random(5)
    words = ["verify", "account", "conta", "senha", "Rechnung", "123", "a1", "naïve", "中文", "x_y", "ok"]
    texts = TEXTS + [" ".join(rng.choice(words) for _ in range(rng.randrange(5, 300))) for _ in range(200)]
    signed = 0
    for text in texts:
        got, want = text_minhash(text), reference_minhash(text)
        assert got == want, text[:80]
        if got is not None:
            signed += 1
            assert lsh_bands(got) == lsh_bands(want)
    assert signed > 100


def test_long_text_is_capped_like_the_reference() -> None:
    text = " ".join(f"w{i % 977}x" for i in range(MAX_TOKENS * 2))
    assert text_minhash(text) == reference_minhash(text)


def test_corpus_signatures_match() -> None:
    from mailwarden.message import Message

    corpus = shared_path("corpus")
    files = [f for f in sorted(corpus.rglob("*")) if f.is_file() and f.name not in ("README.md", "MANIFEST.csv")]
    for f in files[::11]:
        text = Message.parse(f.read_bytes()).visible_text
        assert text_minhash(text) == reference_minhash(text), f.name


def test_html_structure_hash_is_case_blind_and_unchanged() -> None:
    import xxhash

    from mailwarden.campaigns import html_structure_hash

    html = "<HTML><Body><DIV class=x><p>Hi</p><TaBlE><tr><td>ü</td></tr></TaBlE><img src=a></DIV></Body></HTML>"
    tags = re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)
    expected = xxhash.xxh3_64_hexdigest(" ".join(t.lower() for t in tags).encode("ascii", "replace"))
    assert html_structure_hash(html) == expected == html_structure_hash(html.lower())

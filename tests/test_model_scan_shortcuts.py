"""Shortcuts in the model's scan path give what the plain computation gives.

- `_fold_terms` reads text whose only non-ASCII characters are separators (quotes, dashes, symbols,
  emoji) through the ASCII path, those characters replaced by spaces;
- the link patterns are not run on text holding neither "//" nor "www.";
- in non-ASCII HTML only the stretches from each "href" to the next ">" are lower-cased;
- a link's terms are cached per link (the tokens joined and tokenised one link at a time);
- new terms are hashed alone (not the whole document again) when some are not cached yet;
- `top_terms` picks the positive weights with numpy before ranking.
"""

from __future__ import annotations

import random
import re

import numpy as np

from mailwarden.message import Message
from mailwarden.model import features, store
from mailwarden.model.features import (
    _HREF,
    _NON_ASCII_WORD,
    _URL,
    TOKEN_PATTERN,
    _fold,
    _fold_terms,
    _href_matches,
    _may_hold_url,
    _url_keys,
    _url_terms,
    url_tokens,
)
from mailwarden.model.store import TextModel, feature_index, feature_indices

from conftest import make_message

_WORD = re.compile(r"\w")


def test_non_ascii_word_class_is_word_and_not_ascii() -> None:
    for cp in range(0x80, 0x110000):
        c = chr(cp)
        assert bool(_NON_ASCII_WORD.match(c)) == bool(_WORD.match(c)), hex(cp)
    assert not any(_NON_ASCII_WORD.match(chr(cp)) for cp in range(0x80))


def test_fold_terms_equal_fold_on_mixed_text() -> None:
    rnd = random.Random(7)
    pieces = ["word", "Über", "straße", "99", "a1b22c", "x", "to", "the", "und", " ", " ", "\n", ".", "-", "_",
              "’", "“", "”", "—", "–", "•", "©", "®", "™", "€", "🎁", "\u200c", "\u00a0", "\ufeff", "½", "²",
              "٣", "１２", "ﬁ", "рау", "ı", "İ", "ß", "中文", "é", "e\u0301", "K", "ſ", "0", "00", "Ⅻ"]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 25)))
        assert _fold_terms(text) == set(_fold(text).split()), repr(text)


def test_link_patterns_need_slashes_or_www() -> None:
    rnd = random.Random(11)
    pieces = ["http", "https", ":", "/", "//", "www", ".", "w", "href", "=", '"', "'", " ", "example", "com",
              "\n", "HREF", "a"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        if not _may_hold_url(text):
            assert not _URL.search(text) and not _HREF.search(text), text


def test_link_terms_per_link_equal_tokenised_join() -> None:
    html = ('<a href="https://my-bank.secure-login.example:8443/a/b-c?x=1">x</a>'
            '<a href=//xn--pypal-4ve.example/Sign_In>y</a><a href="http://10.0.0.1/login">z</a>')
    raw = make_message({"Subject": "links"}, "see www.Example.co.uk/Path/To_Thing and https://a.b-c.example/x-y_z "
                       "ok\n" + html, content_type="text/html; charset=utf-8")
    msg = Message.parse(raw)
    keys = _url_keys(msg)
    assert keys
    terms = set()
    for key in keys:
        terms.update(_url_terms(*key))
    assert terms == set(TOKEN_PATTERN.findall(" ".join(url_tokens(msg))))


def _model(seed: int) -> TextModel:
    coef = np.random.default_rng(seed).normal(size=store.N_FEATURES)
    return TextModel(coef, 0.1, 1.0, -1.5, 0.2)


def test_new_terms_hashed_alone_give_the_same_columns() -> None:
    words = [f"term{i}" for i in range(300)]
    store._INDEX_CACHE.clear()
    feature_indices(words[:100])  # some cached, some not
    assert feature_indices(words) == {store._hash_index(w) for w in words}
    assert all(store._INDEX_CACHE[w] == store._hash_index(w) for w in words)


def test_top_terms_equal_ranking_every_term() -> None:
    m = _model(3)
    rnd = random.Random(5)
    for _ in range(50):
        words = {f"w{rnd.randint(0, 5000)}" for _ in range(rnd.randint(0, 80))}
        pairs = [(m.coef[feature_index(w)], w) for w in words]
        expected = [w for c, w in sorted(pairs, reverse=True) if c > 0][:8]
        assert m.top_terms(words, 8) == expected
        store._INDEX_CACHE.clear()  # columns not cached yet
        assert m.top_terms(words, 8) == expected


def test_fold_terms_keeps_the_slow_path_for_non_ascii_words() -> None:
    assert _fold_terms("straße — 12٣ ok") == set(_fold("straße — 12٣ ok").split())
    assert features._NON_ASCII.sub(" ", "a’b") == "a b"


def test_href_matches_equal_finditer_on_lowered_html() -> None:
    rnd = random.Random(13)
    pieces = ["href", "HREF", "hRef", "=", " ", "\u00a0", "\u2003", '"', "'", "//", "http:", "HTTPS:", "/", ">", "<a ",
              "ex", "Ä", "é", "K", "\u212a", "ſ", "\u0130", "\u03a3", "σ", "?", "&", "\n", "x.y", "PATH", "€"]
    for _ in range(20000):
        html = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        assert [m.groups() for m in _href_matches(html)] == [m.groups() for m in _HREF.finditer(html.lower())], html

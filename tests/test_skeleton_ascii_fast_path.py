"""skeleton() skips Unicode normalisation and the per-character confusables walk for ASCII text;
the answer must be what the full walk gives."""

from __future__ import annotations

import random
import unicodedata

from mailwarden import brands
from mailwarden.brands import _ASCII_FOLD, _PAIRS, skeleton


def _skeleton_full(text: str) -> str:
    skeleton("\u0430")  # loads the confusables table
    table = brands._CONFUSABLE
    assert table is not None
    out = []
    for ch in unicodedata.normalize("NFKC", text.lower()):
        if ch.isascii():
            out.append(ch)
            continue
        mapped = table.get(ch)
        if mapped is None:
            base = unicodedata.normalize("NFKD", ch)[:1]
            mapped = base if base.isascii() else ch
        out.append(mapped)
    s = "".join(out).translate(_ASCII_FOLD)
    for a, b in _PAIRS:
        s = s.replace(a, b)
    return s


def test_ascii_and_mixed_text_fold_as_the_full_walk() -> None:
    rng = random.Random(12)
    alphabet = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.|@$ "
                "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0130\u212a\u2102\u210c\uff41\u00e9\u00fc\u0131\u017f\u00df")
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert skeleton.__wrapped__(text) == _skeleton_full(text), text


def test_known_folds() -> None:
    assert skeleton("PAYPA1") == "paypal"
    assert skeleton("rnicrosoft") == skeleton("microsoft") == "mlcrosoft"  # i and l fold together
    assert skeleton("p\u0430yp\u0430l") == "paypal"
    assert skeleton("\u212aelvin") == "kelvln"  # KELVIN SIGN lower-cases to ASCII k

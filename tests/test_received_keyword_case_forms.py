"""The Received parser finds clause keywords and month names by looking the words up as written, in
tables of every upper/lower-case form; that must agree with lower-casing each word first."""

from __future__ import annotations

import random
import sys

from mailwarden.received import _KEYWORD_FORMS, _KEYWORDS, _MONTHS, parse_hop

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def test_only_ascii_letters_lower_case_to_keyword_letters() -> None:
    # The reason the table is exact: no non-ASCII character lower-cases to a letter of a keyword
    # (the Kelvin sign becomes "k", which no keyword or month name has).
    letters = set("".join(_KEYWORDS)) | set("".join(_MONTH_NAMES))
    for cp in range(128, sys.maxunicode + 1):
        low = chr(cp).lower()
        assert not (set(low) & letters and low.isascii()), hex(cp)


def test_keyword_table_matches_lower_casing_on_random_words() -> None:
    rnd = random.Random(4)
    alphabet = "fromFROMbyBYviaVIAwithWITHidIDforFORxX\u212a\u0130\u0131\u017f-_."
    for _ in range(50_000):
        word = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 5)))
        expected = word.lower() if word.lower() in _KEYWORDS else None
        assert _KEYWORD_FORMS.get(word) == expected, word
    for kw in _KEYWORDS:
        assert _KEYWORD_FORMS[kw.upper()] == _KEYWORD_FORMS[kw.title()] == kw


def test_month_table_is_every_case_of_each_month() -> None:
    assert len(_MONTHS) == 12 * 8
    for form, month in _MONTHS.items():
        assert _MONTH_NAMES[month - 1] == form.lower()


def test_keywords_and_months_in_any_case() -> None:
    hop = parse_hop("FROM mail.example.org ([192.0.2.7]) bY mx.example.net WITH esmtp iD abc FoR <a@b.example>;"
                    " Tue, 3 JUN 2025 10:11:12 +0200")
    assert (hop.helo, hop.ip, hop.by, hop.with_, hop.id, hop.for_) == (
        "mail.example.org", "192.0.2.7", "mx.example.net", "esmtp", "abc", "a@b.example")
    assert hop.date is not None and hop.date.isoformat() == "2025-06-03T10:11:12+02:00"

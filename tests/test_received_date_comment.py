"""A Received date's trailing comment ("(PDT)") is matched by the common-shape pattern instead of
being removed first; the date read must be what the email package reads from the text without
that comment, for every shape of comment (none, one, two, nested, unbalanced, spaced)."""

from __future__ import annotations

import random
import re
from datetime import UTC
from email.utils import parsedate_to_datetime

from mailwarden.received import _parse_date, parse_hop

_TRAILING = re.compile(r"\s*\([^)]*\)\s*$")
BASES = ["Wed, 09 Jun 2021 22:26:49 -0700", "9 jun 2021 22:26:49 +0530", "Mon, 2 Feb 2026 10:00:00 -0000",
         "Mon, 31 Feb 2026 10:00:00 +0000", "Mon, 2 Foo 2026 10:00:00 +0000", "2 Feb 2026 10:00 +0000",
         "Mon, 2 Feb 2026 10:00:00 GMT", "garbage", "", "Mon, 2 Feb 2026 10:00:00 +0100  "]
TAILS = ["", " (PDT)", "(UTC)", "  (CEST)  ", " (a) (b)", " (x(y)", " )", " (", " (\n)", " ()", "(a)b",
         " (-03)", " (envelope-from <a@b.example>)"]


def _reference(text: str):  # noqa: ANN202 - datetime or the exception type
    try:
        return parsedate_to_datetime(_TRAILING.sub("", text) if ")" in text else text)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        return type(exc)


def _ours(text: str):  # noqa: ANN202
    try:
        return _parse_date(text)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        return type(exc)


def _same(got, want) -> bool:  # noqa: ANN001
    if isinstance(want, type) or isinstance(got, type):
        return got is want
    if (got.tzinfo is None) != (want.tzinfo is None):
        return False
    if want.tzinfo is None:
        return got.replace(tzinfo=UTC) == want.replace(tzinfo=UTC)
    return got == want and got.utcoffset() == want.utcoffset()


def test_comment_shapes_match_email_utils() -> None:
    rng = random.Random(3)
    texts = [b + t for b in BASES for t in TAILS]
    texts += [rng.choice(BASES) + "".join(rng.choice(["(", ")", " ", "x", "\t"]) for _ in range(rng.randint(0, 6)))
              for _ in range(3000)]
    for text in texts:
        assert _same(_ours(text), _reference(text)), repr(text)


def test_hop_date_ignores_trailing_comment() -> None:
    hop = parse_hop("by mx.example.org with SMTP id 1; Wed, 28 Oct 2020 14:09:50 -0700 (PDT)")
    assert hop.date is not None and hop.date.utcoffset().total_seconds() == -7 * 3600

"""Comments in Authentication-Results: the token-by-token stripper agrees with a plain character loop
(the reference below) on every string, quotes, escapes and unbalanced parentheses included."""

from __future__ import annotations

import random

from mailwarden.auth.authres import _strip_comments, _strip_comments_quoted


def _reference(s: str) -> tuple[str, list[str]]:
    out: list[str] = []
    comments: list[str] = []
    cur: list[str] = []
    depth = 0
    in_q = esc = False
    for ch in s:
        if esc:
            (cur if depth else out).append(ch)
            esc = False
            continue
        if ch == "\\" and (in_q or depth):
            esc = True
            if in_q and not depth:
                out.append(ch)
            continue
        if in_q:
            out.append(ch)
            if ch == '"':
                in_q = False
            continue
        if ch == '"' and not depth:
            in_q = True
            out.append(ch)
        elif ch == "(":
            if depth:
                cur.append(ch)
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth:
                cur.append(ch)
            else:
                comments.append("".join(cur).strip())
                cur = []
                out.append(" ")
        elif depth:
            cur.append(ch)
        else:
            out.append(ch)
    return "".join(out), comments




def test_matches_character_loop_on_random_strings() -> None:
    rng = random.Random(11)
    alphabet = 'ab (()")\\\\;= x'
    for _ in range(20000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert _strip_comments_quoted(s) == _reference(s), s


def test_quoted_parentheses_are_not_comments() -> None:
    text, comments = _strip_comments('dkim=pass header.b="a(b)c" (good \\) sig)')
    assert text.split() == ['dkim=pass', 'header.b="a(b)c"']
    assert comments == ["good ) sig"]

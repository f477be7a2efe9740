"""The address tokenizer's fast paths answer exactly what the character-by-character originals did.

`_split_top_level` copies runs of ordinary characters whole and `_strip_comments` returns text
without "(" untouched; both must agree with the plain loops on every input, hostile ones included
(escapes at the end, unbalanced quotes/brackets, groups, NULs, non-ASCII).
"""

from __future__ import annotations

import random

from mailwarden.addresses import _split_top_level, _strip_comments


def _split_reference(value: str, max_items: int) -> tuple[list[str], list[str]]:
    items: list[str] = []
    odd: list[str] = []
    buf: list[str] = []
    depth_angle = depth_paren = 0
    in_quote = escaped = False
    for ch in value:
        if escaped:
            buf.append(ch)
            escaped = False
            continue
        if ch == "\\" and (in_quote or depth_paren):
            escaped = True
            buf.append(ch)
            continue
        if in_quote:
            if ch == '"':
                in_quote = False
            buf.append(ch)
            continue
        if ch == '"' and not depth_paren:
            in_quote = True
        elif ch == "(":
            depth_paren += 1
        elif ch == ")" and depth_paren:
            depth_paren -= 1
        elif ch == "<" and not depth_paren:
            depth_angle += 1
        elif ch == ">" and depth_angle and not depth_paren:
            depth_angle -= 1
        elif ch in ",;" and not depth_angle and not depth_paren:
            if ch == ";":
                odd.append("group")
            items.append("".join(buf))
            buf = []
            if len(items) >= max_items:
                odd.append("truncated")
                return items, odd
            continue
        elif ch == ":" and not depth_angle and not depth_paren and "@" not in "".join(buf):
            odd.append("group")
            buf = []
            continue
        buf.append(ch)
    if in_quote or depth_angle or depth_paren:
        odd.append("unbalanced")
    items.append("".join(buf))
    return items, odd


def _strip_reference(text: str, odd: list[str]) -> str:
    out, depth, in_quote = [], 0, False
    for ch in text:
        if ch == '"' and not depth:
            in_quote = not in_quote
        if not in_quote and ch == "(":
            depth += 1
            if "comment" not in odd:
                odd.append("comment")
            continue
        if not in_quote and ch == ")" and depth:
            depth -= 1
            continue
        if not depth:
            out.append(ch)
    return "".join(out)


_ALPHABET = 'ab@. \t\\"(),;:<>x\x00é'
_EXAMPLES = [
    "", "a@b.example", "Alice <alice@example.org>", '"Smith, John" <j@example.org>',
    'a@b, c@d; e@f', "undisclosed-recipients:;", "Team: a@b, c@d;", '"a\\"b" <x@y>',
    "(comment) a@b (more (nested) text)", "\\", '"\\', "(\\", "<<a@b>", "a@b>>", '"unclosed <a@b>',
    "=?utf-8?q?x?= <a@b>", "x\\", "@route:a@b", "a@b\\", "Name: with colon <a@b>",
]


def test_split_top_level_matches_reference() -> None:
    rng = random.Random(4)
    cases = list(_EXAMPLES)
    for _ in range(20000):
        cases.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 24))))
    for value in cases:
        for max_items in (1, 2, 100):
            assert _split_top_level(value, max_items) == _split_reference(value, max_items), (value, max_items)


def test_strip_comments_matches_reference() -> None:
    rng = random.Random(5)
    cases = list(_EXAMPLES)
    for _ in range(20000):
        cases.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 24))))
    for text in cases:
        for start in ([], ["comment"], ["x"]):
            odd_new, odd_ref = list(start), list(start)
            assert _strip_comments(text, odd_new) == _strip_reference(text, odd_ref), text
            assert odd_new == odd_ref, text

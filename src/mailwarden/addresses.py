"""RFC 5322 address lists, parsed defensively.

Our own small tokenizer instead of `email.utils.getaddresses`: it is bounded in
work, and it reports the constructs that receivers disagree about (route
portions, quoted-pairs, encoded-words in the address, comments, several
mailboxes) instead of silently picking one reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ROUTE = re.compile(r"^@[^:]*:")
_DOMAIN_STOP = re.compile(r"[\s\"'()<>,;\\]")  # characters that cannot be in a domain


@dataclass
class Mailbox:
    display_name: str
    address: str  # local@domain as written (route stripped, quotes kept in local part)
    local: str
    domain: str  # lower-case, brackets kept for literals
    oddities: list[str] = field(default_factory=list)


@dataclass
class AddressList:
    mailboxes: list[Mailbox]
    oddities: list[str]  # list-level: "multiple", "group", "unbalanced", "truncated", ...


# The characters the tokenizer below acts on; every other character is copied as it is in any
# state, so runs of them are copied whole (one slice per run instead of one step per character).
_SPECIAL = re.compile(r'[\\"(),;:<>]')


def _split_top_level(value: str, max_items: int) -> tuple[list[str], list[str]]:
    items: list[str] = []
    odd: list[str] = []
    buf: list[str] = []  # pieces of the current item: runs of ordinary characters and single specials
    depth_angle = depth_paren = 0
    in_quote = escaped = False
    pos, n = 0, len(value)
    search = _SPECIAL.search
    while pos < n:
        if escaped:  # the character after a backslash is taken as it is, whatever it is
            buf.append(value[pos])
            escaped = False
            pos += 1
            continue
        m = search(value, pos)
        if m is None:
            buf.append(value[pos:])
            break
        i = m.start()
        if i > pos:
            buf.append(value[pos:i])
        pos = i + 1
        ch = value[i]
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
            odd.append("group")  # group syntax `name: a@b, c@d;`
            buf = []
            continue
        buf.append(ch)
    if in_quote or depth_angle or depth_paren:
        odd.append("unbalanced")
    items.append("".join(buf))
    return items, odd


def _strip_comments(text: str, odd: list[str]) -> str:
    if "(" not in text:  # no comment can open: every character is kept and nothing is noted
        return text
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


_QUOTED_PAIR = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
        if "\\" in text:  # without a backslash there is no quoted-pair to undo
            text = _QUOTED_PAIR.sub(r"\1", text)
    return text


def parse_mailbox(item: str) -> Mailbox | None:
    odd: list[str] = []
    if "\\" in item:
        odd.append("quoted_pair")
    if "=?" in item and "<" in item and "=?" in item[item.find("<"):]:
        odd.append("encoded_word_in_address")
    if "\x00" in item:
        odd.append("nul")
    lt = item.rfind("<")
    if lt >= 0 and ">" in item[lt:]:
        display = _unquote(_strip_comments(item[:lt], odd)).strip()
        addr = item[lt + 1: item.find(">", lt)].strip()
        if item.count("<") > 1:
            odd.append("multiple_angle")
    else:
        display = ""
        addr = _strip_comments(item, odd).strip()
    if "\\" in addr:
        odd.append("quoted_pair_in_address")
    if _ROUTE.match(addr):
        odd.append("route")
        addr = _ROUTE.sub("", addr)
    if not addr:
        return None
    at = addr.rfind("@")
    if at < 0:
        return Mailbox(display, addr, addr, "", odd + ["no_domain"])
    local, domain = addr[:at], addr[at + 1:].strip().rstrip(".").lower()
    if '"' in local and "@" in local:
        odd.append("quoted_at_in_local")
    if _DOMAIN_STOP.search(domain):
        odd.append("domain_injection")
        domain = _DOMAIN_STOP.split(domain, maxsplit=1)[0]
    return Mailbox(display, addr, local, domain, odd)


def parse_address_list(value: str, max_items: int = 100, max_chars: int = 16384) -> AddressList:
    odd: list[str] = []
    if len(value) > max_chars:
        value = value[:max_chars]
        odd.append("truncated")
    items, split_odd = _split_top_level(value, max_items)
    odd.extend(split_odd)
    boxes = [mb for mb in (parse_mailbox(i) for i in items if i.strip()) if mb is not None]
    if len(boxes) > 1:
        odd.append("multiple")
    return AddressList(boxes, odd)

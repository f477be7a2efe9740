"""RFC 8601 Authentication-Results: writing our own safely, reading other people's defensively.

Writing: every property value is either a plain token or a quoted-string with `\\` and `"`
escaped; control characters (CR, LF, NUL, ...) never reach the output, so a hostile domain
or selector cannot inject a header line.

Reading: a small bounded tokenizer (comments stripped, quoted-strings honoured) that also
accepts the shapes seen in real mail: Exchange Online's header with no authserv-id,
`ARC-Authentication-Results` with a leading `i=N;`, an authserv-id followed by a version
(`mx.microsoft.com 1`), and non-standard words such as `bestguesspass`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

RESULT_WORDS = {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy",
                "hardfail"}
# Words some writers use that RFC 8601 does not; mapped to the nearest registered result.
_RESULT_ALIASES = {"bestguesspass": "none", "hardfail": "fail", "unknown": "permerror", "error": "temperror",
                   "success": "pass"}
# RFC 2045 token (no tspecials), and RFC 8601's pvalue form [[local-part] "@"] domain-name
_TOKEN_SAFE = re.compile(r"[A-Za-z0-9!#$%&'*+\-^_`{|}~.]+")
_ADDR_SAFE = re.compile(r"(?:[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*)?@"
                        r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_VALUE = 8192
_MAX_RESULTS = 64


@dataclass
class ARResult:
    method: str  # lower-case: spf, dkim, dmarc, arc, auth, iprev, compauth, ...
    result: str  # lower-case, aliases mapped to RFC 8601 words
    raw_result: str = ""
    reason: str | None = None
    props: dict[str, str] = field(default_factory=dict)  # "smtp.mailfrom" -> value, keys lower-case
    comment: str = ""  # comments joined (e.g. Gmail's "(p=NONE sp=NONE dis=NONE)")

    def prop(self, *names: str) -> str | None:
        for n in names:
            if n in self.props:
                return self.props[n]
        return None


@dataclass
class ARHeader:
    authserv_id: str | None  # None: the writer put none (Exchange Online)
    results: list[ARResult]
    instance: int | None = None  # ARC-Authentication-Results i=
    raw: str = ""


# ---------------------------------------------------------------- writing
def clean_text(text: str) -> str:
    """Drop control characters (CR, LF, NUL, TAB...) from untrusted text."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


@lru_cache(maxsize=256)
def _name(text: str, allowed: str) -> str:
    return re.sub(allowed, "", text.lower())


def _label(label: str) -> str:
    if label.isascii():
        return label
    try:
        return "xn--" + label.encode("punycode").decode("ascii")
    except (UnicodeError, ValueError):
        return "?" * len(label)


def ascii_value(value: str) -> str:
    """ASCII for the header (RFC 8601 parsers reject anything else): domain labels become
    A-labels (xn--…), other non-ASCII characters become '?'."""
    if value.isascii():
        return value
    if " " in value:
        return "".join(c if c.isascii() else "?" for c in value)
    local, at, domain = value.rpartition("@")
    local = "".join(c if c.isascii() else "?" for c in local)
    return local + at + ".".join(_label(x) for x in domain.split("."))


@lru_cache(maxsize=16384)  # a pure function of short strings (domains, selectors) that recur
def quote_value(value: str, address_ok: bool = False) -> str:
    """A value as a token when it is one (or, for properties, an address/domain form), else as an
    escaped quoted-string; always ASCII."""
    value = ascii_value(clean_text(value))[:512]
    if value and (_TOKEN_SAFE.fullmatch(value) or (address_ok and _ADDR_SAFE.fullmatch(value))):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=64)  # one or two distinct ids per process, formatted for every message
def format_authserv_id(authserv_id: str) -> str:
    v = clean_text(authserv_id).strip()
    v = re.sub(r"[^A-Za-z0-9.\-_]", "", v)
    v = re.sub(r"\.{2,}", ".", v).strip(".-_")
    return v or "mailwarden"


@dataclass
class OutResult:
    method: str
    result: str
    props: list[tuple[str, str]] = field(default_factory=list)  # ("smtp.mailfrom", "example.com")
    reason: str | None = None


def format_authentication_results(authserv_id: str, results: list[OutResult]) -> str:
    """The header value (without the `Authentication-Results:` name); `none` when nothing was checked."""
    parts = [format_authserv_id(authserv_id)]
    if not results:
        return parts[0] + "; none"
    for r in results:
        try:
            parts.append(_format_result(r.method, r.result, r.reason, tuple(r.props)))
        except TypeError:  # an unhashable property value: format it without the cache
            parts.append(_format_result.__wrapped__(r.method, r.result, r.reason, tuple(r.props)))
    return ";\r\n\t".join(parts)


# One result item is a pure function of its strings, and most recur from message to message
# ("dkim=none", "arc=none", "spf=temperror smtp.helo=localhost", a sender's domain): formatted once.
@lru_cache(maxsize=8192)
def _format_result(method: str, result: str, reason: str | None, props: tuple[tuple[str, str], ...]) -> str:
    method = _name(method, r"[^a-z0-9\-]") or "x-unknown"
    result = result.lower() if result.lower() in RESULT_WORDS else "permerror"
    item = f"{method}={result}"
    if reason and clean_text(reason):
        item += f" reason={quote_value(reason)}"
    for name, value in props:
        if value is None or not clean_text(value):
            continue
        pname = _name(name, r"[^a-z0-9.\-]")
        item += f" {pname}={quote_value(value, address_ok=True)}"
    return item


# ---------------------------------------------------------------- reading
_INNER_COMMENT = re.compile(r"\(([^()\\]*)\)")


def _strip_comments(s: str) -> tuple[str, list[str]]:
    """Remove (nested) comments outside quoted-strings; return text and the comments."""
    if "(" not in s:
        return s, []
    if '"' not in s and "\\" not in s:  # fast path: innermost-first removal, bounded nesting
        comments: list[str] = []
        for _ in range(8):
            found = _INNER_COMMENT.findall(s)
            if not found:
                break
            comments.extend(c.strip() for c in found)
            s = _INNER_COMMENT.sub(" ", s)
        if "(" not in s and ")" not in s:
            return s, comments
        s = s.replace("(", " ").replace(")", " ")  # unbalanced: drop the stray parentheses
        return s, comments
    return _strip_comments_quoted(s)


# The general case, token by token: text, a quoted-string (kept whole, escapes included; an
# unterminated one runs to the end), or a comment (nested, `\x` escapes taken literally; an
# unterminated one is dropped).
_TOP_TEXT = re.compile(r'[^"(]+')
_QUOTED = re.compile(r'"(?:[^"\\]|\\[\s\S])*(?:"|\\?\Z)')
_COMMENT_TOKEN = re.compile(r"[^()\\]+|\\[\s\S]?|[()]")


def _strip_comments_quoted(s: str) -> tuple[str, list[str]]:
    out: list[str] = []
    comments: list[str] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == '"':
            m = _QUOTED.match(s, i)
            out.append(m.group())  # type: ignore[union-attr] - always matches at a quote
            i = m.end()  # type: ignore[union-attr]
        elif ch == "(":
            depth, cur = 1, []
            i += 1
            while i < n:
                tok = _COMMENT_TOKEN.match(s, i).group()  # type: ignore[union-attr] - matches any char
                i += len(tok)
                if tok == "(":
                    cur.append(tok)
                    depth += 1
                elif tok == ")":
                    depth -= 1
                    if not depth:
                        comments.append("".join(cur).strip())
                        out.append(" ")
                        break
                    cur.append(tok)
                elif tok[0] == "\\":
                    cur.append(tok[1:])
                else:
                    cur.append(tok)
        else:
            m = _TOP_TEXT.match(s, i)
            out.append(m.group())  # type: ignore[union-attr] - ch is neither '"' nor '('
            i = m.end()  # type: ignore[union-attr]
    return "".join(out), comments


def _split_semicolons(s: str) -> list[str]:
    if '"' not in s:
        return s.split(";")
    parts, cur, in_q, esc = [], [], False, False
    for ch in s:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\" and in_q:
            cur.append(ch)
            esc = True
        elif ch == '"':
            in_q = not in_q
            cur.append(ch)
        elif ch == ";" and not in_q:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


_PAIR = re.compile(r'\s*([A-Za-z0-9_.\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]*)')


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return re.sub(r"\\(.)", r"\1", v[1:-1])
    return v


def _segment_comments(seg: str) -> tuple[str, str]:
    text, comments = _strip_comments(seg)
    return text, " ".join(c for c in comments if c)


def read_head(value: str, arc: bool = False) -> tuple[str | None, int | None, list[str]]:
    """What precedes the results: (authserv-id, ARC instance, the result segments still to read).
    Enough to tell who wrote a header without parsing every result in it."""
    value = value[:_MAX_VALUE].replace("\r", " ").replace("\n", " ")
    segments = _split_semicolons(value)
    instance = None
    if arc or (segments and re.fullmatch(r"\s*i\s*=\s*\d+\s*", _strip_comments(segments[0])[0] or "")):
        m = re.fullmatch(r"\s*i\s*=\s*(\d+)\s*", _strip_comments(segments[0])[0])
        if m:
            instance = int(m.group(1))
            segments = segments[1:]
    authserv_id: str | None = None
    if segments:
        first, _ = _segment_comments(segments[0])
        words = first.split()
        if words and "=" not in words[0]:
            authserv_id = words[0].lower().strip('"')
            segments = segments[1:]
        elif not words:
            segments = segments[1:]
    return authserv_id, instance, segments


def parse_authentication_results(value: str, arc: bool = False,
                                 head: tuple[str | None, int | None, list[str]] | None = None) -> ARHeader:
    """Parse one header value. Never raises; unparseable pieces are skipped. `head` is
    `read_head(value, arc)` when the caller already has it."""
    raw = value
    authserv_id, instance, segments = read_head(value, arc) if head is None else head
    results: list[ARResult] = []
    for seg in segments[: _MAX_RESULTS * 2]:
        text, comment = _segment_comments(seg)
        if not text.strip():
            continue
        pairs = _PAIR.findall(text)
        if not pairs:
            continue
        method, word = pairs[0][0].lower(), _unquote(pairs[0][1]).lower()
        if method == "none":  # "none" result for the whole header
            continue
        # the method may carry a version: "dkim/1=pass"
        method = method.split("/")[0]
        res = ARResult(method=method, result=_RESULT_ALIASES.get(word, word), raw_result=word, comment=comment)
        for k, v in pairs[1:]:
            k = k.lower()
            v = _unquote(v)
            if k == "reason":
                res.reason = v
            elif "." in k:
                res.props.setdefault(k, v)
            else:  # non-standard bare keys (Exchange's "action=none", "reason=100")
                res.props.setdefault(k, v)
        results.append(res)
        if len(results) >= _MAX_RESULTS:
            break
    return ARHeader(authserv_id=authserv_id, results=results, instance=instance, raw=raw)


def domain_of(value: str | None) -> str | None:
    """The domain of `user@domain`, `@domain` or `domain` (lower-case), or None."""
    if not value:
        return None
    v = value.strip().strip("<>").rstrip(".")
    if "@" in v:
        v = v.rsplit("@", 1)[1]
    v = v.strip().lower()
    return v or None

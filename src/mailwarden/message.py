"""The parsed message: the one place that turns hostile bytes into a model.

Why not the stdlib `email` parser on its own: on Python 3.11 a thousand nested
multiparts raise RecursionError, an encoded-word bomb in a subject costs over a
gigabyte, 100,000 parts take tens of seconds, and `From :` or a folded `From`
silently disappear. This parser walks the raw buffer by offsets (no copies per
nesting level), iteratively (no recursion), with every budget of `Limits`
checked as it goes, and it keeps header oddities visible to analyzers instead
of normalising them away. Bodies are decoded lazily and only once.
"""

from __future__ import annotations

import binascii
import codecs
import importlib
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from urllib.parse import unquote_to_bytes

from mailwarden.lazy import cached
from mailwarden.limits import LimitHit, Limits

# Codecs that are not safe or sensible for mail text (quadratic, or code-ish).
_REFUSED_CHARSETS = {"punycode", "idna", "raw_unicode_escape", "unicode_escape", "undefined"}
_CHARSET_ALIASES = {"ks_c_5601-1987": "cp949", "x-sjis": "shift_jis", "unicode-1-1-utf-7": "utf-7",
                    "iso-8859-8-i": "iso-8859-8", "windows-874": "cp874", "x-unknown": "latin-1",
                    "unknown-8bit": "latin-1", "x-user-defined": "latin-1", "default": "latin-1",
                    "us": "ascii", "ansi_x3.4-1968": "ascii"}

_ENCODED_WORD = re.compile(rb"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]{0,2000})\?=")
_WS_BETWEEN_WORDS = re.compile(rb"\?=[ \t\r\n]+=\?")
_MBOX_FROM_LINE = re.compile(rb"From [^\s:]")
_BLANK_LINE = re.compile(rb"\n\r*\n")  # a line of nothing but CRs ends the header section
_FOLDED_NAME = re.compile(rb"[!-9;-~]+[ \t]*")
# In a header section that ends with a newline, holds no blank line and does not start with a
# continuation line, each match is one field: the name (up to the first colon of its first line), the
# colon (empty when the line has none), the rest of the first line (CRs before its newline included),
# and the continuation lines. Matches follow one another (each takes whole lines, and the greedy
# continuation group leaves the next match at a line that is no continuation), so findall covers the
# section, line by line, exactly as the field-per-first-line split did. The repeats are possessive:
# every line ends with a newline, so no match ever needs to give anything back, and possessive
# repeats skip the engine's bookkeeping for backtracking (the same matches, about 15% sooner).
_FIELD = re.compile(rb"^([^:\n]*+)(:?)([^\n]*+)\n((?:[ \t][^\n]*+\n)*+)", re.M)


@dataclass
class Defect:
    """Something malformed the parser saw; analyzers turn these into findings."""

    symbol: str
    detail: str
    evidence: list[str] = field(default_factory=list)


class _Budget:
    """Counters shared by every entity of one message."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.parts = 0
        self.decoded_bytes = 0
        self.encoded_words = 0
        self.hits: list[LimitHit] = []
        self.defects: list[Defect] = []
        self._hit_names: set[str] = set()

    def hit(self, budget: str, detail: str, evidence: list[str] | None = None) -> None:
        if budget in self._hit_names:  # one finding per budget is enough
            return
        self._hit_names.add(budget)
        self.hits.append(LimitHit(budget, detail, evidence or []))

    def defect(self, symbol: str, detail: str, evidence: list[str] | None = None) -> None:
        if len(self.defects) < 200:
            self.defects.append(Defect(symbol, detail, evidence or []))


def _clip(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[:n] + "…"


@lru_cache(maxsize=1024)  # a pure function of the label; a few dozen labels occur, asked per text part
def lookup_charset(name: str | None) -> str | None:
    """A safe Python codec name for a MIME charset label, or None."""
    if not name:
        return None
    label = name.strip().strip('"').lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if info.name.replace("-", "_") in _REFUSED_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Decode text bytes; returns (text, charset_was_usable)."""
    codec = lookup_charset(charset)
    if codec:
        try:
            return data.decode(codec, "replace"), True
        except Exception:  # noqa: BLE001 - third-party codecs may raise anything
            pass
    try:
        return data.decode("utf-8"), charset is None
    except UnicodeDecodeError:
        return data.decode("latin-1"), charset is None


# Modules this one uses from a few methods, imported on first use and then kept: `received` imports
# this module (a cycle at import time) and `htmltext` loads an HTML parser that header-only uses never
# need. (A `from ... import` in a method costs about a microsecond per call, paid on every message.)
_MODULES: dict[str, ModuleType] = {}


def _module(name: str) -> ModuleType:
    mod = _MODULES.get(name)
    if mod is None:
        mod = _MODULES[name] = importlib.import_module(name)
    return mod


# A field name's bytes -> (name, key, space before the colon): a pure function of the bytes, and
# a few hundred names ("Received", "DKIM-Signature", ...) make up nearly every field, so the
# decode/strip/lower is done once per distinct name. Bounded: hostile mail cannot grow it without end.
_FIELD_NAMES: dict[bytes, tuple[str, str, bool]] = {}
_FIELD_NAMES_MAX = 4096


class Header:
    """One header field as an MTA sees it, oddities included.

    Attributes: `name` (as written, whitespace before the colon removed), `key` (name lower-cased),
    `value` (unfolded, undecoded: encoded-words kept; bytes read as UTF-8 with replacement), `raw`
    (the field exactly as received, folding included), `space_before_colon`, `folded_name` (the name
    and its colon were on different lines), `has_nul`, `has_8bit`, and `decoded`.

    A message has dozens of fields and analyzers read a handful, so the parser builds each field
    with its name only; `value`, `raw`, `has_nul`, `has_8bit` and `decoded` are computed on first
    read from the field's lines and kept (the `cached` descriptor stores them on the instance).
    """

    # (name bytes, b":", rest of the first line, continuation lines) for a field the parser built: the
    # rest may end in CRs (stripped on use), the continuation lines are a list of lines or the bytes
    # as found in the section. None for a field built with __init__, whose attributes are all given.
    _lines: tuple | None = None

    def __init__(self, name: str, value: str, raw: bytes, space_before_colon: bool = False,
                 folded_name: bool = False, has_nul: bool = False, has_8bit: bool = False,
                 _budget: _Budget | None = None) -> None:
        self.name = name
        self.key = name.lower()  # analyzers look headers up by key many times per message
        self.value = value
        self.raw = raw
        self.space_before_colon = space_before_colon
        self.folded_name = folded_name
        self.has_nul = has_nul
        self.has_8bit = has_8bit
        self._budget = _budget

    @classmethod
    def _from_lines(cls, first: bytes, cont: list[bytes], budget: _Budget | None, nul_free: bool,
                    ascii_only: bool) -> Header:
        """A field from its first physical line and continuation lines (line ends stripped).
        `nul_free` / `ascii_only`: the whole header section is known to be so (one scan for all)."""
        # Plain attribute stores (never h.__dict__): the instance keeps them inline, no dict built.
        # An instance attribute shadows the `cached` descriptor of the same name (it has no __set__).
        h = cls.__new__(cls)
        colon = first.find(b":")
        if colon < 0:  # `From` then ` : value` on the next line: decode everything now (rare)
            raw_field = b"\r\n".join([first, *cont])
            name_b, _, val_b = (first + b"".join(cont)).partition(b":")
            h.value = val_b.decode("utf-8", "replace").strip(" \t")
            h.raw = raw_field
            h.folded_name = True
        else:
            name_b = first[:colon]
            h.folded_name = False
            h._lines = (name_b, b":", first[colon + 1:], cont)
        name_s = name_b.decode("latin-1")
        name = name_s.strip()
        h.name = name
        h.key = name.lower()
        h.space_before_colon = name_s != name
        if nul_free:
            h.has_nul = False
        if ascii_only:
            h.has_8bit = False
        h._budget = budget
        return h

    def _continuations(self) -> list[bytes]:
        cont = self._lines[3]
        if isinstance(cont, bytes):  # as found in the section: one line per newline, CRs stripped
            return [c.rstrip(b"\r") for c in cont.split(b"\n")[:-1]] if cont else []
        return cont

    @cached
    def value(self) -> str:
        _, _, rest, cont = self._lines
        if rest[-1:] == b"\r":  # the first line's CRs before its newline are no part of the value
            rest = rest.rstrip(b"\r")
        if not cont:
            val_b = rest
        elif isinstance(cont, bytes) and b"\r\r" not in cont:
            # The lines as found, each ending in a newline: with no CR run longer than one, stripping
            # each line's CRs and joining is removing every CRLF, then every LF (one C call each).
            val_b = rest + (cont.replace(b"\r\n", b"").replace(b"\n", b"") if b"\r" in cont
                            else cont.replace(b"\n", b""))
        else:
            val_b = b"".join([rest, *self._continuations()])
        return val_b.decode("utf-8", "replace").strip(" \t")

    @cached
    def raw(self) -> bytes:
        name_b, colon, rest, _ = self._lines
        first = name_b + colon + rest.rstrip(b"\r")
        cont = self._continuations()
        return b"\r\n".join([first, *cont]) if cont else first

    @cached
    def has_nul(self) -> bool:
        return b"\x00" in self.raw

    @cached
    def has_8bit(self) -> bool:
        return not self.raw.isascii()

    @cached
    def decoded(self) -> str:
        """The value with RFC 2047 encoded-words decoded, within the message budget."""
        value = self.value
        if "=?" not in value and self._lines is not None:
            # Parsed values hold no surrogates, so encoding and decoding again would return them as is.
            return value
        if self._budget is None:
            return decode_encoded_words(value.encode("utf-8", "surrogateescape"), None)
        return decode_encoded_words(value.encode("utf-8", "surrogateescape"), self._budget)

    def _fields(self) -> tuple:
        return (self.name, self.value, self.raw, self.space_before_colon, self.folded_name, self.has_nul,
                self.has_8bit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Header):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment] - mutable, compared by value (as the dataclass was)

    def __repr__(self) -> str:
        return (f"Header(name={self.name!r}, value={self.value!r}, raw={self.raw!r}, "
                f"space_before_colon={self.space_before_colon!r}, folded_name={self.folded_name!r}, "
                f"has_nul={self.has_nul!r}, has_8bit={self.has_8bit!r})")


def _fields_of_section(found: list[tuple[bytes, bytes, bytes, bytes]], budget: _Budget,
                       cls: type[_PlainHeader]) -> tuple[list[Header], dict[str, list[Header]]] | None:
    """The fields of a well-formed header section, from `_FIELD.findall`: for each field its name,
    colon, rest of the first line and continuation lines as they stand in the message (newlines
    kept, split on demand); that tuple is the field's `_lines` as it is. None as soon as a first
    line has no colon: the caller then parses the section line by line. `cls`: the header class that states what one scan of the whole section
    found (no NUL, no 8-bit byte). One loop for all fields rather than a call per field: a message
    has dozens of them. With the fields comes their index by key, as `Entity._by_key` would build it
    (same lists, same key order), made in the same loop instead of a second pass."""
    new = cls.__new__
    names = _FIELD_NAMES
    headers = []
    append = headers.append
    index: dict[str, list[Header]] = {}  # what Entity._by_key would build from `headers`, same order
    for t in found:
        if not t[1]:  # a first line without a colon
            return None
        name_b = t[0]
        known = names.get(name_b)
        if known is None:
            name_s = name_b.decode("latin-1")
            name = name_s.strip()
            known = (name, name.lower(), name_s != name)
            if len(names) < _FIELD_NAMES_MAX:
                names[name_b] = known
        h = new(cls)  # attributes stored plainly, not via h.__dict__ (see Header._from_lines)
        h.name, key, spaced = known
        h.key = key
        if spaced:
            h.space_before_colon = True
        h._lines = t
        h._budget = budget
        append(h)
        same = index.get(key)
        if same is None:
            index[key] = [h]
        else:
            same.append(h)
    return headers, index


class _PlainHeader(Header):
    """A field the parser built from a well-formed section: its name had its colon on its line."""

    space_before_colon = False
    folded_name = False


class _NulFreeHeader(_PlainHeader):
    """... in a section with no NUL (known from one scan of the section)."""

    has_nul = False


class _CleanHeader(_NulFreeHeader):
    """... in a section with no NUL and no 8-bit byte (known from one scan of the section)."""

    has_8bit = False


def decode_encoded_words(value: bytes, budget: _Budget | None) -> str:
    """Decode RFC 2047 encoded-words in linear time, counting them against the budget."""
    if b"=?" not in value:
        return value.decode("utf-8", "replace")
    value = _WS_BETWEEN_WORDS.sub(b"?==?", value)  # whitespace between adjacent words is dropped
    out: list[str] = []
    pos = 0
    limit = budget.limits.max_encoded_words if budget else 10_000
    for m in _ENCODED_WORD.finditer(value):
        if budget is not None:
            budget.encoded_words += 1
            if budget.encoded_words > limit:
                budget.hit("encoded_words", f"more than {limit} RFC 2047 encoded-words; the rest left undecoded",
                           [_clip(value[:120].decode("latin-1"))])
                out.append(value[pos:].decode("utf-8", "replace"))
                return "".join(out)
        out.append(value[pos:m.start()].decode("utf-8", "replace"))
        charset, enc, payload = m.group(1).split(b"*")[0].decode("ascii", "replace"), m.group(2), m.group(3)
        try:
            if enc in b"bB":
                payload = payload + b"=" * (-len(payload) % 4)
                data = binascii.a2b_base64(payload)
            else:
                data = binascii.a2b_qp(payload.replace(b"_", b" "), header=True)
        except (binascii.Error, ValueError):
            out.append(m.group(0).decode("latin-1"))
            pos = m.end()
            continue
        out.append(decode_bytes(data, charset)[0])
        pos = m.end()
    out.append(value[pos:].decode("utf-8", "replace"))
    return "".join(out)


_QUOTED_STOP = re.compile(r'["\\]')  # what ends or escapes within a quoted parameter value


def _parse_params(value: str) -> tuple[str, dict[str, str]]:
    """Split `type/sub; a=b; c="d"` into the main value and parameters (lower-case keys)."""
    value = value[:8192]
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n and len(params) < 64:
        while i < n and rest[i] in " \t;\r\n":
            i += 1
        j = rest.find("=", i)
        if j < 0:
            break
        key = rest[i:j].strip().lower()
        i = j + 1
        while i < n and rest[i] in " \t":
            i += 1
        if i < n and rest[i] == '"':
            i += 1
            buf = []
            while True:  # up to the closing quote; a backslash takes the next character as it is
                m = _QUOTED_STOP.search(rest, i)  # runs of other characters are copied whole
                if m is None:
                    buf.append(rest[i:])
                    i = n
                    break
                q = m.start()
                buf.append(rest[i:q])
                if rest[q] == '"':
                    i = q
                    break
                if q + 1 < n:
                    buf.append(rest[q + 1])
                    i = q + 2
                else:  # a backslash at the very end stands for itself
                    buf.append("\\")
                    i = n
                    break
            val = "".join(buf)
            i += 1
        else:
            k = rest.find(";", i)
            k = n if k < 0 else k
            val = rest[i:k].strip()
            i = k
        if key and key not in params:
            params[key] = val
    # RFC 2231 continuations / charset'lang'value for filenames (every key they read has a "*")
    for base in ("filename", "name") if any("*" in k for k in params) else ():
        if base not in params:
            pieces = []
            for idx in range(64):
                v = params.get(f"{base}*{idx}*", params.get(f"{base}*{idx}"))
                if v is None:
                    break
                pieces.append(v)
            if pieces:
                params[base + "*"] = "".join(pieces)
        star = params.get(base + "*")
        if star is not None and base not in params:
            params[base] = _decode_rfc2231(star)
    return main.strip().lower(), params


def _decode_rfc2231(value: str) -> str:
    parts = value.split("'", 2)
    if len(parts) == 3:
        charset, _, data = parts
        return decode_bytes(unquote_to_bytes(data), charset or "utf-8")[0]
    return value


class Entity:
    """One MIME entity (the message itself, a part, or an attached message)."""

    def __init__(self, msg: Message, start: int, end: int, depth: int, parent: Entity | None) -> None:
        # The message's bytes and budget, not the message: an entity that pointed back at its
        # message (or strongly at its parent, which lists it as a child) would make every parsed
        # message a reference cycle, left for the garbage collector instead of freed at once.
        self._raw, self._budget = msg.raw, msg._budget
        self._parent = None if parent is None else weakref.ref(parent)
        self.start, self.end, self.depth = start, end, depth
        self.headers: list[Header] = []
        self.headers_nul_free = False  # True: one scan of the header section found no NUL byte
        self.body_start = end
        self.children: list[Entity] = []
        self.index = 0  # position in document order

    @property
    def parent(self) -> Entity | None:
        """The enclosing entity (entities live as long as their message, which holds them all)."""
        return None if self._parent is None else self._parent()

    # -- headers
    @cached
    def _by_key(self) -> dict[str, list[Header]]:
        """Header fields by lower-case name, in order: one pass, then every lookup is a dict probe."""
        index: dict[str, list[Header]] = {}
        for h in self.headers:
            lst = index.get(h.key)
            if lst is None:
                index[h.key] = [h]
            else:
                lst.append(h)
        return index

    def header_fields(self, name: str) -> list[Header]:
        found = self._by_key.get(name.lower())
        return list(found) if found else []  # a copy: callers may edit what they get

    def repeated_fields(self, keys: frozenset[str]) -> dict[str, int]:
        """{key: count} for the lower-case `keys` that name more than one field, in the order the
        keys first appear (read off the index, not by walking every field again)."""
        by_key = self._by_key
        # Most messages repeat none of the (few) keys asked about: probing each is cheaper than
        # walking every name the index holds, which is needed only to keep their order of appearance.
        for k in keys:
            hs = by_key.get(k)
            if hs is not None and len(hs) > 1:
                return {k: len(hs) for k, hs in by_key.items() if len(hs) > 1 and k in keys}
        return {}

    def header(self, name: str) -> str | None:
        found = self._by_key.get(name.lower())
        return found[0].decoded if found else None

    @cached
    def _content_type(self) -> tuple[str, dict[str, str]]:
        ct = self.header("content-type")
        if not ct:
            parent_ct = self.parent.content_type if self.parent is not None else ""
            return ("message/rfc822" if parent_ct == "multipart/digest" else "text/plain"), {}
        main, params = _parse_params(ct)
        if "/" not in main:
            self._budget.defect("MIME_BAD_CONTENT_TYPE", "Content-Type is not type/subtype", [_clip(ct)])
            main = "text/plain" if not main or "text" in main else "application/octet-stream"
        return main, params

    # content_type and is_multipart are read a dozen times per entity (parts lists, attachments,
    # text, analyzers); both follow from _content_type, which is computed once, so they are kept too.
    @cached
    def content_type(self) -> str:
        return self._content_type[0]

    @property
    def params(self) -> dict[str, str]:
        return self._content_type[1]

    @property
    def charset(self) -> str | None:
        return self.params.get("charset")

    @cached
    def is_multipart(self) -> bool:
        return self.content_type.startswith("multipart/")

    @cached
    def disposition(self) -> tuple[str, dict[str, str]]:
        cd = self.header("content-disposition")
        return _parse_params(cd) if cd else ("", {})

    @property
    def filename(self) -> str | None:
        name = self.disposition[1].get("filename") or self.params.get("name")
        return decode_encoded_words(name.encode("utf-8", "surrogateescape"), self._budget) if name else None

    @property
    def transfer_encoding(self) -> str:
        return (self.header("content-transfer-encoding") or "7bit").strip().lower()

    @property
    def is_attachment(self) -> bool:
        if self.is_multipart or self.content_type.startswith("message/") and self.children:
            return False
        if self.disposition[0] == "attachment" or self.filename:
            return True
        return not self.content_type.startswith(("text/plain", "text/html"))

    # -- body
    @property
    def raw_body(self) -> bytes:
        return self._raw[self.body_start:self.end]

    @cached
    def payload(self) -> bytes:
        """The decoded body bytes, within the message's decoded-bytes budget."""
        budget = self._budget
        room = budget.limits.max_decoded_bytes - budget.decoded_bytes
        raw = self.raw_body
        if room <= 0:
            budget.hit("decoded_bytes", f"decoded content beyond {budget.limits.max_decoded_bytes} bytes not analysed")
            return b""
        cte = self.transfer_encoding
        data = raw
        if cte == "base64":
            data = _decode_base64(raw, budget, room)
        elif cte == "quoted-printable":
            data = binascii.a2b_qp(raw[: room * 3])
        elif cte not in ("7bit", "8bit", "binary", ""):
            budget.defect("MIME_BAD_TRANSFER_ENCODING", f"unknown Content-Transfer-Encoding {cte!r}", [_clip(cte)])
        if len(data) > room:
            budget.hit("decoded_bytes", f"decoded content beyond {budget.limits.max_decoded_bytes} bytes not analysed")
            data = data[:room]
        budget.decoded_bytes += len(data)
        return data

    @cached
    def text(self) -> str:
        """The body as text (for text/* parts), charset errors replaced, not raised."""
        text, ok = decode_bytes(self.payload, self.charset)
        if not ok:
            self._budget.defect("MIME_BAD_CHARSET", f"unknown or unusable charset {self.charset!r}",
                                     [_clip(str(self.charset))])
        return text


def _decode_base64(raw: bytes, budget: _Budget, room: int) -> bytes:
    chunk = raw[: (room * 4) // 3 + 1024].translate(None, b"\r\n \t")
    try:
        return binascii.a2b_base64(chunk, strict_mode=True)
    except binascii.Error:
        pass
    budget.defect("MIME_BAD_BASE64", "base64 body is truncated or corrupt; decoded what was valid",
                  [_clip(chunk[-40:].decode("latin-1"))])
    try:
        return binascii.a2b_base64(chunk)
    except binascii.Error:
        cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", chunk)
        try:
            return binascii.a2b_base64(cleaned[: len(cleaned) - len(cleaned) % 4])
        except binascii.Error:
            return b""


class Message:
    """A parsed message. Construct with `Message.parse(raw, limits)`; never raises on content."""

    def __init__(self, raw: bytes, limits: Limits) -> None:
        self.limits = limits
        self._budget = _Budget(limits)
        self.mbox_from_line: str | None = None
        if len(raw) > limits.max_message_bytes:
            self._budget.hit("message_bytes", f"message is {len(raw)} bytes; only the first "
                             f"{limits.max_message_bytes} were analysed", [f"{len(raw)} bytes"])
            raw = raw[: limits.max_message_bytes]
        start = 0
        if _MBOX_FROM_LINE.match(raw):  # mbox envelope line, not a header (`From :` is a header)
            nl = raw.find(b"\n")
            nl = len(raw) if nl < 0 else nl + 1
            self.mbox_from_line = raw[:nl].decode("latin-1").rstrip("\r\n")
            start = nl
        self.raw = raw
        self.entities: list[Entity] = []
        self.root = Entity(self, start, len(raw), 0, None)
        self._parse_tree()

    @classmethod
    def parse(cls, raw: bytes, limits: Limits | None = None) -> Message:
        return cls(raw, limits or Limits())

    # -- structure
    def _parse_tree(self) -> None:
        budget = self._budget
        stack = [self.root]
        while stack:
            ent = stack.pop()
            budget.parts += 1
            ent.index = len(self.entities)
            self.entities.append(ent)
            self._parse_headers(ent)
            if ent.depth >= self.limits.max_mime_depth and (ent.is_multipart or ent.content_type == "message/rfc822"):
                budget.hit("mime_depth", f"MIME nesting deeper than {self.limits.max_mime_depth}; "
                           "inner parts not analysed", [f"depth {ent.depth}: {ent.content_type}"])
                continue
            if ent.is_multipart:
                children = self._split_multipart(ent)
            elif ent.content_type in ("message/rfc822", "message/global") and ent.transfer_encoding in (
                    "7bit", "8bit", "binary", ""):
                children = [Entity(self, ent.body_start, ent.end, ent.depth + 1, ent)]
            else:
                continue
            room = self.limits.max_parts - budget.parts - len(stack)
            if len(children) > room:
                budget.hit("parts", f"more than {self.limits.max_parts} MIME parts; the rest not analysed",
                           [f"{ent.content_type} with {len(children)} parts"])
                children = children[: max(room, 0)]
            ent.children = children
            stack.extend(reversed(children))

    def _parse_headers(self, ent: Entity) -> None:
        raw, pos, end = self.raw, ent.start, ent.end
        lim = self.limits
        # Fast path: find the blank line that ends the header section with one C-level search and
        # split the section into lines at once. It applies when the whole section lies within the
        # header_bytes budget (so that budget cannot be hit); it makes the same decisions, line by
        # line, as the general loop below, which handles everything else.
        j = pos
        while j < end and raw[j] == 13:  # a first line of only CRs is blank too
            j += 1
        if j < end and raw[j] == 10:  # the entity has no header section
            ent.headers = []
            ent.body_start = j + 1
            return
        m = _BLANK_LINE.search(raw, pos, min(end, pos + lim.max_header_bytes + 1))
        if m is None or m.start() + 1 - pos > lim.max_header_bytes:
            self._parse_headers_general(ent)
            return
        section_end = m.start() + 1  # where the blank line starts
        block = raw[pos:section_end]
        check_lines = len(block) > lim.max_line_bytes
        body_start = m.end()
        if not check_lines and block[:1] not in (b" ", b"\t"):
            # The common shape: every line is a field's first line (with a colon) or a continuation,
            # so no line can raise a defect and one regex splits the section into fields. A first
            # line without a colon (make() returns None) sends the section to the general loop.
            found = _FIELD.findall(block)
            nul_free = b"\x00" not in block
            cls = (_CleanHeader if block.isascii() else _NulFreeHeader) if nul_free else _PlainHeader
            made = _fields_of_section(found, self._budget, cls)
            if made is not None:
                headers, index = made
                ent.headers_nul_free = nul_free
                if len(headers) > lim.max_headers:
                    self._budget.hit("headers", f"more than {lim.max_headers} header fields; the rest ignored",
                                     [f"{len(headers)} fields"])
                    headers = headers[: lim.max_headers]
                else:  # the index covers exactly these fields (over the limit, _by_key indexes the kept ones)
                    ent._by_key = index
                ent.headers = headers
                ent.body_start = body_start
                return
        self._parse_headers_general(ent)  # defects, long lines: decided line by line

    def _finish_headers(self, ent: Entity, fields: list[tuple[bytes, list[bytes]]], body_start: int,
                        block: bytes | None) -> None:
        if len(fields) > self.limits.max_headers:
            self._budget.hit("headers", f"more than {self.limits.max_headers} header fields; the rest ignored",
                             [f"{len(fields)} fields"])
            fields = fields[: self.limits.max_headers]
        # One scan of the section answers "any NUL / any 8-bit byte?" for all of its fields.
        nul_free = block is not None and b"\x00" not in block
        ascii_only = block is not None and block.isascii()
        ent.headers_nul_free = nul_free
        budget = self._budget
        make = Header._from_lines
        ent.headers = [make(first, cont, budget, nul_free, ascii_only) for first, cont in fields]
        ent.body_start = body_start

    def _parse_headers_general(self, ent: Entity) -> None:
        raw, pos, end = self.raw, ent.start, ent.end
        limit = min(end, pos + self.limits.max_header_bytes)
        budget = self._budget
        fields: list[tuple[bytes, list[bytes]]] = []  # (first line, continuation lines)
        body_start = end
        skipped = False
        while pos < end:
            nl = raw.find(b"\n", pos, end)
            line_end = end if nl < 0 else nl + 1
            line = raw[pos:line_end].rstrip(b"\r\n")
            if not line:  # blank line: end of headers
                body_start = line_end
                break
            if pos >= limit:
                budget.hit("header_bytes", f"header section larger than {self.limits.max_header_bytes} bytes; "
                           "the rest of it was skipped", [f"entity {len(self.entities)}"])
                blank = re.compile(rb"\r?\n\r?\n").search(raw, pos, end)
                body_start = blank.end() if blank else end
                skipped = True
                break
            if len(line) > self.limits.max_line_bytes:
                budget.hit("line_bytes", f"a header line is longer than {self.limits.max_line_bytes} bytes",
                           [_clip(line[:80].decode("latin-1"))])
            if line[:1] in (b" ", b"\t"):
                if fields:
                    fields[-1][1].append(line)
                else:
                    budget.defect("HEADER_ORPHAN_CONTINUATION", "header section starts with a continuation line",
                                  [_clip(line.decode("latin-1"))])
                pos = line_end
                continue
            if b":" not in line:
                # `From` then ` : value` on the next line: the name was folded away from its colon.
                nxt = raw[line_end:line_end + 2][:1]
                if nxt in (b" ", b"\t") and _FOLDED_NAME.fullmatch(line):
                    fields.append((line, []))
                    pos = line_end
                    continue
                if ent is self.root and not fields and ent.depth == 0:
                    budget.defect("HEADER_MISSING", "message does not start with a header", [_clip(line.decode("latin-1"))])
                else:
                    budget.defect("HEADER_BODY_SEPARATOR_MISSING", "a non-header line ended the header section",
                                  [_clip(line.decode("latin-1"))])
                body_start = pos
                break
            fields.append((line, []))
            pos = line_end
        else:
            body_start = end
        # The section read whole is small enough to scan once for NUL / 8-bit bytes on its fields' behalf.
        self._finish_headers(ent, fields, body_start, None if skipped else raw[ent.start:body_start])

    def _split_multipart(self, ent: Entity) -> list[Entity]:
        boundary = ent.params.get("boundary", "")
        budget = self._budget
        if not boundary or len(boundary) > 200:
            budget.defect("MIME_BOUNDARY_MISSING", f"{ent.content_type} without a usable boundary parameter",
                          [_clip(ent.header("content-type") or "")])
            return []
        raw, end = self.raw, ent.end
        delim = b"--" + boundary.encode("utf-8", "surrogateescape")
        pos = ent.body_start
        starts: list[int] = []  # body offset after each delimiter line
        ends: list[int] = []  # offset where each delimiter line starts
        closed = False
        max_children = self.limits.max_parts + 1
        while True:
            i = raw.find(delim, pos, end)
            if i < 0:
                break
            if i != ent.body_start and raw[i - 1:i] != b"\n":
                pos = i + len(delim)
                continue
            after = i + len(delim)
            is_close = raw[after:after + 2] == b"--"
            nl = raw.find(b"\n", after, end)
            line_end = end if nl < 0 else nl + 1
            # the CRLF before a delimiter belongs to the delimiter
            cut = i - 1 if i > ent.body_start else i
            if cut > ent.body_start and raw[cut - 1:cut] == b"\r":
                cut -= 1
            ends.append(max(cut, ent.body_start))
            if is_close:
                closed = True
                break
            starts.append(line_end)
            pos = line_end
            if len(starts) > max_children:
                break
        if not starts:
            budget.defect("MIME_BOUNDARY_MISSING", f"{ent.content_type}: boundary {boundary!r} never appears",
                          [_clip(boundary)])
            return []
        if not closed:
            budget.defect("MIME_UNCLOSED_MULTIPART", f"{ent.content_type}: closing boundary missing",
                          [_clip(boundary)])
            ends.append(end)
        return [Entity(self, s, max(s, e), ent.depth + 1, ent) for s, e in zip(starts, ends[1:], strict=False)]

    # -- convenience views
    @property
    def headers(self) -> list[Header]:
        return self.root.headers

    @property
    def limit_hits(self) -> list[LimitHit]:
        return self._budget.hits

    @property
    def defects(self) -> list[Defect]:
        return self._budget.defects

    def header_fields(self, name: str) -> list[Header]:
        return self.root.header_fields(name)

    def header(self, name: str) -> str | None:
        return self.root.header(name)

    @cached
    def received_hops(self) -> list:
        """Every Received header parsed once (`received.Hop`, topmost first; at most 100), shared by
        the envelope, routing, trusted-upstream and identity code instead of each parsing it again."""
        # What received_hop(i) gives for each i, in one loop (no method call per field); hops the
        # envelope already parsed come from the same cache, so each field is parsed once.
        hops = self._hop_cache
        parse = _module("mailwarden.received").parse_hop
        out = []
        for i, field_ in enumerate(self._received_fields):
            hop = hops.get(i)
            if hop is None:
                hop = hops[i] = parse(field_.value, i)
            out.append(hop)
        return out

    def received_hop(self, index: int):  # noqa: ANN201 - received.Hop (that module imports this one)
        """One Received header parsed (0 = topmost), or None: the envelope needs only the top."""
        fields = self._received_fields
        if index >= len(fields):
            return None
        hops = self._hop_cache
        hop = hops.get(index)
        if hop is None:
            hop = hops[index] = _module("mailwarden.received").parse_hop(fields[index].value, index)
        return hop

    @cached
    def _received_fields(self) -> list[Header]:
        return self.header_fields("received")[:_module("mailwarden.received").MAX_RECEIVED]

    @cached
    def _hop_cache(self) -> dict:
        return {}

    @cached
    def subject(self) -> str:
        return (self.header("subject") or "").strip()

    @cached
    def message_id(self) -> str | None:
        mid = self.header("message-id")
        return mid.strip()[:998] if mid else None

    @property
    def leaves(self) -> list[Entity]:
        return [e for e in self.entities if not e.children and not e.is_multipart]

    @cached
    def text_parts(self) -> list[Entity]:
        return [e for e in self.leaves if e.content_type == "text/plain" and not e.is_attachment]

    @cached
    def html_parts(self) -> list[Entity]:
        return [e for e in self.leaves if e.content_type == "text/html" and e.disposition[0] != "attachment"]

    @cached
    def attachments(self) -> list[Entity]:
        return [e for e in self.leaves if e.is_attachment and e is not self.root]

    @cached
    def text(self) -> str:
        """All text/plain bodies, joined, clipped to the text budget."""
        return self._clip_text("\n".join(p.text for p in self.text_parts))

    @cached
    def html(self) -> str:
        return self._clip_text("\n".join(p.text for p in self.html_parts))

    @cached
    def visible_text(self) -> str:
        """What a reader sees: the plain text, or the HTML rendered to text when there is none."""
        if self.text.strip():
            return self.text
        return self._clip_text(_module("mailwarden.htmltext").html_to_text(self.html)) if self.html else ""

    def _clip_text(self, text: str) -> str:
        if len(text) > self.limits.max_text_chars:
            self._budget.hit("text_chars", f"text longer than {self.limits.max_text_chars} characters; clipped")
            return text[: self.limits.max_text_chars]
        return text

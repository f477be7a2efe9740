"""HTML parsed once: the text a reader sees, the URLs it holds, and the tricks it plays.

`html_document(html)` parses with selectolax/lexbor (fast, tolerant of broken markup) and keeps
the last few results, so `Message.visible_text`, the html analyzer and the links analyzer share
one parse of the same HTML string. No parser evaluates CSS: hidden text is found here from inline
styles and the `hidden` attribute (what phishing kits use), then left out of the visible text.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser

_INVISIBLE_TAGS = ["script", "style", "head", "title", "noscript", "template"]
MAX_LINKS = 5000
MAX_HIDDEN = 200
_MAX_STYLE = 4096  # characters of one style attribute that are read
_MAX_CSS = 200_000  # characters of one style block that are read
_CACHE_SIZE = 4


@dataclass
class HtmlLink:
    url: str  # attribute value as the browser sees it (entities decoded), relative ones resolved on <base>
    text: str  # link text for <a>/<area> (alt/title when there is no text); '' elsewhere
    source: str  # a, area, img, iframe, form, meta-refresh, css, background, script, link, object, …


@dataclass
class HiddenText:
    text: str
    reason: str  # the style that hides it, e.g. "display:none", "font-size:0"
    inword: bool  # spliced between letters of a visible word ("Pay<span hidden>x</span>Pal")


@dataclass
class HtmlForm:
    action: str
    method: str
    has_password: bool
    fields: list[str]


@dataclass
class HtmlDocument:
    links: list[HtmlLink] = field(default_factory=list)
    visible_text: str = ""
    hidden: list[HiddenText] = field(default_factory=list)
    forms: list[HtmlForm] = field(default_factory=list)
    password_inputs: int = 0
    scripts: list[str] = field(default_factory=list)  # inline script bodies (clipped)
    event_handlers: list[str] = field(default_factory=list)  # on* attributes seen
    meta_refresh: list[str] = field(default_factory=list)  # content of <meta http-equiv=refresh>
    images: int = 0
    css_injected_text: list[str] = field(default_factory=list)  # ::before/::after content strings
    css_reorder: list[str] = field(default_factory=list)  # bidi-override / reversed flex
    srcdoc: list[str] = field(default_factory=list)  # iframe srcdoc bodies


# -- inline style reading

_COLOR_NAMES = {"white": "#ffffff", "black": "#000000", "#fff": "#ffffff", "#000": "#000000",
                "rgb(255,255,255)": "#ffffff", "rgb(0,0,0)": "#000000"}
# zero written without ambiguous repeats (`0*\.?0+` backtracks quadratically on a long run of zeros)
_ZERO_SIZE = re.compile(r"^(?:0+(?:\.0*)?|\.0+|0?\.[0-4]\d*|1)(?:px|pt|em|rem|%|)$")
_ZERO = re.compile(r"^(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%|)$")
_FAR_OFF = re.compile(r"^-\d{3,}(?:\.\d+)?(?:px|pt|em|%|)$")


def _style_map(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in style.lower().split(";"):
        k, sep, v = decl.partition(":")
        if sep:
            out[k.strip()] = v.replace("!important", "").strip().replace(" ", "")
    return out


def _color(v: str | None) -> str | None:
    if not v:
        return None
    v = v.split(",url(")[0]
    return _COLOR_NAMES.get(v, v)


# A quick screen before the declarations are split: most candidate styles ("font-size:0.9em",
# "background-color:#fff") hide nothing.
_MAYBE_HIDDEN = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|"
    r"font-size\s*:\s*(?:0+(?:\.0*)?|\.0+|0?\.[0-4]\d*|1(?:px|pt))[a-z%]*\s*(?:[;!]|$)|"
    r"opacity\s*:\s*(?:0+(?:\.0*)?|\.0+)\s*(?:[;!]|$)|(?:height|width)\s*:\s*0|(?:text-indent|left|top)\s*:\s*-\d{3}|"
    r"color\s*:\s*(?:transparent|#fff|white|rgb\(\s*255)", re.IGNORECASE)  # white on white is the usual pair
# The same pattern without IGNORECASE, for the lower-cased copy of an ASCII style: on ASCII text the
# case-insensitive match pairs only the ASCII letters with their other case (the Unicode case pairs it
# adds, such as "s" with U+017F or "k" with U+212A, need a non-ASCII character), so it matches exactly
# where this one matches the lower-cased text, at a third of the cost (literals instead of case folding).
_MAYBE_HIDDEN_LOWER = re.compile(_MAYBE_HIDDEN.pattern)


_HIDE_WORDS = ("display:none", "display: none", "visibility:hidden", "visibility: hidden", "collapse", "opacity",
               "transparent", "indent", "height:0", "height: 0", "width:0", "width: 0", "size:0", "size: 0",
               "size:1px", "size: 1px", "size:.", "size: .", "left:-", "left: -", "top:-", "top: -")


def _may_hide(st: str) -> bool:
    """A cheap screen (substring tests run in C) before a style is read declaration by declaration;
    `st` is the style lower-cased."""
    for w in _HIDE_WORDS:
        if w in st:
            return True
    return "background" in st and ("#fff" in st or "white" in st or "255" in st)


def hidden_reason(style: str) -> str | None:
    """Why an inline style makes its content invisible, or None."""
    s = _style_map(style)
    if s.get("display") == "none":
        return "display:none"
    if s.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    fs = s.get("font-size")
    if fs is not None and _ZERO_SIZE.match(fs) and fs not in ("1em", "1rem", "1%"):
        return f"font-size:{fs}"
    op = s.get("opacity")
    if op is not None and _ZERO.match(op):
        return "opacity:0"
    if s.get("overflow") == "hidden" or "hidden" in s.get("overflow-y", ""):
        for k in ("max-height", "height", "max-width", "width"):
            if k in s and _ZERO.match(s[k]):
                return f"{k}:0;overflow:hidden"
    ti = s.get("text-indent")
    if ti and _FAR_OFF.match(ti):
        return f"text-indent:{ti}"
    if s.get("position") in ("absolute", "fixed"):
        for k in ("left", "top"):
            if k in s and _FAR_OFF.match(s[k]):
                return f"position:{s['position']};{k}:{s[k]}"
    color = _color(s.get("color"))
    if color == "transparent":
        return "color:transparent"
    if color is not None:
        bg = _color(s.get("background-color") or s.get("background"))
        if bg == color:
            return f"color:{color} on background {bg}"
    return None


@lru_cache(maxsize=16384)
def _style_facts(style: str) -> tuple[str | None, bool, int]:
    """What one style attribute does: (hidden_reason() of its first _MAX_STYLE characters, whether
    it holds a CSS url(), how many of "bidi-override" / "-reverse" it contains). Cached: mail
    templates repeat the same few inline styles on every cell, and across messages from a sender."""
    low = style.lower()
    reorders = ("bidi-override" in low) + ("-reverse" in low)
    clipped = style[:_MAX_STYLE]
    if not clipped:
        return None, "url(" in low, reorders
    # the cached calls are never clipped: their lower-cased copy is already at hand
    low_clipped = low if len(style) <= _MAX_STYLE else clipped.lower()
    if not _may_hide(low_clipped) or not (
            _MAYBE_HIDDEN_LOWER.search(low_clipped) if clipped.isascii() else _MAYBE_HIDDEN.search(clipped)):
        return None, "url(" in low, reorders
    return hidden_reason(clipped), "url(" in low, reorders


# -- building the document

# One selector group, one walk of the tree (lexbor evaluates selectors in C and yields each node
# in document order, once per selector of the group it matches). Every element the document can
# hold is matched by one of these, and _build() decides per node what it is for:
# - URL-bearing elements (links);
# - `[hidden],[style]`: hidden text, CSS url() and text reordering in style attributes;
# - `style`, `script`: style sheets and script bodies.
# No marker in the source needs checking first: an element or attribute can only exist when its
# (lower-cased) name occurs in the source, so a selector for an absent one simply matches nothing.
# Two selectors keep a source test, to keep what they always meant: `[background]` is read only when
# `background=` occurs (a bare or spaced `background` attribute never was), and event-handler
# attributes only when " on" occurs somewhere.
_SELECTOR = ("a[href],area[href],[src],form,meta[http-equiv],link[href],object[data],input,base[href],"
             "iframe[srcdoc],[hidden],[style],style,script")
_EVENT_ATTRS = ("onload", "onerror", "onclick", "onmouseover", "onfocus", "onsubmit")
_EVENT_SET = frozenset(_EVENT_ATTRS)
_EVENT_SELECTOR = ",".join(f"[{name}]" for name in _EVENT_ATTRS)
# An element has one of these attributes only if its name occurs in the lower-cased source (the parser
# lower-cases ASCII letters of attribute names and decodes nothing in them), so without one of the
# names the event selectors match nothing and no handler is found: " on" occurs in most mail text.
_EVENT_NAME = re.compile("|".join(_EVENT_ATTRS).encode("ascii"))
_MAX_SCRIPTS = 50


_LINK_TAGS = frozenset({"a", "area", "link", "base", "form", "input", "meta", "object", "iframe"})


def _is_link_node(tag: str, attrs: dict, background: bool) -> bool:
    """Whether the node matches the URL-bearing part of _SELECTOR (plus `[background]` when read)."""
    if "src" in attrs or (background and "background" in attrs):
        return True
    if tag in ("a", "area", "link", "base"):
        return "href" in attrs
    if tag in ("form", "input"):
        return True
    if tag == "meta":
        return "http-equiv" in attrs
    if tag == "object":
        return "data" in attrs
    if tag == "iframe":
        return "srcdoc" in attrs
    return False


def _letters(word: str) -> str:
    """A regex for `word` matching exactly where `word` matches the lower-cased text (see below)."""
    return "".join(f"[{c}{c.upper()}{chr(0x212A) if c == 'k' else ''}]" if c.isalpha() else c for c in word)


_BLOCK_NAMES = ("p|div|br|tr|td|th|li|h[1-6]|table|blockquote|ul|ol|dl|dt|dd|hr|pre|section|"
                "article|header|footer|center|form|title|address|nav|aside|main|figure|caption")
_BLOCK_TAG = re.compile(rf"<(?=/?(?:{_BLOCK_NAMES})[\s/>])")


def _block_tag_pattern(letters: Callable[[str], str], after: str) -> str:
    """`_BLOCK_TAG` with each tag-name letter spelled by `letters` and the character after the name
    by `after`; trying the names as a tree of prefixes keeps the scan short."""
    return "<(?=/?(?:" + "|".join((
        letters("t") + "(?:[rRdDhH]|" + letters("able") + "|" + letters("itle") + ")",
        letters("d") + "(?:" + letters("iv") + "|[lLdDtT])",
        letters("h") + "(?:[1-6rR]|" + letters("eader") + ")",
        letters("p") + "(?:" + letters("re") + ")?",
        letters("b") + "(?:" + letters("r") + "|" + letters("lockquote") + ")",
        letters("li"), letters("ul"), letters("ol"), letters("section"),
        letters("a") + "(?:" + letters("rticle") + "|" + letters("ddress") + "|" + letters("side") + ")",
        letters("f") + "(?:" + letters("ooter") + "|" + letters("orm") + "|" + letters("igure") + ")",
        letters("c") + "(?:" + letters("enter") + "|" + letters("aption") + ")",
        letters("nav"), letters("main"),
    )) + ")" + after + ")"


# The same on the original text, letters as [xX] classes: when lower-casing keeps the length, every
# character lower-cases to exactly one character, and the only non-ASCII one that becomes an ASCII
# letter is the Kelvin sign (to "k"), so `[kK\u212a]` on the text matches where "k" matches its
# lower-cased copy.
_BLOCK_TAG_CASED = re.compile(_block_tag_pattern(_letters, r"[\s/>]"))


def _with_block_breaks(html: str) -> str:
    """`html` with a newline before every block-level tag (tag names in any case)."""
    if not html.isascii() and "\u0130" in html:
        # U+0130 is the one character whose lower-case form is longer (two characters); with it,
        # matching on a lower-cased copy needs a position map, so be simple (it is rare)
        return re.sub(_BLOCK_TAG.pattern, "\n<", html, flags=re.IGNORECASE)
    return _BLOCK_TAG_CASED.sub("\n<", html)


def _utf8_letters(word: str) -> str:
    """`_letters(word)` for a pattern over UTF-8 bytes: the Kelvin sign is three bytes there."""
    return "".join(("(?:[kK]|\\xe2\\x84\\xaa)" if c == "k" else f"[{c}{c.upper()}]") if c.isalpha() else c
                   for c in word)


def _utf8_alternatives(chars: str) -> str:
    """A pattern over UTF-8 bytes matching the encoding of any one of `chars`."""
    singles = "".join(f"\\x{ord(c):02x}" for c in chars if ord(c) < 0x80)
    multi = ["".join(f"\\x{b:02x}" for b in c.encode("utf-8")) for c in chars if ord(c) >= 0x80]
    return "(?:[" + singles + "]|" + "|".join(multi) + ")"


# Every character str.isspace() accepts, which is what `\s` matches in a str pattern (a test checks
# the list against isspace() over all of Unicode).
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# _BLOCK_TAG_CASED over the text's UTF-8 encoding: "<", "/" and the ASCII letters are one byte each
# and start a character wherever they occur, and UTF-8 is prefix-free, so the alternatives for the
# Kelvin sign and the character after the name match the encoding of exactly the characters the
# classes of the str pattern match, at the same places.
_BLOCK_TAG_UTF8 = re.compile(_block_tag_pattern(_utf8_letters, _utf8_alternatives(_WHITESPACE + "/>")).encode("ascii"))


def _utf8(html: str) -> bytes | None:
    """`html` encoded as UTF-8, or None when it holds lone surrogates (which cannot be encoded)."""
    try:
        return html.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _parser_input(html: str, data: bytes | None) -> str | bytes:
    """What the parser reads: `_with_block_breaks(html)`, as UTF-8 bytes when the breaks can be put in
    `data`, the encoded text. The parser encodes a str to UTF-8 itself, dropping what cannot be
    encoded (lone surrogates); encoding first spares it that copy, and the byte pattern runs a
    little faster than the str one. Text with lone surrogates or U+0130 takes the str way."""
    if data is None or (not html.isascii() and "\u0130" in html):
        return _with_block_breaks(html)
    return _BLOCK_TAG_UTF8.sub(b"\n<", data)


def _marker_text(html: str, data: bytes | None = None) -> bytes:
    """`html` lower-cased as ASCII bytes, for counting and finding ASCII markers ("<img",
    "background=", " on") as they occur in `html.lower()`; `data` is `html` as UTF-8, if at hand.

    Lower-casing maps every character to one character, and the only non-ASCII characters whose
    lower-case form holds ASCII letters are U+212A (Kelvin sign, to "k") and U+0130 (to "i" and a
    combining dot); without them, no non-ASCII character can take part in an ASCII marker, so the
    markers occur alike in `html.lower()`, in its ASCII encoding with "?" for each other character,
    and in the UTF-8 bytes lower-cased (bytes.lower() changes ASCII letters only, and every byte of
    a non-ASCII character is above 0x7f). Lower-casing bytes is three times faster than
    str.lower() on non-ASCII text, and the UTF-8 bytes are made for the parser anyway.
    """
    if not html.isascii() and ("\u212a" in html or "\u0130" in html):
        return html.lower().encode("ascii", "replace")
    if data is not None:
        return data.lower()
    return html.encode("ascii", "replace").lower()


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r" ?\n\s*")
# Whitespace that str.split() breaks on but _SPACES leaves alone (str.isspace() minus " \t\n\r\f\v\xa0").
_OTHER_SPACE = re.compile("[\x1c-\x1f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _collapse_spaces(text: str) -> str:
    """Runs of blanks become one space, each line break with the blanks around it one newline,
    blank lines go, and the ends are stripped: `_NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()`.

    Done with str.split() line by line when the text holds no whitespace beyond " \t\n\r\f\v\xa0":
    then split() breaks on exactly the characters _SPACES and _NEWLINES consume, and the result
    is the same string at a third of the cost (mail HTML is mostly indentation, so the regexes
    make hundreds of replacements per document). Otherwise the regexes, as written.
    """
    if _OTHER_SPACE.search(text) is None:
        return "\n".join([" ".join(line.split()) for line in text.split("\n") if line and not line.isspace()])
    return _NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]{4,2048})""", re.I)
_CSS_CONTENT = re.compile(r"""::?(?:before|after)[^{]{0,300}\{[^}]{0,2000}?content\s*:\s*(["'])(.{2,200}?)\1""",
                          re.I | re.S)
_CSS_REORDER = re.compile(r"unicode-bidi\s*:\s*bidi-override|flex-direction\s*:\s*(?:row|column)-reverse", re.I)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


_local = threading.local()


def _find(query: str, node):  # noqa: ANN001, ANN202 - selectolax nodes
    """`node.css(query)` through one selector engine per thread. selectolax builds a CSS parser and
    selector engine for every document on its first query (as costly as a small parse); one per
    thread serves every document alike (a query gets the node it searches from, nothing else)."""
    return _selector().find(query, node)


def _selector() -> LexborCSSSelector:
    sel = getattr(_local, "selector", None)
    if sel is None:
        sel = _local.selector = LexborCSSSelector()
    return sel


# Characters that only pad or join: invisible wherever they are, so text made of them and spaces says nothing.
_PADDING = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad"))
# _WHITESPACE (what str.strip() removes), then the padding ones: text.strip() of them leaves something
# exactly when text.translate(_PADDING).strip() does (some character is neither), without copying the text.
_BLANK_OR_PADDING = _WHITESPACE + "".join(map(chr, _PADDING))


def _first_img_alt(node) -> str:  # noqa: ANN001 - selectolax node
    """The stripped alt text of the first `<img alt>` inside `node`, or "": the first node that
    `img[alt]` finds. The selector engine and traverse() walk the same subtree in the same
    depth-first order (neither enters a <template>'s content), and the parser lower-cases tag and
    attribute names, so comparing names finds the same node without parsing a selector per anchor
    (that costs more than the walk: a link without text holds an image or two)."""
    for inner in node.traverse():
        if inner.tag == "img":
            attrs = inner.attributes
            if "alt" in attrs:
                return (attrs.get("alt") or "").strip()
    return ""


_SIZE_WALK = 64  # elements read in Python before a subtree is left to the selector engine


def _sets_size_inside(node) -> bool:  # noqa: ANN001 - selectolax node
    """Whether an element inside `node` (not `node` itself) has a style naming font-size in any
    case, for a `node` whose own style does: what `len(_find('[style*="font-size" i]', node)) > 1`
    says, since the query counts `node` and the elements inside it.

    The query compares ASCII letters without case; `"font-size" in style.lower()` holds for the same
    styles (no non-ASCII character lower-cases to one of its letters, and U+0130 lower-cases to "i"
    and a combining dot, never to the "i" before "z"). Walking the first elements in Python costs less
    than parsing the selector; a big subtree without an answer by then goes to the query.
    """
    walk = node.traverse()
    next(walk)  # `node` itself
    for count, inner in enumerate(walk):
        if count == _SIZE_WALK:
            return len(_find('[style*="font-size" i]', node)) > 1
        style = inner.attributes.get("style")
        if style is not None and "font-size" in style.lower():
            return True
    return False


def _text_of(node) -> str:  # noqa: ANN001 - selectolax node
    return node.text(deep=True, separator=" ", strip=True)


def _is_alnum_edge(text: str | None, last: bool) -> bool:
    if not text:
        return False
    ch = text[-1] if last else text[0]
    return ch.isalnum()


def _build(html: str) -> HtmlDocument:
    doc = HtmlDocument()
    # A newline before each block-level tag lets the text come out joined as rendered:
    # "Pay<b>Pal</b>" stays one word while paragraphs and cells stay apart.
    data = _utf8(html)
    low = _marker_text(html, data)
    tree = LexborHTMLParser(_parser_input(html, data))
    doc.images = low.count(b"<img")
    background = b"background=" in low
    events = b" on" in low and _EVENT_NAME.search(low) is not None
    selector = _SELECTOR
    if background:
        selector += ",[background]"
    if events:
        selector += "," + _EVENT_SELECTOR

    base = ""
    links = doc.links
    css_links: list[HtmlLink] = []  # url() in style attributes: listed after the elements' URLs
    attr_reorder: list[str] = []  # bidi-override / reversed flex in style attributes: after the sheets'
    style_blocks: list[str] = []
    handlers: dict[str, list[str]] = {}
    hidden_nodes = []
    seen: set[int] = set()  # hidden elements so far
    visited: set[int] = set()
    for node in (_find(selector, tree.root) if tree.root is not None else ()):
        mem_id = node.mem_id
        if mem_id in visited:  # lexbor yields a node once per selector it matches
            continue
        visited.add(mem_id)
        tag = node.tag
        attrs = node.attributes

        # URL-bearing elements; past MAX_LINKS no further element is read for URLs
        # (the first three tests are a cheap screen: _is_link_node holds only when one of them does)
        if ("src" in attrs or tag in _LINK_TAGS or (background and "background" in attrs)) \
                and len(links) < MAX_LINKS and _is_link_node(tag, attrs, background):
            if tag == "base":
                base = base or (attrs.get("href") or "").strip()
            elif tag == "meta":
                if (attrs.get("http-equiv") or "").strip().lower() == "refresh":
                    content = attrs.get("content") or ""
                    doc.meta_refresh.append(content)
                    m = _REFRESH_URL.search(content)
                    if m:
                        links.append(HtmlLink(m.group(1).strip(), "", "meta-refresh"))
            else:
                if tag in ("a", "area"):
                    href = attrs.get("href") or ""
                    text = _text_of(node) if tag == "a" else ""
                    if not text:
                        text = (attrs.get("title") or attrs.get("alt") or "").strip()
                        if not text and tag == "a":
                            text = _first_img_alt(node)
                    links.append(HtmlLink(href, text, tag))
                elif tag == "form":
                    action = (attrs.get("action") or "").strip()
                    fields_ = []
                    pw = False
                    for inp in _find("input,textarea,select", node):
                        ia = inp.attributes
                        itype = (ia.get("type") or "text").lower()
                        if itype == "password":
                            pw = True
                        if itype not in ("hidden", "submit", "button"):
                            fields_.append(f"{itype}:{ia.get('name') or ''}")
                    doc.forms.append(HtmlForm(action, (attrs.get("method") or "get").lower(), pw, fields_[:20]))
                    if action:
                        links.append(HtmlLink(action, "", "form"))
                elif tag == "input":
                    if (attrs.get("type") or "").lower() == "password":
                        doc.password_inputs += 1
                elif tag == "link":
                    links.append(HtmlLink(attrs.get("href") or "", "", "link"))
                elif tag == "object":
                    links.append(HtmlLink(attrs.get("data") or "", "", "object"))
                if tag == "iframe" and "srcdoc" in attrs:
                    doc.srcdoc.append((attrs.get("srcdoc") or "")[:2000])
                src = attrs.get("src")
                if src and tag not in ("a", "area"):
                    links.append(HtmlLink(src, "", tag))
                bg = attrs.get("background")
                if bg:
                    links.append(HtmlLink(bg, "", "background"))

        if tag == "style":
            style_blocks.append(node.text(deep=True))
        elif tag == "script" and len(doc.scripts) < _MAX_SCRIPTS:
            doc.scripts.append(node.text(deep=True)[:20000])
        if events and not _EVENT_SET.isdisjoint(attrs):
            for name in attrs:
                if name in _EVENT_SET:
                    handlers.setdefault(name, []).append(f"{name}={(attrs.get(name) or '')[:200]}")

        style = attrs.get("style")
        if style is not None:
            hides, has_url, reorders = (_style_facts(style) if len(style) <= _MAX_STYLE
                                        else _style_facts.__wrapped__(style))  # huge ones are not kept
            if has_url:
                css_links.extend(HtmlLink(m.group(1), "", "css") for m in _CSS_URL.finditer(style))
            for _ in range(reorders):
                attr_reorder.extend(m.group(0) for m in _CSS_REORDER.finditer(style))
        elif "hidden" not in attrs:
            continue

        # hidden elements: record, then drop from the visible text. An element with both `hidden` and
        # `style` matched two selectors and was recorded twice; kept so, as the counts always were.
        if "hidden" in attrs:
            reason: str | None = "hidden attribute"
            times = 2 if "style" in attrs else 1
        else:
            reason = hides
            times = 1
        if reason is None or tag in ("head", "style", "script", "title", "meta", "html"):
            continue
        # The layout trick: font-size:0 on a container whose children set their own size. Some
        # templates hide thousands of leaf cells this way: the walk ends at once for a node without
        # children. A <template> is left to the selector engine as it always was.
        if reason.startswith("font-size") and (
                _sets_size_inside(node) if tag != "template" else len(_find('[style*="font-size" i]', node)) > 1):
            continue
        for _ in range(times):
            # an element inside one already hidden adds nothing (checked a few levels up: cheap)
            inside = False
            if seen:
                anc, depth = node.parent, 0
                while anc is not None and depth < 12:
                    if anc.mem_id in seen:
                        inside = True
                        break
                    anc, depth = anc.parent, depth + 1
            seen.add(mem_id)
            if inside:
                continue
            hidden_nodes.append(node)
            if len(doc.hidden) < MAX_HIDDEN:
                text = _text_of(node)
                # hiding nothing but spacing (the &zwnj;&nbsp; padding behind a mail's preview line)
                # hides no words
                if text and text.strip(_BLANK_OR_PADDING):
                    prev, nxt = node.prev, node.next
                    inword = (prev is not None and prev.is_text_node and _is_alnum_edge(prev.text_content, True)
                              and nxt is not None and nxt.is_text_node
                              and _is_alnum_edge(nxt.text_content, False) and text[0].isalnum())
                    doc.hidden.append(HiddenText(text[:500], reason, inword))

    # CSS url() in style attributes and style blocks; ::before/::after text; reordering
    links.extend(css_links)
    for css in style_blocks:
        css = css[:_MAX_CSS]
        css_low = css.lower()
        if "url(" in css_low:
            links.extend(HtmlLink(m.group(1), "", "css") for m in _CSS_URL.finditer(css))
        if "content" in css_low and (":before" in css_low or ":after" in css_low):
            doc.css_injected_text.extend(m.group(2) for m in _CSS_CONTENT.finditer(css))
        if "bidi-override" in css_low or "-reverse" in css_low:
            doc.css_reorder.extend(m.group(0) for m in _CSS_REORDER.finditer(css))
    doc.css_reorder.extend(attr_reorder)
    if base:
        for link in links:
            if link.url and "://" not in link.url[:12] and not link.url.startswith(("#", "mailto:", "data:",
                                                                                     "javascript:", "cid:")):
                link.url = urljoin(base, link.url)
    for name in _EVENT_ATTRS:
        doc.event_handlers.extend(handlers.get(name, ()))

    # last first: a descendant is always removed before an ancestor that might contain it
    for node in reversed(hidden_nodes):
        node.decompose()
    tree.strip_tags(_INVISIBLE_TAGS)
    root = tree.body or tree.root
    if root is not None:
        text = root.text(deep=True, separator="", strip=False)
        doc.visible_text = _collapse_spaces(text)
    return doc


_cache: OrderedDict[str, HtmlDocument] = OrderedDict()


def html_document(html: str) -> HtmlDocument:
    """The parsed document for `html`; the last few are kept so analyzers share one parse."""
    doc = _cache.get(html)
    if doc is not None:
        return doc
    doc = _build(html) if html else HtmlDocument()
    _cache[html] = doc
    # threads may race here (a milter scanning in a pool): losing a cache entry is harmless
    while len(_cache) > _CACHE_SIZE:
        try:
            _cache.popitem(last=False)
        except KeyError:
            break
    return doc


def parse_html(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, hidden elements left out, block elements separated by newlines."""
    if not html:
        return ""
    return html_document(html).visible_text

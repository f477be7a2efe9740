"""What the learned model sees: the author's words and the link targets, nothing about transport.

`document(msg)` turns a parsed message into one string of tokens. It deliberately leaves out:

- every header except the subject: routing, authentication, dates, mailer names and
  mbox `From ` lines say when and how a message travelled, which in public corpora
  mostly encodes the collection's era, not whether the mail is malicious;
- email addresses, the recipient's own address and its local part anywhere in the
  text, and known anonymisation placeholders of public phishing collections
  (`phishing@pot`, `rodrigo-f-p`): a model that learns a corpus' redaction marks
  learns nothing about phishing;
- digits (every run of digits becomes `0`, years and dates included), so neither
  era nor order numbers become features;
- function words of English, Portuguese, Spanish, German and French (`stopwords.py`):
  in public corpora all non-English mail is phishing, and "sie" or "vous" must not
  become evidence; accents are folded so "não" and "nao" are one word, and words spelled
  with Cyrillic or Greek lookalikes ("rесоrd") are read as the Latin word they imitate;
- quoted reply lines (`> …`), signature blocks after `-- ` and mailing-list footers:
  they are the list's and the correspondents' words, not the sender's request;
- URL schemes (http vs https is an era marker): links become host-label and path-word
  tokens (`u_h_<label>`, `u_tld_<tld>`, `u_p_<word>`).

Each lure category found (`mailwarden.lures`) adds one `lure_<category>` token.
The subject is added twice, once with an `s_` prefix, so subject wording carries weight.
`FEATURE_VERSION` changes whenever this mapping changes; a stored model with another
version is refused rather than fed features it was not trained on.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from mailwarden.lures import CONFUSABLE_LETTERS, match_lures, normalize
from mailwarden.message import Message
from mailwarden.model.stopwords import STOP_WORDS

FEATURE_VERSION = 5
MAX_CHARS = 10_000  # the request sits near the top; the rest of a long message adds cost, not signal

_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+(?:@|&#64;|\s@\s|\[at\]|\(at\))[\w-]+(?:\.[\w-]+)*", re.IGNORECASE)
# Placeholders public phishing collections write over the real recipient.
_ARTEFACTS = re.compile(r"phishing\s*@\s*pot|phish\.me\.again|rodrigo[-_. ]?f[-_. ]?p|\bphishing pot\b")
_URL = re.compile(r"(?:https?://|www\.)([^\s/\"'<>()\[\]{}|\\^`]+)([^\s\"'<>()\[\]{}|\\^`]*)")
_HREF = re.compile(r"""href\s*=\s*["']?\s*(?:https?:)?//([^\s/"'<>]+)([^\s"'<>]*)""")
_AT = re.compile(r"@|&#64;|\[at\]|\(at\)")
_DIGITS = re.compile(r"\d+")
_WORDS = re.compile(r"[a-z]{3,20}")
_SIG = re.compile(r"\n-- ?\n.*", re.DOTALL)
_FOOTER = re.compile(r"\n_{20,}\n.*", re.DOTALL)
_TOKEN = re.compile(r"\w\w+")
_CONFUSABLE_RE = re.compile("[" + "".join(sorted(CONFUSABLE_LETTERS)) + "]")
_MIXED_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[" + "".join(sorted(c for c in CONFUSABLE_LETTERS if c.islower()))
                         + r"])\w+\b")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def _unicode_fold(text: str) -> str:
    """Lower-cased text with lookalike letters read as Latin and accents dropped."""
    text = text.lower()
    if not text.isascii():
        if _CONFUSABLE_RE.search(text):
            # "rесоrd" spelled with Cyrillic letters is the word "record" to its reader.
            text = _MIXED_WORD.sub(lambda m: normalize(m.group(0)).strip(), text)
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text


def _fold(text: str) -> str:
    """Lower-case, accents and digits folded; function words (any of five languages) dropped."""
    text = _DIGITS.sub("0", _unicode_fold(text))
    return " ".join(w for w in _TOKEN.findall(text) if w not in STOP_WORDS)


# The scanner needs only the *set* of terms of `document()` (features are binary), and gets it without
# building and re-tokenising that string. On ASCII text `_fold` is: digit runs -> "0", split at
# non-word characters, drop one-character words and function words; a byte-table translation plus
# set arithmetic does the same without a regex pass per character.
# `\w` on ASCII text is exactly [A-Za-z0-9_]; everything else separates words.
_ASCII_WORD = frozenset(string.ascii_letters + string.digits + "_")
_ASCII_TABLE = str.maketrans({chr(i): ("0" if chr(i) in string.digits else chr(i) if chr(i) in _ASCII_WORD else " ")
                              for i in range(128)})
_DROP = STOP_WORDS | _ASCII_WORD  # function words, and one-character words (`\w\w+` never yields them)
# HashingVectorizer's default token pattern: what the trained model's analyzer makes of `document()`.
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")


# A non-ASCII word character (`\w` and not ASCII; non-ASCII digits are among them, as `\d` is within `\w`).
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_terms(text: str) -> set[str]:
    """`set(_fold(text).split())`, computed faster."""
    text = _unicode_fold(text)
    if not text.isascii():
        if _NON_ASCII_WORD.search(text):
            return set(_TOKEN.findall(_DIGITS.sub("0", text))) - STOP_WORDS
        # Every non-ASCII character here (quotes, dashes, symbols, emoji) separates words and is no
        # digit, as a space is: with spaces in their place the text has the same words, all ASCII.
        text = _NON_ASCII.sub(" ", text)
    text = text.translate(_ASCII_TABLE)
    while "00" in text:  # a run of digits is one "0" (only digits became "0")
        text = text.replace("00", "0")
    return set(text.split()) - _DROP


def _recipient_tokens(msg: Message) -> list[str]:
    out = []
    for name in ("to", "delivered-to", "x-original-to"):
        for value in (msg.header(name) or "",):
            for m in _EMAIL.finditer(value):
                local = _AT.split(m.group(0), maxsplit=1)[0].strip().lower()
                if len(local) >= 4:
                    out.append(local)
    return out


def _strip_personal(text: str, recipients: list[str]) -> str:
    """Lower-cased text without addresses, the recipient's name-part and anonymisation marks."""
    text = text.lower()
    if "phish" in text or "rodrigo" in text:
        text = _ARTEFACTS.sub(" ", text)
    if "@" in text or "&#64;" in text:
        # An address never contains whitespace: dropping every word with an @ is exact and fast.
        text = " ".join(w for w in text.split() if "@" not in w and "&#64;" not in w)
    present = [r for r in recipients if r in text]
    if present:
        text = re.sub("|".join(map(re.escape, present)), " ", text)
    return text


def _own_lines(text: str) -> str:
    """Drop quoted reply lines and their "On …, X wrote:" introductions."""
    if ">" not in text and "wrote:" not in text:
        return text
    keep = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith((">", "|")) or stripped.rstrip().endswith("wrote:"):
            continue
        keep.append(line)
    return "\n".join(keep)


def _may_hold_url(text: str) -> bool:
    """False when neither `_URL` nor `_HREF` can match: each match holds "://" or "www." (`_URL`: "http://",
    "https://" or "www." literally), or "//" after "href" (`_HREF`), and "//" is in "://"."""
    return "//" in text or "www." in text


@lru_cache(maxsize=4096)  # pure, and links repeat within a message and across a sender's mail
def _url_tokens(host: str, path: str) -> tuple[str, ...]:
    host = host.lower().split("@")[-1].split(":")[0].strip(".")
    labels = [lab for lab in host.split(".") if lab and not lab.isdigit()]
    toks = []
    if labels:
        toks.append("u_tld_" + labels[-1][:15])
        toks.extend("u_h_" + _DIGITS.sub("0", lab)[:30] for lab in labels[:-1][-3:] if lab != "www")
    else:
        toks.append("u_ip")
    toks.extend("u_p_" + w for w in _WORDS.findall(path.lower())[:8])
    return tuple(toks)


def _href_matches(html: str) -> Iterator[re.Match[str]]:
    """The matches of `_HREF.finditer(html.lower())` (their groups; offsets are not kept).

    Lower-casing long non-ASCII HTML is slow, and only the few places holding "href" need it. They are
    found in an ASCII copy lower-cased as bytes (each other character one "?"): no non-ASCII character
    lower-cases to h, r, e or f, so "href" stands at the same offsets in both. A match from there ends
    before the next ">" (no part of `_HREF` takes one), so it is found in that stretch lower-cased
    alone; later places inside a match are passed over as finditer passes them. Lower-casing a stretch
    gives the same characters as lower-casing everything but for U+0130 (two characters, so offsets
    shift) and capital sigma (its lower case depends on the letters around it): with either, the
    whole text is lower-cased as before."""
    if html.isascii() or "\u0130" in html or "\u03a3" in html:
        yield from _HREF.finditer(html.lower())
        return
    probe = html.encode("ascii", "replace").lower()
    resume = 0
    at = probe.find(b"href")
    while at >= 0:
        if at >= resume:
            stop = html.find(">", at)
            m = _HREF.match(html[at:stop if stop >= 0 else len(html)].lower())
            if m:
                yield m
                resume = at + m.end()
        at = probe.find(b"href", at + 1)


@lru_cache(maxsize=4096)
def _url_terms(host: str, path: str) -> tuple[str, ...]:
    """The model's terms of one link's tokens: `TOKEN_PATTERN` on them joined by spaces. A space is no
    word character, so no term spans two tokens and a link's terms do not depend on its neighbours."""
    return tuple(TOKEN_PATTERN.findall(" ".join(_url_tokens(host, path))))


def _url_keys(msg: Message) -> list[tuple[str, str]]:
    """The distinct (host, path) of links in the visible text and in HTML hrefs, in order (at most 50,
    and one more from the hrefs when the text held 50)."""
    seen: dict[tuple[str, str], None] = {}
    text = msg.visible_text[:MAX_CHARS].lower()
    html = msg.html[: MAX_CHARS * 4] if msg.html_parts else ""
    for matches in (_URL.finditer(text) if _may_hold_url(text) else (), _href_matches(html) if "//" in html else ()):
        for m in matches:
            key = (m.group(1).lower(), m.group(2)[:100])
            if key in seen:
                continue
            seen[key] = None
            if len(seen) >= 50:
                break
    return list(seen)


def url_tokens(msg: Message) -> list[str]:
    """Host and path tokens of links in the visible text and in HTML hrefs, schemes left out."""
    toks: list[str] = []
    for key in _url_keys(msg):
        toks.extend(_url_tokens(*key))
    return toks


def body_text(msg: Message) -> str:
    """The sender's own words: visible text without quoted replies, signatures, list footers and links."""
    text = msg.visible_text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    text = _SIG.sub("\n", text)
    text = _FOOTER.sub("\n", text)
    text = _own_lines(text).lower()
    return _URL.sub(" ", text) if _may_hold_url(text) else text


def document(msg: Message, lure_categories: Iterable[str] | None = None) -> str:
    """The token string the model is trained and run on.

    `lure_categories` saves a second vocabulary pass when the lures analyzer already ran.
    """
    recipients = _recipient_tokens(msg)
    subject = _fold(_strip_personal(msg.subject or "", recipients))
    body = _fold(_strip_personal(body_text(msg), recipients))
    if lure_categories is None:
        lure_categories = {h.category for h in match_lures(msg.subject or "") + match_lures(msg.visible_text)}
    lures = sorted("lure_" + c for c in set(lure_categories))
    parts = [subject, " ".join("s_" + w for w in subject.split()), body, " ".join(url_tokens(msg)), " ".join(lures)]
    return " ".join(p for p in parts if p)


def document_terms(msg: Message, lure_categories: Iterable[str] | None = None) -> set[str]:
    """The distinct terms HashingVectorizer finds in `document(msg, lure_categories)`.

    What the scanner feeds the model: the same set, without the string round trip (tests keep the two
    equal). `document()` stays the training input.
    """
    recipients = _recipient_tokens(msg)
    subject = _fold_terms(_strip_personal(msg.subject or "", recipients))
    body = _fold_terms(_strip_personal(body_text(msg), recipients))
    if lure_categories is None:
        lure_categories = {h.category for h in match_lures(msg.subject or "") + match_lures(msg.visible_text)}
    out = subject | body
    out.update(["s_" + w for w in subject])
    # URL tokens and lure tags may hold non-word characters ("u_h_my-bank"): tokenise them as the model does.
    for key in _url_keys(msg):
        out.update(_url_terms(*key))
    out.update(TOKEN_PATTERN.findall(" ".join("lure_" + c for c in set(lure_categories))))
    return out

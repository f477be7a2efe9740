"""What the message asks the reader to do: lure vocabulary and callback phone numbers.

Reads the subject, the From display name (attacker-chosen text, even when the
message is genuinely sent by a trusted platform) and the visible body text. Each
text gets one Aho-Corasick pass (`mailwarden.lures`) and one phone-number pass
(`mailwarden.phones`).

Facts for later analyzers:
- `ctx.phones`: E.164 numbers found (appended, without duplicates).
- `ctx.facts["lures"]`: `{"categories": {category: [phrase, ...]},
  "fields": {category: ["subject" | "display_name" | "body", ...]}, "money": [str]
  (amounts, looked for only when a phone number was found; otherwise empty),
  "phones": [{"e164", "raw", "field", "obfuscated"}]}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from mailwarden.analyzers.base import Analyzer
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.lures import CONFUSABLE_LETTERS, find_money, match_lures
from mailwarden.message import Message
from mailwarden.phones import PhoneHit, find_phone_numbers

FIELDS = ("subject", "display_name", "body")
_ANGLE_ADDR = re.compile(r"<[^<>]*>")
_CONFUSABLE_RE = re.compile("[" + "".join(sorted(CONFUSABLE_LETTERS)) + "]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_TEL_HREF = re.compile(r"""href\s*=\s*["']?\s*tel:([^"'\s>]{4,60})""", re.IGNORECASE)
_STYLED = re.compile("[\U0001D400-\U0001D7FF]")  # mathematical bold/italic/script letters and digits

# category -> (symbol, sentence describing what the wording asks for)
_CATEGORY_SYMBOLS = {
    "credential": ("LURE_CREDENTIAL", "asks the reader to sign in, verify or update an account or password"),
    "fake_2fa": ("LURE_FAKE_2FA", "talks about a verification or one-time code"),
    "message_bait": ("LURE_MESSAGE_BAIT", "baits the reader with unread, held or private messages"),
    "account_anomaly": ("LURE_ACCOUNT_ANOMALY", "warns of unusual activity or a locked or limited account"),
    "invoice_payment": ("LURE_INVOICE_PAYMENT", "is about an invoice, a payment or a failed charge"),
    "crypto": ("LURE_CRYPTO", "is about crypto wallets, tokens or an airdrop"),
    "gift_card": ("LURE_GIFT_CARD", "asks about gift cards or their codes"),
    "urgency": ("LURE_URGENCY", "presses for immediate action or a deadline"),
    "threat": ("LURE_THREAT", "threatens suspension, deletion, legal action or exposure"),
    "prize": ("LURE_PRIZE", "promises a prize, a reward, winnings or free spins"),
    "delivery": ("LURE_DELIVERY", "is about a parcel that could not be delivered or a fee to release it"),
    "document_share": ("LURE_DOCUMENT_SHARE", "invites the reader to open or sign a shared document"),
}
# Wording that names the callback itself ("call us", "refund", "cancel", "toll free"). A phone
# number in a signature next to "customer service" is ordinary; the scam needs a number plus
# money or account wording, or plenty of callback wording.
_FIELD_NAMES = {"subject": "subject", "display_name": "sender's display name", "body": "text"}


def _display_text(msg: Message, ctx: ScanContext) -> str:
    """The From header as a reader sees it, minus the address. Parenthesised text stays: to an
    address parser `(808)` is a comment, to a mail client's reader it is an area code."""
    parts = [_ANGLE_ADDR.sub(" ", h.decoded) for h in msg.header_fields("from")[:3]]
    text = " ".join(p.strip().strip('"') for p in parts if p.strip())
    return text[:500] or (ctx.from_info or {}).get("display_name") or ""


def _tel_links(msg: Message) -> list[PhoneHit]:
    """Numbers behind `tel:` links: what a phone dials when the reader taps the link text."""
    html = msg.html if msg.html_parts else ""
    # "el:" or "EL:" is in each of the three spellings: one or two scans of a long page, not three.
    if not html or not ("el:" in html or "EL:" in html) or not ("tel:" in html or "TEL:" in html or "Tel:" in html):
        return []
    out = []
    for m in _TEL_HREF.finditer(html[:200_000]):
        target = unquote(m.group(1))
        hits = find_phone_numbers("tel " + target)  # "tel" is the phone word bare numbers need
        out.extend(hits[:1])
        if len(out) >= 10:
            break
    return out


# Exactly the characters c with "a" <= c.lower() <= "z": ASCII letters, Kelvin sign, dotted capital I.
_LATIN_LETTER = re.compile("[A-Za-z\u0130\u212a]")


def _mostly_latin(text: str) -> bool:
    sample = text[:5000]
    return len(_LATIN_LETTER.findall(sample)) > 0.6 * sum(map(str.isalpha, sample))


def _scripts(word: str) -> str:
    import unicodedata

    names = {unicodedata.name(c, "?").split()[0] for c in word if not c.isascii()}
    return "Latin + " + "/".join(sorted(n.title() for n in names))


def _quote(phrases: list[str], n: int = 3) -> str:
    return ", ".join(f'"{p}"' for p in phrases[:n])


class LuresAnalyzer(Analyzer):
    name = "lures"
    requires = ("headers",)

    def setup(self, engine: object) -> None:
        match_lures("warm up")  # build the automaton once, not on the first message

    def warm_up(self) -> None:
        # phonenumbers loads each region's metadata and compiles its patterns the first time a
        # number of that region is checked (about 0.35 s for all of them, paid once here)
        import phonenumbers

        for region in sorted(phonenumbers.SUPPORTED_REGIONS):
            example = phonenumbers.example_number(region)
            if example is not None:
                phonenumbers.is_valid_number(example)

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        texts = {"subject": msg.subject or "", "display_name": _display_text(msg, ctx),
                 "body": msg.visible_text or ""}
        categories: dict[str, list[str]] = {}
        fields: dict[str, list[str]] = {}
        phones: list[tuple[PhoneHit, str]] = []
        money: list[str] = []
        seen_e164: set[str] = set()
        for field in FIELDS:
            text = texts[field]
            if not text or text.isspace():  # `not text.strip()` without copying a long body
                continue
            for hit in match_lures(text):
                phrases = categories.setdefault(hit.category, [])
                if hit.phrase not in phrases:
                    phrases.append(hit.phrase)
                where = fields.setdefault(hit.category, [])
                if field not in where:
                    where.append(field)
            for ph in find_phone_numbers(text):
                phones.append((ph, field))
                seen_e164.add(ph.e164)
        for ph in _tel_links(msg):
            if ph.e164 not in seen_e164:
                phones.append((ph, "body"))
                seen_e164.add(ph.e164)
        # Amounts matter only to the callback check, which needs a number: without one, skip them.
        if phones:
            for field in FIELDS:
                text = texts[field]
                if text and not text.isspace():
                    money.extend(m for m in find_money(text) if m not in money)
        for e in sorted(seen_e164, key=lambda e: next(i for i, (p, _) in enumerate(phones) if p.e164 == e)):
            if e not in ctx.phones:
                ctx.phones.append(e)
        ctx.facts["lures"] = {
            "categories": categories, "fields": fields, "money": money[:20],
            "phones": [{"e164": p.e164, "raw": p.raw, "field": f, "obfuscated": p.obfuscated} for p, f in phones],
        }
        yield from self._disguised_text(texts)
        yield from self._phone_findings(phones)
        yield from self._callback(categories, fields, phones, money)
        fired = []
        for cat, (symbol, what) in _CATEGORY_SYMBOLS.items():
            phrases = categories.get(cat)
            if not phrases:
                continue
            where = fields[cat]
            headline = "subject" in where or "display_name" in where
            if len(phrases) < 2 and not headline:
                continue  # one stray word in a long text is not a lure
            fired.append(cat)
            factor = 1.5 if len(phrases) >= 3 or (headline and "body" in where) else 1.0
            places = " and ".join(_FIELD_NAMES[f] for f in where)
            yield Finding(symbol, f"Wording in the {places} {what} ({_quote(phrases)}).",
                          [f"{cat}: {p}" for p in phrases[:8]], factor=factor)
        if texts["display_name"]:
            in_name = sorted(c for c, w in fields.items() if "display_name" in w and c != "urgency")
            if in_name:
                yield Finding("LURE_DISPLAY_NAME", "The sender's display name is written as a lure "
                              f"({', '.join(in_name)}), not as a person's or company's name.",
                              [f"display name: {texts['display_name']}"])
        strong = [c for c in fired if c not in ("urgency",)]
        if len(strong) >= 3:
            yield Finding("LURE_MANY_KINDS", f"The message combines {len(strong)} kinds of lure "
                          f"({', '.join(strong)}).", [f"{c}: {categories[c][0]}" for c in strong])

    @staticmethod
    def _disguised_text(texts: dict[str, str]) -> Iterator[Finding]:
        """Words that mix Latin letters with Cyrillic or Greek lookalikes ("Nеw rесоrd"), and text
        written in mathematical letters: both read normally to a person and dodge keyword filters."""
        if all(texts[field].isascii() for field in FIELDS):
            return  # lookalike and mathematical letters are all outside ASCII: nothing below can fire
        mixed: list[str] = []
        for field in FIELDS:
            text = texts[field][:30_000]
            if text.isascii() or not _CONFUSABLE_RE.search(text):
                continue
            latin_text = _mostly_latin(text)
            for w in _WORD.findall(text):
                if w.isascii() or not _CONFUSABLE_RE.search(w):
                    continue
                latin = sum("a" <= c.lower() <= "z" for c in w)
                other = sum(not ("a" <= c.lower() <= "z") and c not in CONFUSABLE_LETTERS for c in w)
                # Mixed Latin and lookalikes, or a word made only of lookalikes inside Latin text.
                if other == 0 and (latin or latin_text):
                    mixed.append(w)
                    if len(mixed) >= 20:
                        break
        headline = any(not t.isascii() and _CONFUSABLE_RE.search(t) and
                       any(w in mixed for w in _WORD.findall(t)) for t in (texts["subject"], texts["display_name"]))
        if len(mixed) >= 3 or (mixed and headline):
            yield Finding("TEXT_MIXED_SCRIPT", f"{len(mixed)} word(s) are spelled with Cyrillic or Greek letters "
                          f"that look Latin (\"{mixed[0]}\"), a trick to slip past keyword filters.",
                          [f"{w} ({_scripts(w)})" for w in dict.fromkeys(mixed)])
        styled = "".join(_STYLED.findall(texts["subject"] + texts["display_name"]))
        if len(styled) >= 4:
            yield Finding("TEXT_STYLED_LETTERS", "The subject or sender name is written in mathematical "
                          "letters (\U0001d400-style bold or italic), which look like text but are not "
                          "matched by keyword filters.", [(texts["subject"] or texts["display_name"])[:120]])

    @staticmethod
    def _phone_findings(phones: list[tuple[PhoneHit, str]]) -> Iterator[Finding]:
        tricky = [p for p, _ in phones if p.obfuscated]
        if tricky:
            yield Finding("PHONE_OBFUSCATED", f"A phone number is disguised to slip past filters "
                          f"(written \"{tricky[0].raw}\", dials {tricky[0].e164}).",
                          [f"{p.raw} -> {p.e164}" for p in tricky])
        subj = [p for p, f in phones if f == "subject"]
        if subj:
            yield Finding("PHONE_IN_SUBJECT", f"The subject carries a phone number ({subj[0].e164}).",
                          [f"{p.raw} -> {p.e164}" for p in subj])
        name = [p for p, f in phones if f == "display_name"]
        if name:
            yield Finding("PHONE_IN_DISPLAY_NAME", f"The sender's display name carries a phone number "
                          f"({name[0].e164}).", [f"{p.raw} -> {p.e164}" for p in name])

    @staticmethod
    def _callback(categories: dict[str, list[str]], fields: dict[str, list[str]],
                  phones: list[tuple[PhoneHit, str]], money: list[str]) -> Iterator[Finding]:
        words = categories.get("callback", [])
        if not phones or not words:
            return
        context = [c for c in ("invoice_payment", "account_anomaly", "threat") if c in categories]
        headline = any(f != "body" for _, f in phones) or any(f != "body" for f in fields.get("callback", []))
        if not (money or context or len(words) >= 3 or headline):
            return
        numbers = list(dict.fromkeys(p.e164 for p, _ in phones))
        why = []
        if money:
            why.append(f"an amount ({money[0]})")
        if context:
            why.append(" and ".join(c.replace("_", "/") for c in context) + " wording")
        extra = f", with {' and '.join(why)}" if why else ""
        yield Finding("LURE_CALLBACK", f"The message asks the reader to phone {numbers[0]} about a charge, "
                      f"refund or cancellation ({_quote(words)}){extra}: the shape of a callback scam.",
                      [f"phone: {n}" for n in numbers[:5]] + [f"callback: {w}" for w in words[:5]]
                      + [f"amount: {m}" for m in money[:3]])


ANALYZER = LuresAnalyzer

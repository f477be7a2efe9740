"""Content checks on one attacker-writable field of a platform message.

The platform analyzer cuts a message into the platform's fixed text and the fields its customer (or
an attacker) wrote, then runs the same content checks on each field alone: phone numbers (with the
digit-folding tricks), money amounts, brand names of *other* companies, lure vocabulary, links to
domains the platform does not own, crypto addresses, and fields that are oversized or oddly built.

The detectors are the shared ones (`mailwarden.phones`, `mailwarden.lures`, `mailwarden.brands`,
`mailwarden.psl`); this module adds the platform-specific vocabulary (giveaways, casinos, wallets)
and brand names that field checks need on top of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from mailwarden.brands import brand_name, lookalike, match_brand
from mailwarden.lures import find_money as _lures_money
from mailwarden.lures import match_lures
from mailwarden.phones import find_phone_numbers
from mailwarden.psl import registrable_domain  # noqa: F401 - used by platforms and the analyzer

MAX_FIELD_CHARS = 20_000  # lures sit near the top; a longer field is judged on its beginning



@dataclass
class Phone:
    e164: str
    raw: str
    obfuscated: bool


def find_phones(text: str, region: str = "US") -> list[Phone]:
    """Phone numbers in `text`, E.164, de-duplicated; look-alike digits are folded first."""
    if not text:
        return []
    return _dedupe([Phone(h.e164, h.raw, bool(h.obfuscated)) for h in find_phone_numbers(text, region)])


def _dedupe(phones: list[Phone]) -> list[Phone]:
    seen: set[str] = set()
    out = []
    for p in phones:
        if p.e164 not in seen:
            seen.add(p.e164)
            out.append(p)
    return out


def find_money(text: str) -> list[str]:
    return list(_lures_money(text)) if text else []


# Lure vocabulary. The shared `mailwarden.lures` is used when present; this fallback keeps the
# categories the platform sentences need. `prize` (giveaways, casinos, "you have won") is kept here
# in any case: it is what throwaway-tenant and Firebase spam mostly carries.
_FALLBACK_LURES: dict[str, list[str]] = {
    "callback": [r"call (?:us|now|(?:our|the) (?:support|billing|helpline|help desk))", r"call\s*(?:\+|\(|\d)",
                 r"to cancel", r"cancel (?:the|this|your) (?:order|subscription|charge|payment|transaction)",
                 r"toll[- ]free", r"helpline", r"customer (?:care|support) (?:number|line)",
                 r"rufen sie", r"llame", r"ligue", r"appelez", r"contact (?:us|support) (?:at|on) \+?\d"],
    "invoice_payment": [r"unusual charge", r"charged?", r"invoice", r"billing", r"subscription (?:renew|fee|charge)",
                        r"auto[- ]?renew(?:al|ed)?", r"refund", r"payment (?:failed|declined|received|pending|confirmation)",
                        r"purchase (?:of|confirmation)", r"order (?:confirmation|#|no)", r"transaction",
                        r"zahlung", r"rechnung", r"abbuchung", r"auszahlung", r"factura", r"cobro", r"pago",
                        r"fatura", r"cobrança", r"paiement", r"facture", r"geek squad", r"norton", r"mcafee"],
    "credential": [r"verify your (?:account|identity|wallet|email|details|information)", r"confirm your (?:account|identity|details|wallet|keys|information|data)",
                   r"(?:reset|update|change) your password", r"log ?in to your account", r"sign ?in to (?:your|continue)",
                   r"seed phrase", r"recovery phrase", r"secret phrase", r"private key",
                   r"bestätigen sie ihr", r"konto (?:bestätigen|verifizieren)", r"verifique su", r"confirme (?:sua|seus)",
                   r"vérifiez votre", r"passwort", r"contraseña", r"senha", r"mot de passe"],
    "fake_2fa": [r"verification code", r"security code", r"one[- ]time (?:code|password|passcode)", r"\botp\b",
                 r"bestätigungscode", r"código de verificación", r"código de verificação", r"code de vérification"],
    "message_bait": [r"unread (?:private )?messages?", r"private messages?", r"you have \d+ new messages?",
                     r"someone (?:sent|left) you a (?:private )?message", r"ungelesene nachrichten", r"mensajes? sin leer",
                     r"mensagens? não lidas?", r"messages? non lus?"],
    "account_anomaly": [r"unusual (?:activity|sign[- ]in|login|charge)", r"suspicious (?:activity|sign[- ]in|login)",
                        r"unauthori[sz]ed", r"(?:account|wallet|access) (?:is |has been |will be )?(?:suspended|locked|restricted|disabled|closed|on hold|hold)",
                        r"suspension", r"compromised", r"gesperrt", r"ungewöhnliche", r"suspendida", r"bloquead[ao]",
                        r"suspens[ao]", r"bloqué", r"will be (?:deleted|removed|closed)", r"gelöscht", r"eliminen"],
    "urgency": [r"urgent", r"immediate(?:ly)? (?:action|attention)", r"act (?:now|fast|immediately)", r"action (?:required|needed)",
                r"within 24 hours", r"final (?:warning|notice|reminder)", r"last chance", r"expir(?:es|ing) (?:soon|today)",
                r"dringend", r"sofort", r"letzte chance", r"handlungsbedarf", r"jetzt handeln", r"urgente",
                r"inmediatamente", r"imediatamente", r"dernière chance", r"limited time", r"nur heute", r"today only"],
    "crypto": [r"bitcoin", r"\bbtc\b", r"\busdt\b", r"\busdc\b", r"tether", r"airdrop", r"crypto", r"ethereum",
               r"\beth\b", r"binance", r"metamask", r"trust ?wall?et", r"ledger", r"\bnft\b", r"blockchain", r"\bbnb\b",
               r"token (?:airdrop|claim|reward|listing)", r"coinbase", r"solana", r"wallet"],
    "gift_card": [r"gift ?cards?", r"gutschein", r"tarjeta regalo", r"cartão[- ]presente", r"carte[- ]cadeau",
                  r"steam card", r"itunes card"],
    "threat": [r"legal action", r"arrest", r"lawsuit", r"police", r"strafanzeige", r"polizei", r"demanda judicial"],
}
_PRIZE = [r"casino", r"free ?spins?", r"freispiele?", r"tours gratuits", r"gratis spins", r"giros gratis", r"jackpot",
          r"(?:welcome|casino|deposit|no deposit|willkommens)[ -]?bonus", r"bonus ohne einzahlung", r"\d+\s?% bonus",
          r"\bbonus\b", r"you(?:'ve| have)? won", r"winner", r"sie haben gewonnen", r"gewonnen", r"gewinn(?:er|spiel)?",
          r"congratulations", r"herzlichen glückwunsch", r"félicitations", r"felicidades", r"parabéns",
          r"claim (?:your|now|it)", r"reward(?:s)?", r"prize", r"giveaway", r"sweepstakes?", r"lottery", r"lotto",
          r"cash ?back", r"promo code", r"free (?:gift|trial|iphone|turkey|dinner)", r"kostenlos", r"gratuit",
          r"you(?:'ve| have) been (?:selected|chosen)", r"ausgewählt", r"testpaket", r"produkt-?tester",
          r"premio", r"prémio", r"ganador", r"gagn[ée]", r"daily payments?", r"earn \$", r"investment",
          r"dividend", r"make money", r"passive income", r"iptv", r"singles? (?:near|in) you", r"lose weight",
          r"abnehmen", r"kg in \d+ (?:woche|week)", r"geschenk", r"gratis", r"sie wurden ausgewählt",
          r"du hast gewonnen", r"gewinner(?:in)?", r"einlösen", r"preis jetzt", r"belohnung(?:en)?",
          r"treuebonus", r"gutgeschrieben", r"gewonnen", r"uitbetaling", r"gefeliciteerd", r"winnaar",
          r"cadeau", r"récompense", r"regalo", r"ganhou", r"brinde", r"recompensa", r"sorteo", r"sorteio",
          r"exclusive (?:offer|access|deal)", r"vip", r"free shipping", r"wholesale", r"limited offer",
          r"angebot (?:endet|schließt)", r"prizes", r"chance to win", r"win a", r"won a", r"free chip",
          r"welcome (?:package|pack|offer)", r"pack de bienvenue", r"tours? gratuits?", r"freispiel", r"gewinnen sie"]


@lru_cache(maxsize=1)
def _combined_rx() -> re.Pattern[str]:
    """Every private category in one pattern (one pass per text); the group name is the category."""
    cats = dict(_FALLBACK_LURES)
    cats["prize"] = _PRIZE
    cats["urgency"] = cats["urgency"] + _URGENCY_EXTRA
    alts = "|".join(f"(?P<{c}>" + "|".join(p) + ")" for c, p in cats.items())
    return re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)", re.IGNORECASE)


def _fold(phrase: str) -> str:
    """Accent-free, space-free form, so 'glückwunsch' and 'gluckwunsch' count once."""
    decomposed = unicodedata.normalize("NFKD", phrase.lower())
    return "".join(c for c in decomposed if c.isalnum())


_URGENCY_EXTRA = [r"hurry(?: up)?", r"only \d+ (?:left|remaining)", r"limited (?:time|offer|number)", r"expires? (?:today|soon|in)",
                  r"in wenigen stunden", r"nur noch", r"jetzt (?:handeln|sichern|einlösen)", r"last chance", r"act now",
                  r"before it'?s too late", r"don'?t miss"]





def find_lures(text: str) -> dict[str, list[str]]:
    """Lure categories found in `text`, each with the phrases that matched (at most 5 per category)."""
    if not text:
        return {}
    out: dict[str, list[str]] = {}
    norm = unicodedata.normalize("NFKC", text[:MAX_FIELD_CHARS])
    for hit in match_lures(norm):
        out.setdefault(hit.category, [])
        if hit.phrase not in out[hit.category] and len(out[hit.category]) < 5:
            out[hit.category].append(hit.phrase)
    # the private vocabulary (giveaways, casinos, call-back and wallet wording) adds its phrases
    have = {c: {_fold(p) for p in v} for c, v in out.items()}
    for m in _combined_rx().finditer(norm):
        cat = m.lastgroup or ""
        phrase = m.group(0).lower()
        seen = have.setdefault(cat, set())
        if _fold(phrase) not in seen and len(out.get(cat, [])) < 8:
            seen.add(_fold(phrase))
            out.setdefault(cat, []).append(phrase)
    return out


# Well-known brands (the shared list in mailwarden.brands is used when present).
_FALLBACK_BRANDS = {
    "amazon": "Amazon", "apple": "Apple", "icloud": "Apple", "paypal": "PayPal", "netflix": "Netflix",
    "dhl": "DHL", "ups": "UPS", "fedex": "FedEx", "usps": "USPS", "costco": "Costco", "walmart": "Walmart",
    "starbucks": "Starbucks", "ledger": "Ledger", "metamask": "MetaMask", "binance": "Binance",
    "coinbase": "Coinbase", "trust wallet": "Trust Wallet", "tether": "Tether", "bank of america": "Bank of America",
    "chase": "Chase", "wells fargo": "Wells Fargo", "norton": "Norton", "mcafee": "McAfee", "geek squad": "Geek Squad",
    "best buy": "Best Buy", "ikea": "IKEA", "adac": "ADAC", "edeka": "Edeka", "lidl": "Lidl", "aldi": "Aldi",
    "tchibo": "Tchibo", "deutsche bahn": "Deutsche Bahn", "bahnbonus": "Deutsche Bahn", "sparkasse": "Sparkasse",
    "google": "Google", "microsoft": "Microsoft", "outlook": "Microsoft", "office 365": "Microsoft",
    "facebook": "Facebook", "instagram": "Instagram", "whatsapp": "WhatsApp", "meta": "Meta", "samsung": "Samsung",
    "lenovo": "Lenovo", "visa": "Visa", "mastercard": "Mastercard", "american express": "American Express",
    "social security": "Social Security Administration", "ssa": "Social Security Administration", "irs": "IRS",
    "spotify": "Spotify", "disney": "Disney", "docusign": "DocuSign", "dropbox": "Dropbox", "adobe": "Adobe",
    "intuit": "Intuit", "quickbooks": "Intuit", "venmo": "Venmo", "zelle": "Zelle", "cash app": "Cash App",
    "stripe": "Stripe", "square": "Square", "zoom": "Zoom", "salesforce": "Salesforce", "github": "GitHub",
    "uniswap": "Uniswap", "lido": "Lido", "magic eden": "Magic Eden", "opensea": "OpenSea", "gitcoin": "Gitcoin",
    "walgreens": "Walgreens", "cvs": "CVS", "kohl's": "Kohl's", "home depot": "Home Depot", "lowe's": "Lowe's",
    "at&t": "AT&T", "verizon": "Verizon", "t-mobile": "T-Mobile", "telekom": "Telekom", "vodafone": "Vodafone",
    "booking.com": "Booking.com", "airbnb": "Airbnb", "ebay": "eBay", "aliexpress": "AliExpress", "temu": "Temu",
}


@lru_cache(maxsize=1)
def _brand_rx() -> re.Pattern[str]:
    words = sorted(_FALLBACK_BRANDS, key=len, reverse=True)
    return re.compile(r"(?<![\w.@-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w@-]|\.\w)", re.IGNORECASE)


def find_brands(text: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """Other companies' brand names in `text` (a platform's own brand words are excluded)."""
    if not text:
        return []
    names: list[str] = []
    names.extend(brand_name(k) for k in match_brand(text))
    folded = unicodedata.normalize("NFKC", text)
    names.extend(_FALLBACK_BRANDS[m.group(0).lower()] for m in _brand_rx().finditer(folded))
    excl = {e.lower() for e in exclude}
    out = []
    for n in names:
        key = n.lower()
        if key in excl or any(e in key or key in e for e in excl):
            continue
        if n not in out:
            out.append(n)
    return out


_CRYPTO_ADDR = re.compile(
    r"(?<![\w/=.-])(?:bc1[ac-hj-np-z02-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[0-9a-fA-F]{40}"
    r"|T[1-9A-HJ-NP-Za-km-z]{33})(?![\w/=.-])")


def find_crypto_addresses(text: str) -> list[str]:
    out = []
    for m in _CRYPTO_ADDR.finditer(text or ""):
        s = m.group(0)
        # base58 look-alikes of ordinary words and ids: demand a mix of cases and digits
        if s.startswith(("0x", "bc1")) or (any(c.isdigit() for c in s) and any(c.isupper() for c in s[1:])
                                           and any(c.islower() for c in s)):
            out.append(s)
    return out[:5]


_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"')\]]+")
_DOMAIN_IN_TEXT = re.compile(r"(?i)(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|co|info|biz|xyz|"
                             r"top|site|online|app|link|live|shop|store|de|uk|ru|cn|br|me|cc|tk|ml|ga|cf|gq|us|ca|fr|es|it|nl)"
                             r")(?![\w-])")


def host_of(url: str) -> str | None:
    from urllib.parse import urlsplit

    u = url.strip()
    if u.lower().startswith("www."):
        u = "http://" + u
    try:
        host = urlsplit(u).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def urls_in_text(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?") for m in _URL_IN_TEXT.finditer(text or "")][:50]


def domains_in_text(text: str) -> list[str]:
    """Bare domain names written in a field ("visit secure-login.example.com")."""
    out = []
    for m in _DOMAIN_IN_TEXT.finditer(text or ""):
        d = m.group(1).lower()
        if d not in out:
            out.append(d)
    return out[:10]


# -- the report for one field -----------------------------------------------------------------------


@dataclass
class FieldReport:
    """What the content checks found in one attacker-writable field."""

    name: str
    label: str
    kind: str  # name | free_text | body
    text: str
    phones: list[Phone] = field(default_factory=list)
    money: list[str] = field(default_factory=list)
    lures: dict[str, list[str]] = field(default_factory=dict)
    brands: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)  # domains the platform does not own
    crypto: list[str] = field(default_factory=list)
    lookalikes: list[str] = field(default_factory=list)  # offsite domains that imitate a brand
    poses_as_platform: str | None = None  # "GitHub Security Team": the field signs as the platform
    oversized: bool = False
    odd: list[str] = field(default_factory=list)  # reasons the field's shape is odd

    @property
    def lure_categories(self) -> list[str]:
        return sorted(self.lures)

    def excerpt(self, n: int = 120) -> str:
        t = " ".join(self.text.split())
        return t if len(t) <= n else t[:n] + "…"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STAFF = (r"(?:security|support|billing|account|accounts|trust|safety|verification|compliance|help|service|"
          r"customer|admin|technical|fraud|payment|payments)")


def _poses_as(text: str, own_brands: tuple[str, ...]) -> str | None:
    """The field signs as the platform's own staff ("GitHub Security Team", "Microsoft Support Center")."""
    if not text or not own_brands:
        return None
    brands = "|".join(re.escape(b) for b in sorted(own_brands, key=len, reverse=True))
    rx = re.compile(rf"(?<!\w)(?:{brands})[\s-]+(?:{_STAFF}[\s-]+)?(?:team|department|center|centre|desk|"
                    rf"support|security|staff|billing)(?!\w)", re.IGNORECASE)
    m = rx.search(text[:20000])
    return m.group(0) if m else None


def _imitates(domain: str) -> bool:
    try:
        return lookalike(domain) is not None
    except Exception:  # noqa: BLE001
        return False


_NAME_OK = re.compile(r"[\w\s.,&'’()\-/+:#@!?]", re.UNICODE)


def odd_shape(text: str, kind: str, charset: str) -> list[str]:
    """Why a name-like field looks unlike a name: symbols, emoji, long digit runs, shouting."""
    reasons: list[str] = []
    if charset != "name" or kind != "name":
        return reasons
    odd_chars = [c for c in text if not _NAME_OK.match(c)]
    emoji = [c for c in odd_chars if unicodedata.category(c) in ("So", "Sk", "Cs") or ord(c) > 0x1F000]
    if emoji:
        reasons.append("emoji or symbols")
    elif len(odd_chars) >= 3:
        reasons.append("unusual characters")
    if re.search(r"\d{6,}", text.replace(" ", "")):
        reasons.append("a long run of digits")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        reasons.append("capital letters throughout")
    return reasons


def analyse_field(name: str, label: str, kind: str, text: str, *, max_length: int, charset: str,
                  own_phones: tuple[str, ...], own_brands: tuple[str, ...], owns_domain,  # noqa: ANN001
                  urls: list[str] | None = None, region: str = "US") -> FieldReport:
    """Run every content check on one field's text."""
    text = text or ""
    rep = FieldReport(name, label, kind, text)
    rep.phones = [p for p in find_phones(text[:MAX_FIELD_CHARS], region) if p.e164 not in own_phones]
    rep.money = find_money(text)
    rep.lures = find_lures(text)
    # brands hidden in addresses and domains ("device@mail.ledger.co") count too
    short = text[:MAX_FIELD_CHARS]
    rep.brands = find_brands(short + "\n" + re.sub(r"[@._\-]+", " ", short) if kind == "name" else short[:3000],
                             own_brands)
    rep.crypto = find_crypto_addresses(text)
    hosts = [h for h in (host_of(u) for u in (urls if urls is not None else urls_in_text(text))) if h]
    if kind != "body":  # a bare domain written into a name or a note is a link in waiting
        hosts += domains_in_text(text)
    emails = _EMAIL.findall(text) if kind == "name" else []
    hosts += [e.rsplit("@", 1)[1].lower() for e in emails]
    seen: list[str] = []
    for h in hosts:
        if owns_domain(h):
            continue
        d = registrable_domain(h)
        if d and d not in seen and not owns_domain(d):
            seen.append(d)
    rep.offsite = seen[:10]
    rep.oversized = len(text) > max_length
    rep.odd = odd_shape(text, kind, charset)
    if emails:
        rep.odd.append("an e-mail address")
    rep.lookalikes = [d for d in rep.offsite if _imitates(d)]
    rep.poses_as_platform = _poses_as(text, own_brands)
    return rep

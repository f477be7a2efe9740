"""Platform profiles: how a sending platform's genuine mail looks, and where attackers can write in it.

A profile (`data/platforms/<name>.toml`) says:
- how the platform's genuine mail is recognised: the domains whose SPF/DKIM/DMARC pass authenticates
  it (`auth_domains`), its sender addresses, Return-Path and relay patterns (shell globs);
- what it owns: domains (its links and footers) and official phone numbers (E.164);
- its templates, each with the *attacker-writable fields* in it (a tenant name in a subject, a
  display name, a share comment, an invoice note) and what such a field normally looks like;
- for mail whose whole body is written by the platform's customer (a throwaway Microsoft 365 tenant,
  a Firebase project with custom templates), `customer_sender` patterns: such mail is read as one
  big attacker-writable field.

Profiles are data: `load_profiles()` validates every file and raises `ProfileError` with the file
and key when one is wrong, so a bad profile fails tests rather than scans.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from mailwarden.psl import registrable_domain

FIELD_SOURCES = ("subject", "display_name", "reply_to", "html", "text", "body")
FIELD_KINDS = ("name", "free_text", "body")
LINK_POLICIES = ("own", "any")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PROFILE_KEYS = {"name", "display", "system", "source", "references", "recognise", "owns", "look",
                 "templates", "customer"}
_RECOGNISE_KEYS = {"auth_domains", "from_addresses", "return_paths", "relays"}
_OWNS_KEYS = {"domains", "phones", "brand_words"}
_LOOK_KEYS = {"phrases", "min_phrases"}
_TEMPLATE_KEYS = {"id", "description", "subject", "body", "from_addresses", "links", "fields", "expected"}
LURE_CATEGORIES = ("callback", "credential", "fake_2fa", "message_bait", "account_anomaly", "invoice_payment",
                   "crypto", "gift_card", "urgency", "threat", "prize", "delivery", "document_share")
_FIELD_KEYS = {"name", "label", "source", "pattern", "selector", "kind", "max_length", "charset"}
_CUSTOMER_KEYS = {"senders", "label", "description", "links", "factor"}


class ProfileError(ValueError):
    """A platform profile that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class FieldSpec:
    """Where one attacker-writable field sits in a template, and what it normally looks like."""

    name: str  # stable id, e.g. "organisation"
    label: str  # words for a person: "the organisation name"
    source: str  # one of FIELD_SOURCES
    pattern: re.Pattern[str] | None = None  # regex with a named group `field` (subject, display_name, text, body)
    selector: str | None = None  # CSS selector (html)
    kind: str = "name"  # name: a short label; free_text: a note or comment; body: the whole message
    max_length: int = 80  # longer than this is odd for the field
    charset: str = "any"  # "name": letters, digits, spaces and light punctuation are normal


@dataclass(frozen=True)
class Template:
    id: str
    description: str  # "account email verification code"
    subject: re.Pattern[str] | None  # the message is this template when the subject matches (search)
    body: re.Pattern[str] | None  # ... and the visible text matches this (search)
    from_addresses: tuple[str, ...]  # globs; empty = any sender of the profile
    links: str  # "own": every link should be the platform's; "any": links are normal in fields
    fields: tuple[FieldSpec, ...]
    expected: frozenset[str] = frozenset()  # lure categories that are this template's own business

    def matches(self, sender: str, subject: str, text: str) -> bool:
        if self.from_addresses and not glob_any(sender, self.from_addresses):
            return False
        if self.subject is not None and not self.subject.search(subject):
            return False
        return not (self.body is not None and not self.body.search(text))


@dataclass(frozen=True)
class Profile:
    name: str  # stable id, e.g. "microsoft365"
    display: str  # "Microsoft 365 / Entra"
    system: str  # "Microsoft's notification system" (used in sentences)
    source: str  # "corpus", "documentation" or "corpus+documentation"
    references: tuple[str, ...]
    auth_domains: tuple[str, ...]
    from_addresses: tuple[str, ...]
    return_paths: tuple[str, ...]
    relays: tuple[str, ...]
    domains: tuple[str, ...]
    phones: tuple[str, ...]
    brand_words: tuple[str, ...]
    look_phrases: tuple[str, ...]
    look_min: int
    templates: tuple[Template, ...]
    customer_senders: tuple[str, ...] = ()
    customer_label: str = "the message text"
    customer_description: str = "mail written by one of the platform's customers"
    customer_links: str = "any"
    customer_factor: float = 1.0  # scales PLATFORM_CUSTOMER_CONTENT: help desks mail real customers daily
    path: str = field(default="", compare=False)

    def owns_domain(self, domain: str | None) -> bool:
        """Its listed domains and their subdomains, and its own name under another suffix (paypal.de)."""
        if not domain:
            return False
        d = domain.lower().rstrip(".")
        if any(d == o or d.endswith("." + o) for o in self.domains):
            return True
        return registrable_domain(d).split(".", 1)[0] in self._own_labels

    @cached_property
    def _own_labels(self) -> set[str]:
        return {o.split(".", 1)[0] for o in self.domains if "." in o} & {w.replace(" ", "") for w in self.brand_words}

    def is_auth_domain(self, domain: str | None) -> bool:
        if not domain:
            return False
        d = domain.lower().rstrip(".")
        return any(d == o or d.endswith("." + o) for o in self.auth_domains)

    def claims_sender(self, from_address: str | None, return_path: str | None) -> bool:
        """The From address or the Return-Path is one this platform sends from."""
        return bool((from_address and glob_any(from_address, self.from_addresses + self.customer_senders))
                    or (return_path and glob_any(return_path, self.return_paths)))

    def is_customer_sender(self, from_address: str | None) -> bool:
        return bool(from_address and glob_any(from_address, self.customer_senders))

    def template_for(self, sender: str, subject: str, text: str) -> Template | None:
        return next((t for t in self.templates if t.matches(sender, subject, text)), None)


def glob_any(value: str, patterns: tuple[str, ...]) -> bool:
    return bool(patterns) and _glob_regex(patterns).match(value.lower()) is not None


@lru_cache(maxsize=512)
def _glob_regex(patterns: tuple[str, ...]) -> re.Pattern:
    """All of a profile's sender globs as one compiled expression (checked for every message)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


# -- loading and validation ---------------------------------------------------------------------


def _strs(data: dict, key: str, where: str, *, lower: bool = True) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProfileError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(v.lower() if lower else v for v in value)


def _regex(value: object, where: str, *, need_group: bool = False) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ProfileError(f"{where} must be a non-empty string")
    try:
        rx = re.compile(value, re.IGNORECASE | re.DOTALL)
    except re.error as exc:
        raise ProfileError(f"{where}: bad regular expression: {exc}") from None
    if need_group and "field" not in rx.groupindex:
        raise ProfileError(f"{where}: the pattern needs a named group (?P<field>...)")
    return rx


def _unknown(data: dict, allowed: set[str], where: str) -> None:
    extra = set(data) - allowed
    if extra:
        raise ProfileError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")


def _field(data: object, where: str) -> FieldSpec:
    if not isinstance(data, dict):
        raise ProfileError(f"{where} must be a table")
    _unknown(data, _FIELD_KEYS, where)
    for key in ("name", "label", "source"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"{where}: {key} is required")
    source = data["source"]
    if source not in FIELD_SOURCES:
        raise ProfileError(f"{where}: source must be one of {', '.join(FIELD_SOURCES)}")
    kind = data.get("kind", "name")
    if kind not in FIELD_KINDS:
        raise ProfileError(f"{where}: kind must be one of {', '.join(FIELD_KINDS)}")
    pattern = _regex(data.get("pattern"), f"{where}: pattern", need_group=True)
    selector = data.get("selector")
    if source == "html":
        if not isinstance(selector, str) or not selector:
            raise ProfileError(f"{where}: an html field needs a CSS selector")
        from selectolax.lexbor import LexborHTMLParser

        try:
            LexborHTMLParser("<p></p>").css(selector)
        except Exception as exc:  # noqa: BLE001 - lexbor raises several types for bad selectors
            raise ProfileError(f"{where}: bad CSS selector {selector!r}: {exc}") from None
    elif selector is not None:
        raise ProfileError(f"{where}: selector is only for html fields")
    if source in ("subject", "text") and pattern is None:
        raise ProfileError(f"{where}: a {source} field needs a pattern with (?P<field>...)")
    max_length = data.get("max_length", 80 if kind == "name" else 2000)
    if not isinstance(max_length, int) or max_length <= 0:
        raise ProfileError(f"{where}: max_length must be a positive integer")
    charset = data.get("charset", "name" if kind == "name" else "any")
    if charset not in ("name", "any"):
        raise ProfileError(f"{where}: charset must be 'name' or 'any'")
    return FieldSpec(data["name"], data["label"], source, pattern, selector, kind, max_length, charset)


def _template(data: object, where: str) -> Template:
    if not isinstance(data, dict):
        raise ProfileError(f"{where} must be a table")
    _unknown(data, _TEMPLATE_KEYS, where)
    for key in ("id", "description"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"{where}: {key} is required")
    subject = _regex(data.get("subject"), f"{where}: subject")
    body = _regex(data.get("body"), f"{where}: body")
    if subject is None and body is None:
        raise ProfileError(f"{where}: a template needs a subject or body pattern to be recognised")
    links = data.get("links", "own")
    if links not in LINK_POLICIES:
        raise ProfileError(f"{where}: links must be one of {', '.join(LINK_POLICIES)}")
    fields_data = data.get("fields", [])
    if not isinstance(fields_data, list) or not fields_data:
        raise ProfileError(f"{where}: a template needs at least one attacker-writable field")
    fields = tuple(_field(f, f"{where}.fields[{i}]") for i, f in enumerate(fields_data))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise ProfileError(f"{where}: field names must be unique")
    expected = _strs(data, "expected", where)
    unknown = set(expected) - set(LURE_CATEGORIES)
    if unknown:
        raise ProfileError(f"{where}: expected names unknown lure categories {', '.join(sorted(unknown))}")
    return Template(data["id"], data["description"], subject, body,
                    _strs(data, "from_addresses", where), links, fields, frozenset(expected))


def parse_profile(data: dict, where: str) -> Profile:
    """Validate one profile's TOML data; raises ProfileError naming `where` and the key."""
    _unknown(data, _PROFILE_KEYS, where)
    for key in ("name", "display", "system", "source"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"{where}: {key} is required")
    if not re.fullmatch(r"[a-z0-9_]+", data["name"]):
        raise ProfileError(f"{where}: name must be lower-case letters, digits and underscores")
    if not any(s in data["source"] for s in ("corpus", "documentation")):
        raise ProfileError(f"{where}: source must say 'corpus' and/or 'documentation'")
    refs = _strs(data, "references", where, lower=False)
    rec = data.get("recognise")
    if not isinstance(rec, dict):
        raise ProfileError(f"{where}: [recognise] is required")
    _unknown(rec, _RECOGNISE_KEYS, f"{where}: [recognise]")
    auth_domains = _strs(rec, "auth_domains", f"{where}: [recognise]")
    if not auth_domains:
        raise ProfileError(f"{where}: [recognise] auth_domains must not be empty")
    from_addresses = _strs(rec, "from_addresses", f"{where}: [recognise]")
    return_paths = _strs(rec, "return_paths", f"{where}: [recognise]")
    owns = data.get("owns")
    if not isinstance(owns, dict):
        raise ProfileError(f"{where}: [owns] is required")
    _unknown(owns, _OWNS_KEYS, f"{where}: [owns]")
    domains = _strs(owns, "domains", f"{where}: [owns]")
    if not domains:
        raise ProfileError(f"{where}: [owns] domains must not be empty")
    phones = _strs(owns, "phones", f"{where}: [owns]")
    for p in phones:
        if not _E164.match(p):
            raise ProfileError(f"{where}: [owns] phone {p!r} is not E.164 (+ and digits)")
    brand_words = _strs(owns, "brand_words", f"{where}: [owns]")
    if not brand_words:
        raise ProfileError(f"{where}: [owns] brand_words must not be empty")
    look = data.get("look", {})
    if not isinstance(look, dict):
        raise ProfileError(f"{where}: [look] must be a table")
    _unknown(look, _LOOK_KEYS, f"{where}: [look]")
    look_phrases = _strs(look, "phrases", f"{where}: [look]")
    look_min = look.get("min_phrases", 2)
    if not isinstance(look_min, int) or look_min < 1:
        raise ProfileError(f"{where}: [look] min_phrases must be a positive integer")
    templates_data = data.get("templates", [])
    if not isinstance(templates_data, list):
        raise ProfileError(f"{where}: templates must be an array of tables ([[templates]])")
    templates = tuple(_template(t, f"{where}: templates[{i}]") for i, t in enumerate(templates_data))
    ids = [t.id for t in templates]
    if len(set(ids)) != len(ids):
        raise ProfileError(f"{where}: template ids must be unique")
    cust = data.get("customer", {})
    if not isinstance(cust, dict):
        raise ProfileError(f"{where}: [customer] must be a table")
    _unknown(cust, _CUSTOMER_KEYS, f"{where}: [customer]")
    customer_senders = _strs(cust, "senders", f"{where}: [customer]")
    if not (from_addresses or return_paths or customer_senders):
        raise ProfileError(f"{where}: the profile needs from_addresses, return_paths or [customer] senders")
    if not templates and not customer_senders:
        raise ProfileError(f"{where}: the profile needs templates or [customer] senders")
    customer_links = cust.get("links", "any")
    if customer_links not in LINK_POLICIES:
        raise ProfileError(f"{where}: [customer] links must be one of {', '.join(LINK_POLICIES)}")
    factor = cust.get("factor", 1.0)
    if not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
        raise ProfileError(f"{where}: [customer] factor must be a number from 0 to 1")
    return Profile(
        name=data["name"], display=data["display"], system=data["system"], source=data["source"],
        references=refs, auth_domains=auth_domains, from_addresses=from_addresses, return_paths=return_paths,
        relays=_strs(rec, "relays", f"{where}: [recognise]"), domains=domains, phones=phones,
        brand_words=brand_words, look_phrases=look_phrases, look_min=look_min, templates=templates,
        customer_senders=customer_senders,
        customer_label=str(cust.get("label", "the message text")),
        customer_description=str(cust.get("description", "mail written by one of the platform's customers")),
        customer_links=customer_links, customer_factor=factor, path=where,
    )


def load_profile_file(path: str | Path) -> Profile:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{p.name}: not valid TOML: {exc}") from None
    return parse_profile(data, p.name)


@lru_cache(maxsize=1)
def load_profiles() -> tuple[Profile, ...]:
    """Every bundled profile, validated, in file-name order."""
    folder = resources.files("mailwarden") / "data" / "platforms"
    out: list[Profile] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(item.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{item.name}: not valid TOML: {exc}") from None
        prof = parse_profile(data, item.name)
        if prof.name != item.name[:-5]:
            raise ProfileError(f"{item.name}: name {prof.name!r} must match the file name")
        out.append(prof)
    return tuple(out)

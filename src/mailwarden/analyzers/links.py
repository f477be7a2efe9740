"""Links: where the message asks the reader to go, and how it disguises that.

Collects URLs from the plain text, the HTML (href, src, form action, meta refresh, CSS url()),
and from `ctx.facts["extra_urls"]` (attachments and QR codes, as `(url, source)` pairs put there
by the attachments analyzer). Each URL is refanged, normalised and unwrapped through known
redirectors before it is judged, so a Safe Links wrapper around a phishing page is judged as
the phishing page.

Facts it sets:
- `ctx.urls`: normalised, unwrapped, de-duplicated URLs, at most `limits.max_urls`.
- `ctx.facts["links"]`: list of `{"url", "text", "source", "domain", "via"}` — final URL, link
  text (HTML anchors), where it came from (`text`, `html:a`, `html:form`, `attachment:…`),
  registrable domain of the final URL, and the wrapper URL it was unwrapped from (or None).

Authentication never exempts anything here: a link-text mismatch in mail that passed DMARC
is still a link-text mismatch (Rspamd's phishing module skips authenticated senders; we don't).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from mailwarden.analyzers.base import Analyzer
from mailwarden.brands import brand_for_domain, is_mixed_script, lookalike
from mailwarden.config import ConfigError
from mailwarden.context import ScanContext
from mailwarden.feeds import Blocklist, FeedError, load_blocklists
from mailwarden.findings import Finding
from mailwarden.htmltext import html_document
from mailwarden.message import Message
from mailwarden.psl import under_known_suffix
from mailwarden.urls import (
    UrlInfo,
    extract_urls_from_text,
    hosting_data,
    parse_url,
    registrable_domain,
    unwrap_parsed,
)

_TEXT_AS_URL = re.compile(
    r"^\s*[<(\[]?\s*(?:(?:https?|hxxps?)(?:://|\[:\]//))?(?:www\d{0,3}\.)?"
    r"((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9\-]{1,23})\.?"
    r"(?::\d{1,5})?(?:[/?#][^\s]*)?\s*[>)\]]?\s*$",
    re.IGNORECASE,
)
_SKIP_SCHEMES = ("mailto:", "tel:", "cid:", "#", "sms:", "callto:", "about:blank")
_LOOKALIKE_PER_MESSAGE = 8  # brands.lookalike costs ~1 ms per new host
_DNSBL_DOMAINS_PER_MESSAGE = 10
_MANY_LINKS = 5
_DIGEST_DOMAINS = 20
_HOST_CATEGORY_SYMBOLS = ("URL_IP_LITERAL", "URL_FREE_HOSTING", "URL_FORM_HOST", "URL_FILE_SHARE", "URL_SHORTENER",
                          "URL_SUSPICIOUS_TLD", "URL_PUNYCODE", "URL_BRAND_IN_DOMAIN")
# where a reader can click (or is sent): images and style sheets on odd hosts are not lures
_CLICKABLE = frozenset({"text", "html:text", "html:a", "html:area", "html:form", "html:meta-refresh", "html:iframe",
                        "html:object", "html:embed", "html:frame"})


@lru_cache(maxsize=8192)
def _text_domain(text: str) -> str | None:
    """The host a link text shows when the text itself is a URL or domain ("www.paypal.com")."""
    if not text or len(text) > 300 or "." not in text:
        return None
    m = _TEXT_AS_URL.match(text)
    if not m:
        return None
    host = m.group(1).lower()
    # the last label must be a real public suffix, or "invoice.pdf" would count
    if registrable_domain(host) == host.rsplit(".", 1)[-1] or not _known_suffix(host):
        return None
    return host


def _known_suffix(host: str) -> bool:
    tld = host.rsplit(".", 1)[-1]
    return under_known_suffix(tld) and tld not in _FILE_EXTS


# file extensions that are also TLDs; link text like "report.zip" or "setup.exe" is a file name
_FILE_EXTS = {"zip", "mov", "pdf", "doc", "exe", "py", "sh", "md", "rs", "pl", "js", "cc", "so", "ps", "ai",
              "txt", "html", "htm", "php", "asp", "aspx", "jsp", "cgi", "png", "jpg", "gif", "csv", "xls"}


class _Resolved(NamedTuple):
    """One candidate URL string, judged on its own: the same strings recur within a message
    (a logo link on every product) and across messages (footers, trackers), so this is cached."""

    kind: str  # "url", "script" (javascript:/vbscript:) or "data"
    shown: str = ""  # the clipped raw string, for script and data URLs
    mediatype: str = ""  # data URLs
    info: UrlInfo | None = None  # the URL as written
    final: UrlInfo | None = None  # where it leads after known redirectors
    final_url: str = ""
    via: str | None = None  # the outermost wrapper, when unwrapped
    domain: str = ""
    findings: tuple[tuple[str, str, str], ...] = ()  # (symbol, detail, evidence) seen on the string alone


_RESOLVE_MEMO_CHARS = 2048  # longer strings (data: URIs, tracking monsters) are resolved, not remembered


# sized above the distinct URL strings of a large corpus pass (~22,000 in 4,700 messages): a cache
# smaller than one pass evicts every entry before it is asked again (LRU over a cycle)
@lru_cache(maxsize=32768)
def _resolve(raw: str) -> _Resolved | None:
    """Classify, parse, and unwrap one candidate URL string; None when it is not followed at all."""
    raw_s = raw.strip()
    low = raw_s[:16].lower().lstrip()
    if not low.startswith("http"):  # no skipped, script or data scheme starts with "http"
        if not raw_s or low.startswith(_SKIP_SCHEMES):
            return None
        if low.startswith("javascript:") or low.startswith("vbscript:"):
            return _Resolved("script", shown=_clip(raw_s, 120))
        if low.startswith("data:"):
            mediatype = raw_s[5:40].split(";")[0].split(",")[0].strip().lower()
            return _Resolved("data", shown=_clip(raw_s, 120), mediatype=mediatype)
    info = parse_url(raw_s)
    if info is None:
        return None
    findings: list[tuple[str, str, str]] = []
    if info.userinfo:
        user = info.userinfo.split(":")[0]
        if "." in user or len(user) > 20:
            findings.append(("URL_USERINFO_TRICK", f"A link starts with {_clip(user, 60)} but actually goes to "
                             f"{info.host} (everything before '@' is ignored).", _clip(info.raw)))
        else:
            findings.append(("URL_USERINFO", "A link carries a user name before '@' in its address.",
                             _clip(info.raw)))
    chain = unwrap_parsed(info)
    final_url = chain[-1][0]
    via = chain[0][0] if len(chain) > 1 else None
    final = parse_url(final_url) if via else info
    if final is None:
        final = info
        final_url = info.url
    if via:
        kinds = {k for _, k in chain[:-1]}
        outer = parse_url(via)
        outer_dom = registrable_domain(outer.host) if outer else ""
        if "open" in kinds and final.domain != outer_dom:
            findings.append(("URL_OPEN_REDIRECT", f"A link borrows {outer_dom}'s redirector to send the reader "
                             f"to {final.host}.", f"{_clip(via, 120)} -> {_clip(final_url, 120)}"))
    return _Resolved("url", info=info, final=final, final_url=final_url, via=via, domain=final.domain,
                     findings=tuple(findings))


class _Acc:
    """Findings accumulated per symbol: first detail sentence, evidence from every hit."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, list[str]]] = {}

    def add(self, symbol: str, detail: str, evidence: str) -> None:
        entry = self.items.get(symbol)
        if entry is None:
            self.items[symbol] = (detail, [evidence])
        elif evidence not in entry[1] and len(entry[1]) < 10:
            entry[1].append(evidence)

    def findings(self, factors: dict[str, float] | None = None) -> Iterator[Finding]:
        for symbol, (detail, evidence) in self.items.items():
            yield Finding(symbol, detail, evidence, (factors or {}).get(symbol, 1.0))


def _clip(s: str, n: int = 200) -> str:
    return s if len(s) <= n else s[:n] + "…"


class LinksAnalyzer(Analyzer):
    name = "links"
    requires = ("attachments",)

    def warm_up(self) -> None:
        # IDNA's UTS #46 mapping table is imported by the first internationalised host name
        import idna

        idna.encode("b\u00fccher.example", uts46=True)

    def __init__(self) -> None:
        self.blocklist = Blocklist()
        self.dnsbl_zones: list[str] = []
        self.engine: Any = None

    def setup(self, engine: Any) -> None:
        self.engine = engine
        cfg = engine.config
        hosting_data()  # load once, not on the first message
        base = Path(cfg.source).parent if cfg.source and cfg.source != "config" else None
        try:
            self.blocklist = load_blocklists(cfg.section("blocklists"), base)
        except FeedError as exc:
            raise ConfigError(f"[blocklists] {exc}") from None
        zones = cfg.section("dns").get("dnsbl", [])
        self.dnsbl_zones = [zones] if isinstance(zones, str) else [str(z) for z in zones]

    # ------------------------------------------------------------------------------------------
    def _candidates(self, msg: Message, ctx: ScanContext) -> list[tuple[str, str, str]]:
        """(raw url, link text, source) from every place a URL can hide."""
        out: list[tuple[str, str, str]] = []
        if msg.text:
            out.extend((u, "", "text") for u in extract_urls_from_text(msg.text))
        if msg.html:
            doc = html_document(msg.html)
            out.extend((link.url, link.text, f"html:{link.source}") for link in doc.links)
            # URLs written as text in the HTML ("copy this address: hxxps://…"), not as links
            out.extend((u, "", "html:text") for u in extract_urls_from_text(doc.visible_text))
            ctx.facts["html_doc"] = doc
        for item in ctx.facts.get("extra_urls", ()) or ():
            try:
                url, src = item
            except (TypeError, ValueError):
                continue
            out.append((str(url), "", f"attachment:{src}"))
        return out

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        acc = _Acc()
        hosting = hosting_data()
        from_domain = registrable_domain(ctx.from_info.get("domain") or "") if ctx.from_info.get("domain") else ""
        max_urls = msg.limits.max_urls
        links: list[dict] = []
        urls: list[str] = []
        seen_urls: set[str] = set()
        infos: dict[str, UrlInfo] = {}  # clickable URLs only
        anchor_domains: dict[str, int] = {}
        truncated = False

        for raw, text, source in self._candidates(msg, ctx):
            r = _resolve(raw) if len(raw) <= _RESOLVE_MEMO_CHARS else _resolve.__wrapped__(raw)
            if r is None:
                continue
            kind = r.kind
            if kind == "script":
                if source in ("html:a", "html:area", "html:form", "html:iframe", "html:meta-refresh", "text"):
                    acc.add("URL_JAVASCRIPT", "A link runs script instead of opening a page.", r.shown)
                continue
            if kind == "data":
                mediatype = r.mediatype
                if source not in ("html:img", "html:css", "html:background", "html:source", "html:input") or \
                        mediatype in ("text/html", "image/svg+xml", "application/xhtml+xml"):
                    acc.add("URL_DATA_URI", f"A link carries an embedded {mediatype or 'data'} document "
                            "instead of pointing to a site.", r.shown)
                continue
            # tricks visible only on the URL as written, then the redirector it borrows
            if r.findings:
                for finding in r.findings:
                    acc.add(*finding)
            info, final, final_url, via, domain = r.info, r.final, r.final_url, r.via, r.domain
            clickable = source in _CLICKABLE or source.startswith("attachment:")
            # _text_domain() finds no domain in a text without a dot: most anchors ("Read more") skip the call
            if text and "." in text and source in ("html:a", "html:area"):
                self._check_text_mismatch(text, final, domain, via, from_domain, acc, hosting)
            if clickable:
                anchor_domains[domain] = anchor_domains.get(domain, 0) + 1
            links.append({"url": final_url, "text": text if len(text) <= 200 else _clip(text, 200),
                          "source": source, "domain": domain, "via": via})
            if final_url not in seen_urls:
                if len(urls) >= max_urls:
                    truncated = True
                    continue
                seen_urls.add(final_url)
                urls.append(final_url)
            if clickable and final_url not in infos:
                infos[final_url] = final
                if info.ip_obfuscated and info is not final:
                    infos.setdefault(info.url, info)

        if truncated:
            msg._budget.hit("urls", f"more than {max_urls} distinct URLs; the rest were not analysed",
                            [f"{max_urls} URLs kept"])
        ctx.urls = urls
        ctx.facts["links"] = links

        self._check_hosts(infos, from_domain, acc, hosting)
        self._check_many_to_one(anchor_domains, from_domain, acc)
        self._check_blocklists(infos, links, acc)
        if self.dnsbl_zones and infos:
            self._check_dnsbl(infos, acc, ctx)
        # A digest or link directory (dozens of unrelated sites) carries an odd host or two by chance;
        # a lure points to one or two places.
        factors = None
        if len(anchor_domains) >= _DIGEST_DOMAINS:
            factors = dict.fromkeys(_HOST_CATEGORY_SYMBOLS, 0.5)
        yield from acc.findings(factors)

    # ------------------------------------------------------------------------------------------
    def _check_text_mismatch(self, text: str, final: UrlInfo, domain: str, via: str | None, from_domain: str,
                             acc: _Acc, hosting: Any) -> None:
        shown = _text_domain(text)
        if shown is None:
            return
        shown_dom = registrable_domain(shown)
        if shown_dom == domain:
            return
        if via is None and hosting.trackers.match(final.host, final.path):
            return  # an opaque click tracker: the destination cannot be known offline
        shown_brand = brand_for_domain(shown_dom)
        if shown_brand is not None and shown_brand == brand_for_domain(domain):
            return  # paypal.com text to paypal.me: one owner
        evidence = f"text {_clip(text, 80)!r} -> {_clip(final.url, 150)}"
        if shown_brand is not None:
            acc.add("URL_HREF_TEXT_MISMATCH_BRAND", f"The link text shows {shown} but the link goes to "
                    f"{final.host}.", evidence)
        elif domain != from_domain:  # the sender's own click tracker is everyday newsletter practice
            acc.add("URL_HREF_TEXT_MISMATCH", f"The link text shows {shown} but the link goes to {final.host}.",
                    evidence)

    def _check_hosts(self, infos: dict[str, UrlInfo], from_domain: str, acc: _Acc, hosting: Any) -> None:
        looked = 0
        done_hosts: set[str] = set()
        for url, info in infos.items():
            if info.ip:
                if not info.ip_obfuscated and not ipaddress.ip_address(info.ip).is_global:
                    continue  # 192.168.x.x in a technical thread is a device, not a landing page
                sym = "URL_IP_OBFUSCATED" if info.ip_obfuscated else "URL_IP_LITERAL"
                what = "a disguised numeric IP address" if info.ip_obfuscated else "a bare IP address"
                acc.add(sym, f"A link goes to {what} ({info.ip}) instead of a named site.", _clip(info.raw))
                continue
            host = info.host
            if host in done_hosts:
                continue
            done_hosts.add(host)
            dom = registrable_domain(host)
            own = bool(from_domain) and dom == from_domain
            if info.is_idn:
                mixed = [lab for lab in info.host_unicode.split(".") if is_mixed_script(lab)]
                if mixed:
                    acc.add("URL_MIXED_SCRIPT", f"A link's domain {info.host_unicode} mixes alphabets, the way "
                            "look-alike domains are built.", f"{info.host_unicode} ({host})")
                else:
                    acc.add("URL_PUNYCODE", f"A link goes to an internationalised domain {info.host_unicode}.",
                            f"{info.host_unicode} ({host})")
            if looked < _LOOKALIKE_PER_MESSAGE and not own:  # the From domain is the identity check's job
                looked += 1
                hit = lookalike(host)
                if hit is not None:
                    sym = "URL_BRAND_LOOKALIKE" if getattr(hit, "strong", True) else "URL_BRAND_IN_DOMAIN"
                    acc.add(sym, hit.detail, f"{host} imitates {hit.brand_name}")
            path = info.path
            # Most hosts are in none of the five lists below: one memoised question skips five lookups.
            listed = hosting.listed(host)
            # A form on the sending platform's own domain is still a stranger's form (Google Forms mail
            # comes from google.com): the form check ignores who sent the message.
            if listed and (m := hosting.form_hosts.match(host, path)) is not None:
                acc.add("URL_FORM_HOST", f"A link goes to a form or site builder ({m}) that anyone can use to "
                        "collect passwords.", _clip(url))
                continue
            if own:
                continue  # the sender's own site is not "free hosting" for this message
            if (listed and hosting.ipfs.match(host, path)) or "/ipfs/" in path[:8] or "/ipns/" in path[:8]:
                acc.add("URL_IPFS", f"A link goes to an IPFS gateway ({host}), where pages cannot be taken down "
                        "quickly.", _clip(url))
            elif listed and (m := hosting.free_hosting.match(host, path)) is not None:
                acc.add("URL_FREE_HOSTING", f"A link goes to a page on free hosting ({m}), where anyone can "
                        "publish in minutes.", _clip(url))
            elif listed and (m := hosting.file_share.match(host, path)) is not None:
                acc.add("URL_FILE_SHARE", f"A link goes to a file-sharing service ({m}).", _clip(url))
            if listed and (m := hosting.shorteners.match(host)) is not None:
                acc.add("URL_SHORTENER", f"A link goes through a URL shortener ({m}) that hides its destination.",
                        _clip(url))
            tld = host.rsplit(".", 1)[-1]
            if tld in hosting.suspicious_tlds:
                acc.add("URL_SUSPICIOUS_TLD", f"A link goes to a .{tld} domain, a TLD heavily used for abuse.",
                        host)

    def _check_many_to_one(self, counts: dict[str, int], from_domain: str, acc: _Acc) -> None:
        total = sum(counts.values())
        if total < _MANY_LINKS or not from_domain:
            return
        # what Counter.most_common(1) gives: max() keeps the first of equal counts, in insertion order
        dom, n = max(counts.items(), key=itemgetter(1))
        if n < _MANY_LINKS or n / total < 0.8 or dom == from_domain:
            return
        if hosting_data().trackers.match(dom, "") is not None:
            return  # every link through the newsletter's click tracker is how mailing services work
        fb = brand_for_domain(from_domain)
        if fb is not None and fb == brand_for_domain(dom):
            return
        acc.add("URL_MANY_TO_ONE_UNRELATED", f"{n} of the {total} links go to {dom}, which is unrelated to the "
                f"sender's domain {from_domain}.", f"{dom}: {n}/{total} links; From domain {from_domain}")

    def _check_blocklists(self, infos: dict[str, UrlInfo], links: list[dict], acc: _Acc) -> None:
        bl = self.blocklist
        if not bl.urls and not bl.domains:  # len(bl), without the method call on every message
            return
        checked: set[str] = set()
        candidates = list(infos.items())
        # the wrappers too: a feed may list the redirector URL itself
        candidates += [(lk["via"], None) for lk in links if lk.get("via")]
        for url, info in candidates:
            if url in checked:
                continue
            checked.add(url)
            feed = bl.match_url(url)
            if feed:
                acc.add("URL_BLOCKLISTED", f"A link is on the {feed} blocklist.", f"{_clip(url)} ({feed})")
                continue
            info = info or parse_url(url)
            if info is not None:
                hit = bl.match_host(info.host)
                if hit:
                    acc.add("URL_BLOCKLISTED", f"A link goes to {hit[0]}, which is on the {hit[1]} blocklist.",
                            f"{_clip(url)} ({hit[1]}: {hit[0]})")

    def _check_dnsbl(self, infos: dict[str, UrlInfo], acc: _Acc, ctx: ScanContext) -> None:
        try:
            from mailwarden.dns import DNSError, DNSTimeout
        except ImportError:
            return
        resolver = getattr(self.engine, "resolver", None)
        if resolver is None:
            return
        try:
            from mailwarden.dns import is_down
        except ImportError:  # an older DNS port without the breaker helper
            is_down = None  # type: ignore[assignment]
        if is_down is not None and is_down(resolver):
            return  # no resolver, DNS disabled, or the breaker is open: never wait on a blocklist
        names: list[str] = []
        for info in infos.values():
            name = ".".join(reversed(info.ip.split("."))) if info.ip and "." in info.ip else (
                None if info.ip else registrable_domain(info.host))
            if name and name not in names:
                names.append(name)
            if len(names) >= _DNSBL_DOMAINS_PER_MESSAGE:
                break
        for zone in self.dnsbl_zones:
            for name in names:
                if ctx.time_left() <= 0:
                    return
                try:
                    answers = resolver.query(f"{name}.{zone}", "A")
                except DNSTimeout:
                    break  # a slow list is skipped for this message, never waited on
                except DNSError as exc:
                    if type(exc).__name__ == "DNSBudgetExceeded":
                        return
                    continue
                listed = [a for a in answers if a.startswith("127.") and not a.startswith("127.255.255.")]
                if listed:
                    acc.add("URL_DNSBL", f"A link's domain {name} is listed on {zone}.",
                            f"{name}.{zone} -> {', '.join(listed[:3])}")


ANALYZER = LinksAnalyzer

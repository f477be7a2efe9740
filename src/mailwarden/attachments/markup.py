"""HTML and SVG attachments (credential forms, scripts, redirects, HTML smuggling) and calendar
invites (lure text and links in events).

A phishing page sent as an attachment opens from the local disk, where no web filter sees it; an SVG
is an image to people and a script host to browsers. Markup is parsed with selectolax (lexbor: linear,
tolerant, no entity expansion) over a bounded prefix.
"""

from __future__ import annotations

import re

from mailwarden.attachments import AttachmentBudget, Inspection
from mailwarden.lures import match_lures
from mailwarden.phones import find_phone_numbers

_URL_IN_TEXT = re.compile(r"""(?i)\bhttps?://[^\s"'<>()\\]{3,2000}""")
_OBFUSCATION = re.compile(r"(?i)\b(atob|unescape|eval|String\.fromCharCode|decodeURIComponent\s*\(\s*escape|"
                          r"document\.write)\s*\(")
_B64_RUN = re.compile(r"[A-Za-z0-9+/]+")  # runs are measured, not matched with {2000,}: linear time
_REDIRECT = re.compile(r"(?i)(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=(?!=)|"
                       r"location\.(?:replace|assign)\s*\(|window\.open\s*\(")
_SMUGGLING = re.compile(r"(?i)msSaveOrOpenBlob|createObjectURL\s*\(|new\s+Blob\s*\(|\bdownload\s*=\s*[\"']?[^\s\"'>]+\.(?:zip|iso|img|exe|js|hta|lnk|vhd|one)\b")
_EXFIL = re.compile(r"(?i)api\.telegram\.org/bot|discord(?:app)?\.com/api/webhooks|formspree\.io|"
                    r"submit-form\.com|\.php\?(?:[^\"']*)(?:email|pass)")
_SVG_ACTIVE = re.compile(r"(?i)<(?:\w+:)?script\b|<foreignObject\b|\son[a-z]{3,20}\s*=|(?:xlink:)?href\s*=\s*[\"']\s*javascript:")
_CRED_NAME = re.compile(r"(?i)pass|pwd|login|user|email|e-mail|account|otp|pin\b|ssn|card")


def inspect_markup(data: bytes, where: str, budget: AttachmentBudget, svg: bool = False) -> Inspection:
    from selectolax.lexbor import LexborHTMLParser

    from mailwarden.message import decode_bytes

    out = Inspection()
    raw = data[: budget.limits.max_markup_bytes]
    text, _ = decode_bytes(raw, _meta_charset(raw))
    nested = " > " in where
    if not svg and not nested:
        out.add("html_attachment", f"{where} is a web page attached to the message; it opens from the disk, "
                "out of reach of web filters.", where)
    tree = LexborHTMLParser(text)
    scripts = [n.text() or "" for n in tree.css("script")[:200]]
    script_srcs = [n.attributes.get("src") or "" for n in tree.css("script[src]")[:50]]
    code = "\n".join(scripts)[:1_000_000]
    urls: list[tuple[str, str]] = []

    def add_url(u: str | None, how: str) -> None:
        if u and re.match(r"(?i)\s*(https?:)?//", u) and len(urls) < budget.limits.max_urls:
            u = u.strip()
            urls.append(("https:" + u if u.startswith("//") else u, f"{how} in {where}"))

    for n in tree.css("a")[:500]:
        add_url(n.attributes.get("href") or n.attributes.get("xlink:href"), "link")
    for n in tree.css("form")[:50]:
        add_url(n.attributes.get("action"), "form target")
    for n in tree.css("iframe, frame")[:50]:
        add_url(n.attributes.get("src"), "frame")
    for s in script_srcs:
        add_url(s, "script source")
    refresh = None
    for n in tree.css("meta")[:100]:
        if (n.attributes.get("http-equiv") or "").lower() == "refresh":
            m = re.search(r"(?i)url\s*=\s*['\"]?([^'\";]+)", n.attributes.get("content") or "")
            if m:
                refresh = m.group(1).strip()
                add_url(refresh, "refresh redirect")
    for m in _URL_IN_TEXT.finditer(code[:200_000]):
        if len(urls) >= 50:
            break
        add_url(m.group(0).rstrip(".,;'\""), "script")
    out.urls.extend(dict.fromkeys(urls))

    # Credential harvesting: a password field, or a form asking for identity data that posts elsewhere.
    passwords = tree.css('input[type="password" i]')
    cred_inputs = [n for n in tree.css("input")[:500]
                   if _CRED_NAME.search(" ".join(str(n.attributes.get(a) or "")
                                                 for a in ("name", "id", "type", "placeholder")))]
    forms = tree.css("form")
    if passwords or (forms and cred_inputs and any(re.match(r"(?i)\s*https?://", f.attributes.get("action") or "")
                                                   for f in forms)):
        ev = (passwords[0] if passwords else cred_inputs[0]).html or "input"
        out.add("markup_credential_form", f"{where} contains a form asking for a password or login details.",
                f"{where}: {ev[:160]}")
    elif passwords == [] and cred_inputs and _EXFIL.search(code):
        out.add("markup_credential_form", f"{where} collects login details and sends them away by script.",
                f"{where}: {cred_inputs[0].html[:160] if cred_inputs[0].html else 'input'}")
    exfil = _EXFIL.search(code) or _EXFIL.search(" ".join(f.attributes.get("action") or "" for f in forms[:20]))
    if exfil:
        out.add("markup_exfiltration", f"{where} sends data to {exfil.group(0)[:60]}, a drop point phishing kits "
                "use for stolen credentials.", f"{where}: {exfil.group(0)[:120]}")
    if svg:
        m = _SVG_ACTIVE.search(text)
        if m:
            out.add("svg_active_content", f"{where} is an SVG image that runs script or embeds HTML when opened.",
                    f"{where}: {m.group(0).strip()[:80]}")
    elif scripts or script_srcs:
        out.add("markup_script", f"{where} runs JavaScript when opened.",
                f"{where}: {len(scripts)} script element(s)")
    ob = _OBFUSCATION.search(code) or next((m for m in _B64_RUN.finditer(code[:500_000])
                                            if m.end() - m.start() >= 2000), None)
    if ob:
        out.add("markup_obfuscated", f"{where} decodes hidden code at run time ({ob.group(0)[:30]}…).",
                f"{where}: {ob.group(0)[:60]}")
    red = _REDIRECT.search(code)
    if refresh and re.match(r"(?i)\s*(https?:)?//", refresh):
        out.add("markup_redirect", f"{where} sends whoever opens it to {refresh[:120]}.", f"{where}: {refresh[:200]}")
    elif red and re.search(r"(?i)https?://|atob|\+", code[max(0, red.start() - 200): red.end() + 300]):
        out.add("markup_redirect", f"{where} redirects to another page by script as soon as it opens.",
                f"{where}: {code[red.start(): red.end() + 80].strip()[:160]}")
    smug = _SMUGGLING.search(code) or _SMUGGLING.search(text[:200_000]) if (code or "download" in text) else None
    if smug:
        out.add("markup_smuggling", f"{where} builds a file inside the browser and saves it (HTML smuggling).",
                f"{where}: {smug.group(0)[:80]}")
    from mailwarden.htmltext import html_to_text

    visible = html_to_text(text)[:20000]
    if visible:
        out.texts.append((visible, f"text of {where}"))
    return out


def _meta_charset(raw: bytes) -> str | None:
    m = re.search(rb"""(?i)<meta[^>]{0,200}charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", raw[:4096])
    return m.group(1).decode("ascii") if m else "utf-8"


# -- calendar invites

_ICS_TEXT_PROPS = ("SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "X-ALT-DESC")
_STRONG_LURES = {"callback", "credential", "fake_2fa", "account_anomaly", "invoice_payment", "crypto",
                 "gift_card", "threat"}
def lure_categories(text: str) -> list[tuple[str, str]]:
    """(category, phrase) pairs for lure phrases in text."""
    try:
        return [(h.category, h.phrase) for h in match_lures(text)][:20]
    except Exception:  # noqa: BLE001 - another module's failure must not lose attachment findings
        return []


def _unfold(text: str) -> list[tuple[str, str]]:
    text = re.sub(r"\r?\n[ \t]", "", text)
    props = []
    for line in text.splitlines()[:5000]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        props.append((name.split(";", 1)[0].strip().upper(), value))
    return props


def _ics_unescape(v: str) -> str:
    return v.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def inspect_calendar(data: bytes, where: str, budget: AttachmentBudget) -> Inspection:
    from mailwarden.message import decode_bytes

    out = Inspection()
    text, _ = decode_bytes(data[: budget.limits.max_markup_bytes], "utf-8")
    props = _unfold(text)
    shown: list[str] = []
    urls: list[str] = []
    for name, value in props:
        value = _ics_unescape(value)
        if name in _ICS_TEXT_PROPS:
            if name == "X-ALT-DESC":
                from mailwarden.htmltext import html_to_text

                value = html_to_text(value)
            shown.append(value)
        if name in ("URL", "ATTACH") and re.match(r"(?i)https?://", value.strip()):
            urls.append(value.strip())
    body = "\n".join(shown)[:20000]
    urls += [m.group(0).rstrip(".,;)") for m in _URL_IN_TEXT.finditer(body)]
    urls = list(dict.fromkeys(urls))[: budget.limits.max_urls]
    out.urls.extend((u, f"calendar invite {where}") for u in urls)
    if body.strip():
        out.texts.append((body, f"calendar invite {where}"))
    hits = [(c, p) for c, p in lure_categories(body) if c in _STRONG_LURES]
    phones = phone_numbers(body)
    if hits and (urls or phones):
        what = f"a link to {urls[0][:100]}" if urls else f"a phone number {phones[0]}"
        out.add("calendar_lure", f"The calendar invite {where} carries a lure (\"{hits[0][1][:60]}\") and {what}; "
                "invites land in the calendar even when the mail is ignored.",
                f"{where}: {hits[0][1][:80]}", *(f"{where}: {u[:200]}" for u in urls[:2]), *phones[:2])
    return out


def phone_numbers(text: str) -> list[str]:
    """Phone numbers in text, E.164, at most five."""
    try:
        return list(dict.fromkeys(h.e164 for h in find_phone_numbers(text)))[:5]
    except Exception:  # noqa: BLE001 - another module's failure must not lose attachment findings
        return []

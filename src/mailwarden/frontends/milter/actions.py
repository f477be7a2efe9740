"""What the milter does with a verdict: pure functions from (settings, message, verdict) to milter replies.

Kept apart from the socket code so every decision is testable without an MTA.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.header import Header

from mailwarden.config import ConfigError
from mailwarden.frontends.banner import insert_banner
from mailwarden.frontends.milter import protocol as p
from mailwarden.frontends.settings import apply_section
from mailwarden.verdict import Verdict

QUARANTINE_MODES = ("hold", "redirect")
FAILURE_ACTIONS = ("tempfail", "accept", "tag")
OUR_HEADERS = ("x-mailwarden-score", "x-mailwarden-verdict", "x-mailwarden-reasons", "x-mailwarden-quarantined-for")
MAX_HEADER_VALUE = 900  # stay well under RFC 5322's 998-octet line limit
_UNSAFE = re.compile(r"[^\x20-\x7e]")  # header values we write are printable ASCII, nothing else


def sanitize(value: object, limit: int = MAX_HEADER_VALUE) -> str:
    """A header value that cannot carry CR, LF, NUL or any other control or non-ASCII byte."""
    text = _UNSAFE.sub(" ", str(value if value is not None else ""))
    text = " ".join(text.split())
    return text[:limit]


def smtp_text(value: str, limit: int = 200) -> str:
    # '%' is special in Sendmail-style reply strings; drop it rather than escape it
    return sanitize(value, limit).replace("%", "")


@dataclass
class MilterSettings:
    listen: str = "inet:127.0.0.1:8891"
    workers: int = 2  # scan worker processes; 0 scans on threads in the milter process
    timeout: float = 20.0  # seconds per scan before the failure action applies
    failure_action: str = "tempfail"  # for timeouts, crashed workers and internal errors
    authserv_id: str = "mailwarden"
    add_headers: bool = True
    reasons: int = 5  # findings named in X-Mailwarden-Reasons
    subject_tag: str = ""  # e.g. "[SUSPICIOUS]"; empty leaves the subject alone
    subject_tag_actions: list[str] = field(default_factory=lambda: ["tag", "quarantine"])
    banner: bool = False
    banner_actions: list[str] = field(default_factory=lambda: ["tag", "quarantine"])
    banner_max_bytes: int = 5 * 1024 * 1024
    quarantine: str = "hold"  # hold in the MTA queue, or redirect to quarantine_mailbox
    quarantine_mailbox: str = ""
    reject: bool = True  # false: reject verdicts are quarantined instead
    max_message_bytes: int = 10 * 1024 * 1024  # bytes kept for scanning; the rest still passes through
    grace_seconds: float = 30.0  # on SIGTERM, how long in-flight messages may take to finish

    @classmethod
    def from_section(cls, section: dict, *, failure_action: str = "tempfail", authserv_id: str = "mailwarden",
                     source: str = "config") -> MilterSettings:
        s = cls(failure_action=failure_action, authserv_id=authserv_id)
        apply_section(s, section, "milter", source)
        if s.failure_action not in FAILURE_ACTIONS:
            raise ConfigError(f"{source}: [milter] failure_action must be one of {', '.join(FAILURE_ACTIONS)}")
        if s.quarantine not in QUARANTINE_MODES:
            raise ConfigError(f"{source}: [milter] quarantine must be hold or redirect")
        if s.quarantine == "redirect" and "@" not in s.quarantine_mailbox:
            raise ConfigError(f"{source}: [milter] quarantine = \"redirect\" needs quarantine_mailbox = \"addr@domain\"")
        if not (s.listen.startswith("inet:") or s.listen.startswith("unix:")):
            raise ConfigError(f"{source}: [milter] listen must be inet:HOST:PORT or unix:/path")
        if s.timeout <= 0 or s.workers < 0 or s.reasons < 0:
            raise ConfigError(f"{source}: [milter] timeout must be > 0, workers and reasons >= 0")
        for key in ("subject_tag_actions", "banner_actions"):
            bad = set(getattr(s, key)) - {"tag", "quarantine", "reject", "accept"}
            if bad:
                raise ConfigError(f"{source}: [milter] {key}: unknown action(s) {', '.join(sorted(bad))}")
        return s


@dataclass
class MessageState:
    """What the milter collected for one message."""

    headers: list[tuple[str, str]] = field(default_factory=list)  # (name, value as received, no leading space)
    body: bytearray = field(default_factory=bytearray)
    rcpts: list[str] = field(default_factory=list)  # as given in RCPT TO, without <>
    body_truncated: bool = False

    def raw(self) -> bytes:
        head = b"".join(f"{n}: {v}".encode("utf-8", "surrogateescape") + b"\r\n" for n, v in self.headers)
        return head + b"\r\n" + bytes(self.body)


def authentication_results(settings: MilterSettings, verdict: Verdict) -> str:
    """An RFC 8601 value: the engine's own when it computed one, else built from verdict.auth."""
    authserv = sanitize(settings.authserv_id, 100).replace(";", "") or "mailwarden"
    if verdict.authentication_results:
        value = sanitize(verdict.authentication_results)
        # never let the engine's value claim another authserv-id than ours
        if value.split(";", 1)[0].strip().lower() == authserv.lower():
            return value
        return f"{authserv}; {value.split(';', 1)[1].strip()}" if ";" in value else f"{authserv}; none"
    auth = verdict.auth or {}
    parts = []
    spf = auth.get("spf") or {}
    if spf.get("result") not in (None, "none"):
        parts.append(f"spf={spf['result']}" + (f" smtp.mailfrom={spf['domain']}" if spf.get("domain") else ""))
    for sig in auth.get("dkim") or []:
        if sig.get("result"):
            parts.append(f"dkim={sig['result']}" + (f" header.d={sig['domain']}" if sig.get("domain") else "")
                         + (f" header.s={sig['selector']}" if sig.get("selector") else ""))
    dmarc = auth.get("dmarc") or {}
    if dmarc.get("result") not in (None, "none"):
        parts.append(f"dmarc={dmarc['result']}" + (f" header.from={dmarc['domain']}" if dmarc.get("domain") else ""))
    arc = auth.get("arc") or {}
    if arc.get("result") not in (None, "none"):
        parts.append(f"arc={arc['result']}")
    value = f"{authserv}; " + ("; ".join(parts) if parts else "none")
    return sanitize(value)


def verdict_headers(settings: MilterSettings, verdict: Verdict) -> list[tuple[str, str]]:
    reasons = ", ".join(f"{f.symbol}({f.weight:g})" for f in verdict.reasons(settings.reasons)) or "none"
    if verdict.limits and "engine_error" in verdict.limits:
        reasons = "ENGINE_ERROR"
    return [("X-Mailwarden-Score", f"{verdict.score:.2f}"),
            ("X-Mailwarden-Verdict", sanitize(final_action(settings, verdict), 20)),
            ("X-Mailwarden-Reasons", sanitize(reasons)),
            ("Authentication-Results", authentication_results(settings, verdict))]


def _unfold(value: str) -> str:
    """The original header value on one line: folding removed, CR/LF/NUL gone, other bytes kept as they were."""
    return " ".join(value.replace("\0", " ").replace("\r", " ").replace("\n", " ").split())


def _encode_subject(tag: str, original: str) -> str:
    # the original (possibly 8-bit or RFC 2047-encoded) value is kept byte for byte; only the tag is ours
    tag = sanitize(tag, 100) if tag.isascii() else Header(tag, "utf-8").encode()
    return f"{tag} {_unfold(original)}".strip()[:5000]


def _forged(settings: MilterSettings, name: str, value: str) -> bool:
    lname = name.lower()
    if lname in OUR_HEADERS:
        return True
    if lname == "authentication-results":
        # RFC 8601 section 5: remove results that claim to be ours before adding our own
        return value.strip().split(";", 1)[0].strip().lower() == settings.authserv_id.lower()
    return False


def final_action(settings: MilterSettings, verdict: Verdict) -> str:
    if "engine_error" in verdict.limits:
        return settings.failure_action  # the milter's failure policy, whatever the engine's config says
    action = verdict.action
    if action == "reject" and not settings.reject:
        action = "quarantine"
    return action


def replies(settings: MilterSettings, state: MessageState, verdict: Verdict, *, leadspc: bool,
            actions: int) -> bytes:
    """The packets answering end-of-message: modifications first, then the final reply."""
    action = final_action(settings, verdict)
    out: list[bytes] = []
    lead = " " if leadspc else ""
    if action == "reject":
        reason = ", ".join(f.symbol for f in verdict.reasons(2)) or "policy"
        return p.packet(p.SMFIR_REPLYCODE, p.cstr(smtp_text(f"550 5.7.1 Message rejected as likely phishing "
                                                             f"({reason})")))
    if action == "tempfail":
        return p.packet(p.SMFIR_REPLYCODE, p.cstr("451 4.7.1 Message could not be checked now, try again later"))
    can = lambda flag: bool(actions & flag)  # noqa: E731
    if settings.add_headers and can(p.SMFIF_ADDHDRS):
        if can(p.SMFIF_CHGHDRS):
            counts: dict[str, int] = {}
            deletions = []
            for name, value in state.headers:
                counts[name.lower()] = counts.get(name.lower(), 0) + 1
                if _forged(settings, name, value):
                    deletions.append((counts[name.lower()], name))
            # highest index first, so earlier indexes stay valid whatever the MTA does with deleted fields
            for index, name in sorted(deletions, reverse=True):
                out.append(p.header_change(index, name, ""))
        for name, value in verdict_headers(settings, verdict):
            out.append(p.header_add(name, lead + value))
    if settings.subject_tag and action in settings.subject_tag_actions and can(p.SMFIF_CHGHDRS):
        subject = next((v for n, v in state.headers if n.lower() == "subject"), None)
        tag = sanitize(settings.subject_tag, 100) if settings.subject_tag.isascii() else settings.subject_tag
        if subject is None:
            out.append(p.header_add("Subject", lead + _encode_subject(tag, "")))
        elif not subject.strip().startswith(tag):
            out.append(p.header_change(1, "Subject", lead + _encode_subject(tag, subject.strip())))
    if settings.banner and action in settings.banner_actions and can(p.SMFIF_CHGBODY) \
            and not state.body_truncated and "engine_error" not in verdict.limits:
        edit = insert_banner(state.raw(), verdict, settings.banner_max_bytes)
        if edit is not None and (not edit.content_headers or can(p.SMFIF_CHGHDRS)):
            present = {n.lower() for n, _ in state.headers}
            for name, value in edit.content_headers.items():
                if name.lower() in present:
                    out.append(p.header_change(1, name, lead + sanitize(value, 5000)))
                else:
                    out.append(p.header_add(name, lead + sanitize(value, 5000)))
            out.append(p.replace_body(edit.body))
    if action == "quarantine":
        reason = smtp_text(f"mailwarden: {', '.join(f.symbol for f in verdict.reasons(3)) or 'quarantine'}")
        if settings.quarantine == "redirect" and can(p.SMFIF_ADDRCPT) and can(p.SMFIF_DELRCPT):
            if settings.add_headers and can(p.SMFIF_ADDHDRS):
                out.append(p.header_add("X-Mailwarden-Quarantined-For", lead + sanitize(", ".join(state.rcpts))))
            # The quarantine mailbox may itself be a recipient: deleting it after adding it would
            # leave the message with no recipient, and Postfix would drop it silently.
            qbox = settings.quarantine_mailbox.strip("<>").lower()
            if qbox not in {r.strip("<>").lower() for r in state.rcpts}:
                out.append(p.packet(p.SMFIR_ADDRCPT, p.cstr(f"<{settings.quarantine_mailbox}>")))
            for rcpt in state.rcpts:
                if rcpt.strip("<>").lower() != qbox:
                    out.append(p.packet(p.SMFIR_DELRCPT, p.cstr(f"<{rcpt}>")))
        elif can(p.SMFIF_QUARANTINE):
            out.append(p.packet(p.SMFIR_QUARANTINE, p.cstr(reason)))
    out.append(p.packet(p.SMFIR_ACCEPT))
    return b"".join(out)

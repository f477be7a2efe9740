"""Attachments: what a file really is, what it would do when opened, and the links it hides.

For each attachment (and inline image) the analyzer records its hash and true type, judges its name
(executables, disk images, double extensions, right-to-left overrides, a name that lies about the
content), and opens what can carry an attack: archives (bounded: members, sizes, ratio, depth,
encryption), Office files (VBA and XLM macros, remote templates, DDE), PDFs (JavaScript, launch
actions, embedded files, lone links, QR images), HTML/SVG pages (credential forms, scripts, redirects,
smuggling), calendar invites (lure text), and images (QR codes carrying links: "quishing").

Every attachment is inspected in isolation: a corrupt file or a bomb is a finding, never an exception
that would lose the findings of the others.

Facts set for later analyzers:
- `ctx.facts["attachments"]`: list of `{"filename", "content_type", "true_type", "sha256", "size"}`,
  one per attachment or inline image (the history analyzer uses the hashes for campaigns).
- `ctx.facts["extra_urls"]`: list of `(url, source_description)` found in attachments (PDF links,
  HTML/SVG links and form targets, Office hyperlinks and remote templates, QR codes, calendar links);
  the links analyzer normalises and judges them.
- `ctx.facts["attachment_texts"]`: list of `(text, source_description)`: the text a reader sees in PDFs,
  HTML attachments and calendar invites, for content analyzers (callback numbers in a PDF invoice).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator

from mailwarden.analyzers.base import Analyzer
from mailwarden.attachments import AttachmentBudget, AttachmentLimits, Inspection
from mailwarden.attachments.filetype import ext_family, is_mismatch, name_claims, sniff
from mailwarden.attachments.inspect import inspect_file
from mailwarden.attachments.markup import lure_categories, phone_numbers
from mailwarden.attachments.qr import qr_from_data_uris
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.message import Entity, Message

# The mailwarden.attachments modules above are light (their heavy libraries load on first use inside
# them) and import no analyzer: imported once here, not on every message.

# Observation kind -> symbol. Several kinds share a symbol (its evidence accumulates).
KIND_SYMBOL: dict[str, str] = {
    "executable": "ATTACHMENT_EXECUTABLE",
    "archived_executable": "ARCHIVE_CONTAINS_EXECUTABLE",
    "disk_image": "ATTACHMENT_DISK_IMAGE",
    "archived_disk_image": "ARCHIVE_CONTAINS_DISK_IMAGE",
    "onenote": "ATTACHMENT_ONENOTE",
    "archived_onenote": "ATTACHMENT_ONENOTE",
    "config_profile": "ATTACHMENT_CONFIG_PROFILE",
    "archived_config_profile": "ATTACHMENT_CONFIG_PROFILE",
    "double_extension": "ATTACHMENT_DOUBLE_EXTENSION",
    "bidi_filename": "ATTACHMENT_BIDI_FILENAME",
    "type_mismatch": "ATTACHMENT_TYPE_MISMATCH",
    "type_mismatch_dangerous": "ATTACHMENT_TYPE_DISGUISED",
    "archive_encrypted": "ARCHIVE_ENCRYPTED",
    "archive_bomb": "ARCHIVE_BOMB",
    "archive_too_deep": "ARCHIVE_NESTED_DEEP",
    "archive_unopened": "ARCHIVE_UNINSPECTED",
    "archive_corrupt": "ATTACHMENT_CORRUPT",
    "office_corrupt": "ATTACHMENT_CORRUPT",
    "pdf_corrupt": "ATTACHMENT_CORRUPT",
    "inspection_failed": "ATTACHMENT_CORRUPT",
    "inspection_incomplete": "ATTACHMENT_INSPECTION_INCOMPLETE",
    "image_too_large": "IMAGE_TOO_LARGE",
    "office_macro": "OFFICE_MACRO",
    "office_macro_autoexec": "OFFICE_MACRO_AUTOEXEC",
    "office_macro_suspicious": "OFFICE_MACRO_SUSPICIOUS",
    "office_xlm_macro": "OFFICE_XLM_MACRO",
    "office_remote_template": "OFFICE_REMOTE_TEMPLATE",
    "office_dde": "OFFICE_DDE",
    "office_encrypted": "OFFICE_ENCRYPTED",
    "office_rtf_object": "RTF_OLE_OBJECT",
    "office_rtf_objupdate": "RTF_OBJUPDATE",
    "pdf_javascript": "PDF_JAVASCRIPT",
    "pdf_launch": "PDF_LAUNCH_ACTION",
    "pdf_embedded_file": "PDF_EMBEDDED_FILE",
    "pdf_submit_form": "PDF_SUBMIT_FORM",
    "pdf_lone_link": "PDF_LONE_LINK",
    "pdf_encrypted": "PDF_ENCRYPTED",
    "html_attachment": "HTML_ATTACHMENT",
    "markup_credential_form": "HTML_ATTACHMENT_CREDENTIAL_FORM",
    "markup_exfiltration": "HTML_ATTACHMENT_EXFILTRATION",
    "markup_script": "HTML_ATTACHMENT_SCRIPT",
    "markup_obfuscated": "HTML_ATTACHMENT_OBFUSCATED",
    "markup_redirect": "HTML_ATTACHMENT_REDIRECT",
    "markup_smuggling": "HTML_SMUGGLING",
    "svg_active_content": "SVG_ACTIVE_CONTENT",
    "calendar_lure": "CALENDAR_INVITE_LURE",
    "qr_url": "QR_CODE_URL",
}

# Parts that are signatures or machine reports: hash and type them, never open them.
_PASSIVE_TYPES = ("application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature",
                  "application/pgp-keys", "message/delivery-status", "message/disposition-notification",
                  "text/rfc822-headers", "message/feedback-report")
_PASSWORD_HINT = re.compile(r"(?i)\b(password|passwort|senha|contrase(?:ñ|n)a|mot de passe|kennwort|pwd|"
                            r"pass\s*(?:code|word)?\s*[:=])")
# The scam's pivot: a charge the reader did not make, to be cancelled or refunded by phone.
_DISPUTE = re.compile(r"(?i)\b(if (?:you|this) (?:did ?n[o']t|didn't|was ?n[o']t|wasn't)\b|not authori[sz]ed|"
                      r"unauthori[sz]ed|to cancel|cancel (?:this|the|your)|dispute|refund|reembolso|"
                      r"remboursement|rückerstattung|estorno|cancelar|annuler|stornieren)")
_QR_LURES = {"credential", "fake_2fa", "account_anomaly", "invoice_payment", "threat", "urgency", "message_bait",
             "document_share"}
_SCAN_HINT = re.compile(r"(?i)\b(scan|qr|camera|escanea|escaneie|scannen|scannez)\b")


_INSPECTION_MODULES = (
    "mailwarden.attachments.inspect", "mailwarden.attachments.pdf", "mailwarden.attachments.qr",
    "mailwarden.attachments.archives", "mailwarden.attachments.markup", "mailwarden.attachments.filetype",
    "mailwarden.attachments.office", "pypdf", "pypdf.filters", "pypdf.generic._image_xobject", "olefile",
    "oletools.olevba", "PIL.Image", "zxingcpp", "magic", "tarfile", "zipfile")


class AttachmentsAnalyzer(Analyzer):
    name = "attachments"

    def setup(self, engine) -> None:  # noqa: ANN001 - Engine, imported lazily elsewhere
        self.limits = AttachmentLimits()
        # pypdf logs a warning per oddity of a malformed PDF; hostile PDFs are our normal input.
        logging.getLogger("pypdf").setLevel(logging.ERROR)

    def warm_up(self) -> None:
        # The attachment inspectors and their libraries load on first use (together most of a second:
        # pypdf, oletools and Pillow's image plugins most), so a scan without attachments never pays.
        import importlib

        for module in _INSPECTION_MODULES:
            try:
                importlib.import_module(module)
            except ImportError:  # an optional one missing: the inspector reports it when needed
                continue
        try:
            from PIL import Image

            Image.init()  # the image format plugins, otherwise loaded by the first image of each format
        except ImportError:
            pass
        import codecs

        codecs.lookup("cp437")  # the codec of zip member names without the UTF-8 flag
        from mailwarden.attachments.pdf_cmap import install

        install()

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        atts = msg.attachments
        # QR codes in `data:` images of the HTML body (no attachment at all); msg.html is shared and cached.
        data_images = bool(msg.html_parts) and "data:image" in msg.html
        if not atts and not data_images:
            return
        limits = getattr(self, "limits", AttachmentLimits())
        seconds = max(0.0, min(limits.seconds, ctx.time_left() - 0.25))
        budget = AttachmentBudget(limits=limits, deadline=time.monotonic() + seconds)
        records: list[dict] = []
        extra_urls: list[tuple[str, str]] = ctx.facts.setdefault("extra_urls", [])
        texts: list[tuple[str, str]] = ctx.facts.setdefault("attachment_texts", [])
        total = Inspection()
        for i, ent in enumerate(atts):
            where = _display_name(ent, i)
            data = ent.payload
            true = sniff(data) if data else None
            records.append({"filename": ent.filename, "content_type": ent.content_type,
                            "true_type": true.mime if true else None,
                            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
            if not data or ent.content_type in _PASSIVE_TYPES:
                continue
            if budget.out_of_time():
                total.add("inspection_incomplete", "Time ran out before every attachment was inspected.", where)
                break
            total.extend(inspect_file(data[: limits.max_inspect_bytes], where, 0, budget, true))
            _declared_type_lies(total, ent, where, true)
        if data_images and not budget.out_of_time():
            total.extend(qr_from_data_uris(msg.html, budget))
        ctx.facts["attachments"] = records
        seen = {u for u, _ in extra_urls}
        for url, source in total.urls:
            if url not in seen and len(seen) < limits.max_urls:
                seen.add(url)
                extra_urls.append((url, source))
        texts.extend(total.texts)
        kinds = total.kinds()
        for obs in total.observations:
            sym = KIND_SYMBOL.get(obs.kind)
            if sym:
                yield Finding(sym, obs.detail, obs.evidence or [obs.kind])
        yield from self._document_callback(total, ctx)
        yield from self._document_lure_link(total)
        body = msg.visible_text[:20000] if kinds & {"archive_encrypted", "qr_url"} else ""
        if "archive_encrypted" in kinds:
            m = _PASSWORD_HINT.search(body) or _PASSWORD_HINT.search(msg.subject)
            if m:
                yield Finding("ARCHIVE_PASSWORD_IN_MESSAGE", "The message gives the password for its encrypted "
                              "archive, the classic way to carry malware past scanners.", [f"text: {m.group(0)}"])
        if "qr_url" in kinds:
            # Quishing asks for a scan with account or payment pressure, or says nothing else at all. A
            # ticket or a venue code ("scan this QR code at the entrance") has neither.
            scan = _SCAN_HINT.search(body) or _SCAN_HINT.search(msg.subject)
            lures = [p for c, p in lure_categories(f"{msg.subject}\n{body}") if c in _QR_LURES] if scan else []
            short = len(body.strip()) < 120
            if short or lures:
                why = (f'the text asks to "{scan.group(0)}" it and says "{lures[0]}"' if lures
                       else "the message has almost no text besides it")
                yield Finding("QR_CODE_CALL_TO_ACTION", f"The QR code is the message's call to action: {why}.",
                              [next(o.evidence[0] for o in total.observations if o.kind == "qr_url")])

    def _document_callback(self, total: Inspection, ctx: ScanContext) -> Iterator[Finding]:
        """A PDF or page whose text is a call-back scam: a phone number, call-back wording and
        money or account wording. Its numbers join `ctx.phones` so campaigns can pivot on them."""
        for text, source in total.texts:
            if source.startswith("calendar invite"):  # judged with its links in markup.inspect_calendar
                continue
            hits = lure_categories(text[:20000])
            cats: dict[str, list[str]] = {}
            for cat, phrase in hits:
                cats.setdefault(cat, []).append(phrase)
            callback = set(cats.get("callback", []))
            money = set(cats) & {"invoice_payment", "account_anomaly", "threat"}
            dispute = _DISPUTE.search(text[:20000])
            if len(callback) < 2 or not money or not dispute:
                continue
            phones = phone_numbers(text[:20000])
            if not phones:
                continue
            for p in phones:
                if p not in ctx.phones:
                    ctx.phones.append(p)
            yield Finding("ATTACHMENT_CALLBACK_LURE", f"The {source} asks the reader to call {phones[0]} about a "
                          "charge or an account (a call-back scam carried in a document).",
                          [f"{source}: {phones[0]}", f'"{dispute.group(0)}"',
                           *(f'"{p}"' for p in sorted(callback)[:3])])
            return


    def _document_lure_link(self, total: Inspection) -> Iterator[Finding]:
        """A PDF or page whose text asks the reader to sign in, verify or unlock an account, and
        whose link is the way to do it: a phishing page delivered as a document."""
        for text, source in total.texts:
            if not source.startswith("text of "):
                continue
            doc = source[len("text of "):]
            links = [u for u, s in total.urls if s.endswith(f" in {doc}") and not s.startswith("script")]
            if not links:
                continue
            phrases = {p.lower() for c, p in lure_categories(text[:20000])
                       if c in ("credential", "account_anomaly", "threat")}
            if len(phrases) < 2:
                continue
            shown = ", ".join(f'"{p}"' for p in sorted(phrases)[:3])
            yield Finding("ATTACHMENT_LURE_LINK", f"The attached {doc} asks the reader to act on an account "
                          f"({shown}) through a link.", [f"{doc}: {links[0][:200]}", shown])


# Declared Content-Types that promise a family, for parts whose name promises none.
_DECLARED_EXT = {"application/pdf": "pdf", "application/zip": "zip", "application/x-zip-compressed": "zip",
                 "application/msword": "doc", "application/vnd.ms-excel": "xls", "text/calendar": "ics"}


def _declared_type_lies(total: Inspection, ent: Entity, where: str, true: object) -> None:
    if true is None or ext_family(name_claims(ent.filename).ext):
        return  # the name's promise was already compared with the content
    ct = ent.content_type
    ext = "png" if ct.startswith("image/") and ct != "image/svg+xml" else _DECLARED_EXT.get(ct)
    if ext and is_mismatch(ext, true):  # type: ignore[arg-type]
        dangerous = true.family in ("pe", "elf", "macho", "lnk", "msi", "html", "svg", "zip", "rar", "7z",  # type: ignore[attr-defined]
                                    "iso", "ole", "ooxml")
        total.add("type_mismatch_dangerous" if dangerous else "type_mismatch",
                  f"{where} is declared as {ct} but is really {true.mime}.",  # type: ignore[attr-defined]
                  f"{where}: Content-Type {ct}, content {true.mime}")  # type: ignore[attr-defined]


def _display_name(ent: Entity, i: int) -> str:
    name = (ent.filename or "").strip()
    if name:
        return name[:200].replace(" > ", " >")
    return f"unnamed {ent.content_type} part #{i + 1}"


ANALYZER = AttachmentsAnalyzer

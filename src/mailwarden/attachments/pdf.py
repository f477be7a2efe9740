"""PDF: JavaScript, launch actions, embedded files, form submission, link annotations, QR images.

Two views, because each misses what the other sees: a raw token scan (as pdfid does; it sees names in
uncompressed objects, including `#xx`-escaped ones like `/J#61vaScript`) and pypdf's object walk (which
sees inside object streams). Pages, annotations, images and time are bounded.
"""

from __future__ import annotations

import io
import logging
import re
from urllib.parse import urlsplit

from mailwarden.attachments import AttachmentBudget, Inspection

log = logging.getLogger(__name__)

_NAME_ESC = re.compile(rb"#([0-9a-fA-F]{2})")
_TOKENS = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|SubmitForm|XFA|ObjStm|RichMedia|"
                     rb"GoToE|GoToR|ImportData)\b")
_RAW_SCAN_BYTES = 8 * 1024 * 1024
_TEXT_PAGES = 3
_RAW_URI = re.compile(rb"/URI\s*\(\s*((?:https?|ftp)://[^)\s\\]{3,2000})\)")
_URL_RE = re.compile(r"(?i)^(https?|ftp)://")


def _raw_tokens(data: bytes) -> dict[str, int]:
    head = data[:_RAW_SCAN_BYTES]
    if b"#" in head:
        # Unescape names only where a name contains an escape; cheap on normal files.
        head = re.sub(rb"/[A-Za-z0-9#]{1,40}", lambda m: _NAME_ESC.sub(lambda e: bytes([int(e.group(1), 16)]),
                                                                        m.group(0)), head)
    counts: dict[str, int] = {}
    for m in _TOKENS.finditer(head):
        k = m.group(1).decode()
        counts[k] = counts.get(k, 0) + 1
    return counts


def inspect_pdf(data: bytes, where: str, budget: AttachmentBudget) -> Inspection:
    out = Inspection()
    lim = budget.limits
    tokens = _raw_tokens(data)
    found: dict[str, list[str]] = {"js": [], "launch": [], "embedded": [], "submit": [], "remote_goto": []}
    if tokens.get("JavaScript") or tokens.get("JS"):
        found["js"].append("/JavaScript token")
    if tokens.get("Launch"):
        found["launch"].append("/Launch token")
    if tokens.get("EmbeddedFile"):
        found["embedded"].append("/EmbeddedFile token")
    uris: list[str] = []
    pages_read = 0
    n_pages = 0
    text_len = 0
    try:
        from pypdf import PdfReader

        from mailwarden.attachments.pdf_cmap import install as install_cmap_shortcut

        install_cmap_shortcut()
        reader = PdfReader(io.BytesIO(data[: lim.max_inspect_bytes]), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unsupported crypto: report as encrypted
                ok = 0
            if not ok:
                out.add("pdf_encrypted", f"{where} is a password-protected PDF; its contents cannot be checked.",
                        where)
                _finish(out, found, where)
                return out
        xref_size = int(reader.trailer.get("/Size", 0) or 0)
        if xref_size > lim.max_pdf_objects:
            out.add("inspection_incomplete", f"{where} declares {xref_size:,} objects; only its raw tokens "
                    "were checked.", f"{where}: {xref_size} objects")
            _finish(out, found, where)
            return out
        root = reader.trailer["/Root"].get_object()
        _catalog(root, found, uris)
        n_pages = len(reader.pages)
        texts: list[str] = []
        for i, page in enumerate(reader.pages):
            if i >= lim.max_pdf_pages or budget.out_of_time():
                break
            pages_read += 1
            _page_actions(page, found, uris)
            if i < _TEXT_PAGES:
                try:
                    t = page.extract_text() or ""
                except Exception:  # noqa: BLE001 - text extraction is best-effort
                    t = ""
                text_len += len(t.strip())
                texts.append(t[:20000])
        if texts:
            out.texts.append(("\n".join(texts), f"text of {where}"))
        if budget.images < lim.max_images and not budget.out_of_time():
            from mailwarden.attachments.qr import qr_from_pdf

            out.extend(qr_from_pdf(reader, where, budget))
    except Exception as exc:  # noqa: BLE001 - pypdf on hostile input: the raw tokens still count
        log.debug("pypdf failed on %s", where, exc_info=True)
        out.add("pdf_corrupt", f"{where} is a PDF that cannot be fully parsed.",
                f"{where}: {type(exc).__name__}: {str(exc)[:100]}")
    if not uris:
        # pypdf found no links (or failed): a malformed PDF still shows its /URI strings in the raw bytes.
        for m in _RAW_URI.finditer(data[:_RAW_SCAN_BYTES]):
            uris.append(m.group(1).decode("latin-1"))
            if len(uris) >= lim.max_urls:
                break
    seen: set[str] = set()
    for u in uris:
        if u not in seen and len(seen) < lim.max_urls:
            seen.add(u)
            out.urls.append((u, f"link in {where}"))
    hosts = {(urlsplit(u).hostname or "") for u in seen if _URL_RE.match(u)}
    if seen and 0 < n_pages <= 2 and len(hosts) <= 2 and text_len < 400:
        out.add("pdf_lone_link", f"{where} is a {n_pages}-page PDF with almost no text whose point is a link "
                f"to {', '.join(sorted(h for h in hosts if h)) or 'a web page'}.",
                f"{where}: {sorted(seen)[0][:200]}")
    _finish(out, found, where)
    return out


def _finish(out: Inspection, found: dict[str, list[str]], where: str) -> None:
    if found["js"]:
        out.add("pdf_javascript", f"{where} contains JavaScript, which legitimate documents sent by mail "
                "rarely need.", f"{where}: {'; '.join(dict.fromkeys(found['js']))[:200]}")
    if found["launch"]:
        out.add("pdf_launch", f"{where} has a launch action that starts a program or opens a file.",
                f"{where}: {'; '.join(dict.fromkeys(found['launch']))[:200]}")
    if found["embedded"]:
        out.add("pdf_embedded_file", f"{where} carries an embedded file.",
                f"{where}: {'; '.join(dict.fromkeys(found['embedded']))[:200]}")
    if found["submit"]:
        out.add("pdf_submit_form", f"{where} has a form that submits what you type to a web address.",
                f"{where}: {'; '.join(dict.fromkeys(found['submit']))[:200]}")


def _get(d: object, key: str) -> object:
    try:
        v = d.get(key)  # type: ignore[attr-defined]
        return v.get_object() if v is not None and hasattr(v, "get_object") else v
    except Exception:  # noqa: BLE001 - broken references are normal in hostile PDFs
        return None


def _action(a: object, found: dict[str, list[str]], uris: list[str], where: str, depth: int = 0) -> None:
    """One action dictionary, following /Next chains a few steps."""
    if not hasattr(a, "get") or depth > 8:
        return
    s = str(_get(a, "/S") or "")
    if s == "/URI":
        u = _get(a, "/URI")
        if u is not None:
            uris.append(str(u)[:2000])
    elif s == "/JavaScript":
        js = _get(a, "/JS")
        text = js.get_data()[:200].decode("latin-1", "replace") if hasattr(js, "get_data") else str(js)[:200]
        found["js"].append(f"{where}: {text.strip()}")
    elif s == "/Launch":
        target = _get(a, "/F") or _get(a, "/Win")
        found["launch"].append(f"{where}: {str(target)[:150]}")
    elif s == "/SubmitForm":
        found["submit"].append(f"{where}: {str(_get(a, '/F'))[:150]}")
    elif s in ("/GoToR", "/GoToE"):
        found["remote_goto"].append(where)
    nxt = _get(a, "/Next")
    if isinstance(nxt, list):
        for n in nxt[:8]:
            _action(n.get_object() if hasattr(n, "get_object") else n, found, uris, where, depth + 1)
    elif nxt is not None:
        _action(nxt, found, uris, where, depth + 1)


def _catalog(root: object, found: dict[str, list[str]], uris: list[str]) -> None:
    oa = _get(root, "/OpenAction")
    if hasattr(oa, "get"):
        _action(oa, found, uris, "OpenAction")
    aa = _get(root, "/AA")
    if hasattr(aa, "values"):
        for v in list(aa.values())[:20]:
            _action(v.get_object() if hasattr(v, "get_object") else v, found, uris, "document AA")
    names = _get(root, "/Names")
    if hasattr(names, "get"):
        if _get(names, "/JavaScript") is not None:
            found["js"].append("document-level /Names /JavaScript")
        ef = _get(names, "/EmbeddedFiles")
        if ef is not None:
            leaf = _get(ef, "/Names")
            label = ", ".join(str(x) for x in list(leaf)[:6:2]) if isinstance(leaf, list) else "/EmbeddedFiles"
            found["embedded"].append(label)


def _page_actions(page: object, found: dict[str, list[str]], uris: list[str]) -> None:
    aa = _get(page, "/AA")
    if hasattr(aa, "values"):
        for v in list(aa.values())[:20]:
            _action(v.get_object() if hasattr(v, "get_object") else v, found, uris, "page AA")
    annots = _get(page, "/Annots")
    if not isinstance(annots, list):
        return
    for ref in annots[:500]:
        annot = ref.get_object() if hasattr(ref, "get_object") else ref
        if not hasattr(annot, "get"):
            continue
        a = _get(annot, "/A")
        if a is not None:
            _action(a, found, uris, "link")
        aa2 = _get(annot, "/AA")
        if hasattr(aa2, "values"):
            for v in list(aa2.values())[:10]:
                _action(v.get_object() if hasattr(v, "get_object") else v, found, uris, "annotation AA")
        if str(_get(annot, "/Subtype") or "") == "/FileAttachment":
            found["embedded"].append("file attachment annotation")

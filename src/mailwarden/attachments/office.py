"""Office documents: VBA and XLM macros, remote templates, DDE, external links, encryption.

oletools' VBA_Parser finds VBA in OLE and OOXML files and XLM in BIFF `.xls`, but not XLM macro sheets
in `.xlsm`/`.xlsb` (they live in `xl/macrosheets/`), so that check is ours. OOXML relationships are
read with a regular expression over bounded text rather than an XML parser: no entity expansion, no
external DTDs, linear time.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

from mailwarden.attachments import AttachmentBudget, Inspection

log = logging.getLogger(__name__)

_MAX_XML = 2 * 1024 * 1024
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]{0,4000})>", re.I)
_ATTR = re.compile(rb"""\b(Type|Target|TargetMode)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_DDE = re.compile(rb"\bDDE(?:AUTO)?\b", re.I)
_INSTR = re.compile(rb"<w:instrText[^>]*>([^<]{0,2000})</w:instrText>|w:instr=\"([^\"]{0,2000})\"", re.I)
# Relationship types whose external target is fetched when the document opens.
_REMOTE_LOAD = ("attachedtemplate", "oleobject", "frame", "subdocument", "externallinkpath", "image")


def inspect_ooxml(data: bytes, where: str, budget: AttachmentBudget) -> Inspection:
    out = Inspection()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()[: budget.limits.max_archive_members]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, IndexError) as exc:
        out.add("office_corrupt", f"{where} is an Office file that cannot be opened.", f"{where}: {exc}")
        return out
    names = [i.filename for i in infos]
    lower = [n.lower() for n in names]
    if any(n.startswith(("xl/macrosheets/", "xl/intlmacrosheets/")) for n in lower):
        out.add("office_xlm_macro", f"{where} contains an Excel 4.0 (XLM) macro sheet, a macro kind often "
                "used to run code while evading antivirus.", f"{where}: xl/macrosheets/")
    if any(n.endswith("vbaproject.bin") for n in lower):
        out.extend(_vba(data, where))
    total = 0
    dde_done = False
    for info in infos:
        low = info.filename.lower()
        is_rels = low.endswith(".rels")
        is_body = low in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml") or (
            low.startswith("xl/worksheets/") and low.endswith(".xml"))
        if not (is_rels or is_body) or info.file_size > _MAX_XML * 4:
            continue
        if budget.out_of_time() or total > 4 * _MAX_XML:
            break
        try:
            with zf.open(info) as fh:
                xml = fh.read(_MAX_XML)
        except Exception:  # noqa: BLE001 - a broken member is one member, not the file
            continue
        total += len(xml)
        budget.decompressed += len(xml)
        if is_rels:
            _relationships(out, xml, where, info.filename)
        elif not dde_done and low.startswith("word/"):
            for m in _INSTR.finditer(xml):
                instr = (m.group(1) or m.group(2) or b"").decode("utf-8", "replace")
                if _DDE.search(instr.encode()):
                    out.add("office_dde", f"{where} has a DDE field that can launch a program when the "
                            "document updates its fields.", f"{where}: {instr.strip()[:150]}")
                    dde_done = True
                    break
    return out


def _relationships(out: Inspection, xml: bytes, where: str, part: str) -> None:
    for m in _REL.finditer(xml):
        attrs = {a.group(1).decode().lower(): (a.group(2) or a.group(3) or b"").decode("utf-8", "replace")
                 for a in _ATTR.finditer(m.group(1))}
        if attrs.get("targetmode", "").lower() != "external":
            continue
        target = attrs.get("target", "").strip()
        rtype = attrs.get("type", "").rsplit("/", 1)[-1].lower()
        if not target:
            continue
        if rtype == "hyperlink":
            if re.match(r"(?i)(https?|ftp)://|www\.", target):
                out.urls.append((target, f"hyperlink in {where}"))
        elif rtype in _REMOTE_LOAD:
            if re.match(r"(?i)(https?|ftp|file)://|\\\\", target) or target.lower().startswith("mhtml:"):
                out.add("office_remote_template", f"{where} loads a {rtype} from {target[:120]} when opened "
                        "(remote template injection).", f"{where}: {part}: {target}")
                if target.lower().startswith(("http", "ftp")):
                    out.urls.append((target, f"remote {rtype} of {where}"))


def inspect_ole(data: bytes, where: str, budget: AttachmentBudget) -> Inspection:
    out = Inspection()
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # noqa: BLE001 - olefile raises a zoo of errors on corrupt input
        out.add("office_corrupt", f"{where} is an OLE (legacy Office) file that cannot be opened.",
                f"{where}: {type(exc).__name__}: {str(exc)[:100]}")
        return out
    try:
        streams = ["/".join(s).lower() for s in ole.listdir(streams=True, storages=True)[:5000]]
    finally:
        ole.close()
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        out.add("office_encrypted", f"{where} is a password-protected Office document; its contents cannot be "
                "checked.", f"{where}: EncryptedPackage")
        return out
    has_vba = any(s.endswith(("vba", "_vba_project", "vba/dir")) or "/vba/" in f"/{s}/" or s.startswith("macros")
                  for s in streams)
    is_biff = "workbook" in streams or "book" in streams
    if has_vba or is_biff:
        out.extend(_vba(data, where, biff=is_biff))
    return out


def _vba(data: bytes, where: str, biff: bool = False) -> Inspection:
    out = Inspection()
    try:
        from oletools.olevba import VBA_Parser
    except ImportError:  # pragma: no cover - oletools is a declared dependency
        return out
    vp = None
    try:
        vp = VBA_Parser(where.rsplit(" > ", 1)[-1] or "file", data=data)
        xlm = bool(biff and vp.detect_xlm_macros())
        vba = bool(vp.detect_vba_macros())
        if not (vba or xlm):
            return out
        results = vp.analyze_macros() or []
    except Exception as exc:  # noqa: BLE001 - oletools on hostile input
        out.add("office_corrupt", f"The macros of {where} could not be analysed.",
                f"{where}: {type(exc).__name__}: {str(exc)[:100]}")
        return out
    finally:
        if vp is not None:
            try:
                vp.close()
            except Exception:  # noqa: BLE001
                pass
    autoexec = sorted({kw for typ, kw, _ in results if typ == "AutoExec"})
    suspicious = sorted({kw for typ, kw, _ in results if typ == "Suspicious"})
    iocs = sorted({kw for typ, kw, _ in results if typ == "IOC"})
    if xlm:
        out.add("office_xlm_macro", f"{where} contains Excel 4.0 (XLM) macros.", f"{where}: XLM macro")
    if vba:
        out.add("office_macro", f"{where} contains VBA macros.", f"{where}: VBA project")
    if autoexec:
        out.add("office_macro_autoexec", f"{where} has macros that run by themselves when the document opens.",
                f"{where}: {', '.join(autoexec[:6])}")
    if suspicious:
        out.add("office_macro_suspicious", f"{where} has macros that download, run or hide things.",
                f"{where}: {', '.join(suspicious[:8])}")
    for ioc in iocs:
        if re.match(r"(?i)https?://", ioc):
            out.urls.append((ioc, f"macro in {where}"))
    return out


def inspect_rtf(data: bytes, where: str, budget: AttachmentBudget) -> Inspection:
    """RTF: embedded OLE objects (the carrier of equation-editor and OLE-link exploits)."""
    out = Inspection()
    head = data[: budget.limits.max_markup_bytes]
    if re.search(rb"\\object[\\ ]|\\objdata|\\objupdate", head):
        kind = "office_rtf_objupdate" if b"\\objupdate" in head else "office_rtf_object"
        out.add(kind, f"{where} is an RTF document with an embedded OLE object"
                + (" that updates itself on open." if kind == "office_rtf_objupdate" else "."), where)
    for m in re.finditer(rb'HYPERLINK\s+\\?"?(https?://[^"\s\\}]{1,500})', head):
        out.urls.append((m.group(1).decode("latin-1"), f"hyperlink in {where}"))
    return out

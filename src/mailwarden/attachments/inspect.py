"""The dispatcher: judge one file by its name and true type, then hand it to the right inspector.

`inspect_file` never raises on content: anything a parser throws becomes an `inspection_failed`
observation for that file alone, so one hostile attachment cannot hide the findings of the others.
"""

from __future__ import annotations

import logging

from mailwarden.attachments import AttachmentBudget, Inspection
from mailwarden.attachments.filetype import (
    ARCHIVE_FAMILIES,
    DISK_IMAGE_EXTS,
    EXECUTABLE_EXTS,
    EXECUTABLE_FAMILIES,
    FileType,
    ext_family,
    is_mismatch,
    name_claims,
    sniff,
)

log = logging.getLogger(__name__)

# True types that make a mismatch dangerous rather than sloppy.
_DANGEROUS_TRUE = EXECUTABLE_FAMILIES | ARCHIVE_FAMILIES | {"html", "svg", "iso", "vhd", "onenote", "ole", "ooxml"}


def inspect_file(data: bytes, where: str, depth: int, budget: AttachmentBudget,
                 true: FileType | None = None) -> Inspection:
    """Inspect one file. `where` names it for people ("a.zip > b.exe"); depth -1 judges name and
    type only (a member read in part), 0 is a top-level attachment."""
    try:
        return _inspect(data, where, depth, budget, true)
    except RecursionError:
        out = Inspection()
        out.add("inspection_failed", f"{where} is nested too deeply to inspect.", where)
        return out
    except Exception as exc:  # noqa: BLE001 - hostile input may break any parser; report, never escape
        log.debug("inspecting %s failed", where, exc_info=True)
        out = Inspection()
        out.add("inspection_failed", f"{where} could not be inspected (corrupt or hostile file).",
                f"{where}: {type(exc).__name__}: {str(exc)[:120]}")
        return out


def _inspect(data: bytes, where: str, depth: int, budget: AttachmentBudget, true: FileType | None) -> Inspection:
    out = Inspection()
    nested = " > " in where
    filename = where.rsplit(" > ", 1)[-1]
    claims = name_claims(filename)
    ft = true or (sniff(data) if data else FileType("unknown", "application/octet-stream"))
    ext = claims.ext
    prefix = "archived_" if nested else ""

    if claims.bidi and not nested:
        out.add("bidi_filename", f"The attachment name {claims.name!r} uses right-to-left override characters "
                "to disguise its real extension.", where)
    if ft.family in EXECUTABLE_FAMILIES or ext in EXECUTABLE_EXTS:
        what = f"a {ft.family.upper()} program" if ft.family in EXECUTABLE_FAMILIES else f"a .{ext} file"
        out.add(prefix + "executable", f"{where} is {what}, which runs code when opened.",
                f"{where} ({ft.mime})")
    elif ext in DISK_IMAGE_EXTS or ft.family in ("iso", "vhd"):
        out.add(prefix + "disk_image", f"{where} is a disk image, a container used to carry programs past "
                "mark-of-the-web protections.", f"{where} ({ft.mime})")
    elif ext in ("one", "onepkg") or ft.family == "onenote":
        out.add(prefix + "onenote", f"{where} is a OneNote file, a container abused to hide clickable "
                "programs.", where)
    elif ext == "mobileconfig":
        out.add(prefix + "config_profile", f"{where} is an Apple configuration profile that can install "
                "certificates, VPNs or device management when opened.", where)
    if claims.decoy_ext or (claims.padded and ext in EXECUTABLE_EXTS):
        shown = f".{claims.decoy_ext}" if claims.decoy_ext else "a padded name"
        out.add("double_extension", f"{where} pretends to be {shown} but is really .{ext}.", where)
    if data and is_mismatch(ext, ft):
        kind = "type_mismatch_dangerous" if ft.family in _DANGEROUS_TRUE else "type_mismatch"
        out.add(kind, f"{where} is named .{ext} ({ext_family(ext)}) but is really {ft.mime}.",
                f"{where}: name .{ext}, content {ft.mime}")
    if depth < 0 or not data or budget.out_of_time():
        return out

    fam = ft.family
    if fam == "zip" or (fam == "ooxml" and ext in ("zip", "jar")):
        from mailwarden.attachments.archives import inspect_zip

        out.extend(inspect_zip(data, where, depth, budget, _callback(budget)))
    elif fam == "ooxml":
        from mailwarden.attachments.office import inspect_ooxml

        out.extend(inspect_ooxml(data, where, budget))
    elif fam in ("ole", "msi"):
        from mailwarden.attachments.office import inspect_ole

        out.extend(inspect_ole(data, where, budget))
    elif fam == "rtf":
        from mailwarden.attachments.office import inspect_rtf

        out.extend(inspect_rtf(data, where, budget))
    elif fam == "pdf":
        from mailwarden.attachments.pdf import inspect_pdf

        out.extend(inspect_pdf(data, where, budget))
    elif fam in ("html", "svg") or (fam in ("xml", "text", "unknown") and ext in ("html", "htm", "svg", "shtml")):
        from mailwarden.attachments.markup import inspect_markup

        out.extend(inspect_markup(data, where, budget, svg=fam == "svg" or ext == "svg"))
    elif fam == "calendar" or ext in ("ics", "vcs"):
        from mailwarden.attachments.markup import inspect_calendar

        out.extend(inspect_calendar(data, where, budget))
    elif fam in ("gzip",):
        from mailwarden.attachments.archives import inspect_gzip

        out.extend(inspect_gzip(data, where, depth, budget, _callback(budget)))
    elif fam == "tar":
        from mailwarden.attachments.archives import inspect_tar

        out.extend(inspect_tar(data, where, depth, budget, _callback(budget)))
    elif fam == "rar":
        from mailwarden.attachments.archives import inspect_rar

        out.extend(inspect_rar(data, where, budget, _callback(budget)))
    elif fam == "iso":
        from mailwarden.attachments.archives import inspect_iso

        out.extend(inspect_iso(data, where, budget, _callback(budget)))
    elif fam == "onenote" or ext in ("one", "onepkg"):
        from mailwarden.attachments.archives import inspect_onenote

        out.extend(inspect_onenote(data, where, budget, _callback(budget)))
    elif fam == "7z":
        from mailwarden.attachments.archives import inspect_7z

        out.extend(inspect_7z(data, where, _callback(budget)))
    elif ext == "url" or data[:18].lower() == b"[internetshortcut]":
        _internet_shortcut(out, data, where)
    elif fam in ("cab", "bzip2", "xz"):
        out.add("archive_unopened", f"{where} is a {fam} archive; its contents were not inspected.", where)
    elif fam == "image" and not nested:
        from mailwarden.attachments.qr import inspect_image

        out.extend(inspect_image(data, where, budget))
    return out


def _internet_shortcut(out: Inspection, data: bytes, where: str) -> None:
    import re

    m = re.search(rb"(?im)^\s*URL\s*=\s*(\S{1,2000})", data[:65536])
    if m:
        url = m.group(1).decode("utf-8", "replace")
        if re.match(r"(?i)(https?|ftp)://", url):
            out.urls.append((url, f"internet shortcut {where}"))
        elif re.match(r"(?i)file:|\\\\", url):
            out.add("executable", f"{where} is a shortcut that runs a file from a remote share ({url[:100]}).",
                    f"{where}: {url[:200]}")


def _callback(budget: AttachmentBudget):  # noqa: ANN202 - an Inspector
    def cb(data: bytes, where: str, depth: int) -> Inspection:
        return inspect_file(data, where, depth, budget)

    return cb

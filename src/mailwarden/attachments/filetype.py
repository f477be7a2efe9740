"""True file type from content, and what a file name claims.

Our own magic-byte checks cover the types that matter for mail threats (they are exact and cost
nothing); python-magic (libmagic) names everything else. A name's claims: its last extension, a decoy
extension before it ("invoice.pdf.exe"), bidirectional-override characters that reverse how it is
shown ("invoice\u202efdp.exe" displays as "invoiceexe.pdf").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Windows (and a few macOS/Android) formats that run code when opened.
EXECUTABLE_EXTS = frozenset("""
exe scr com pif cpl msi msp mst dll ocx sys drv bat cmd ps1 psm1 psd1 vbs vbe js jse wsf wsh wsc sct hta
jar lnk reg inf scf url application appref-ms gadget msc xll chm iqy slk settingcontent-ms appx appxbundle
msix msixbundle library-ms search-ms apk app command workflow action pkg mpkg ws ade adp mde accde
""".split())
DISK_IMAGE_EXTS = frozenset("iso img vhd vhdx udf dmg".split())
ARCHIVE_EXTS = frozenset("zip zipx rar 7z gz tgz bz2 tbz xz txz tar cab ace arj lzh lha z r00 r01 uue".split())
MACRO_OFFICE_EXTS = frozenset("docm dotm xlsm xltm xlam xlsb pptm potm ppam ppsm sldm".split())
OFFICE_EXTS = frozenset("doc dot docx dotx xls xlt xlsx xltx ppt pot pps pptx potx ppsx rtf odt ods odp".split()) \
    | MACRO_OFFICE_EXTS
MARKUP_EXTS = frozenset("html htm shtml xhtml mht mhtml svg svgz".split())
# Extensions people trust, used as decoys before a dangerous one.
DECOY_EXTS = frozenset("""pdf doc docx xls xlsx ppt pptx txt rtf jpg jpeg png gif bmp tif tiff csv odt ods
mp3 mp4 wav mov avi zip rar 7z eml msg""".split())
# A final extension that, after a decoy, makes a double extension worth reporting.
DANGEROUS_FINAL_EXTS = EXECUTABLE_EXTS | DISK_IMAGE_EXTS | MARKUP_EXTS | {"one", "onepkg", "mobileconfig"}

# Families the name's extension promises.
_EXT_FAMILY: dict[str, str] = {"pdf": "pdf", "zip": "zip", "rar": "rar", "7z": "7z", "gz": "gzip", "tgz": "gzip",
                               "exe": "pe", "dll": "pe", "scr": "pe", "cpl": "pe", "sys": "pe", "ocx": "pe",
                               "lnk": "lnk", "iso": "iso", "cab": "cab", "rtf": "rtf", "ics": "calendar",
                               "svg": "svg", "html": "html", "htm": "html", "one": "onenote"}
for _e in ("doc", "dot", "xls", "xlt", "ppt", "pot", "pps", "msg", "msi"):
    _EXT_FAMILY[_e] = "ole"
for _e in ("docx", "dotx", "docm", "dotm", "xlsx", "xltx", "xlsm", "xltm", "xlam", "xlsb", "pptx", "potx",
           "ppsx", "pptm", "potm", "ppsm", "ppam", "sldm"):
    _EXT_FAMILY[_e] = "ooxml"
for _e in ("jpg", "jpeg", "jpe", "png", "gif", "bmp", "webp", "tif", "tiff"):
    _EXT_FAMILY[_e] = "image"

EXECUTABLE_FAMILIES = frozenset({"pe", "elf", "macho", "lnk", "msi"})
ARCHIVE_FAMILIES = frozenset({"zip", "rar", "7z", "gzip", "bzip2", "xz", "cab", "tar"})
# Families a benign mislabel often produces: never a mismatch on their own.
_LOOSE_FAMILIES = frozenset({"text", "unknown", "xml"})

_FAMILY_MIME = {"pe": "application/vnd.microsoft.portable-executable", "elf": "application/x-executable",
                "macho": "application/x-mach-binary", "zip": "application/zip", "ooxml": None, "ole": None,
                "msi": "application/x-msi", "pdf": "application/pdf", "rar": "application/vnd.rar",
                "7z": "application/x-7z-compressed", "gzip": "application/gzip", "bzip2": "application/x-bzip2",
                "xz": "application/x-xz", "cab": "application/vnd.ms-cab-compressed", "tar": "application/x-tar",
                "iso": "application/x-iso9660-image", "vhd": "application/x-vhd", "lnk": "application/x-ms-shortcut",
                "rtf": "text/rtf", "onenote": "application/onenote", "html": "text/html",
                "svg": "image/svg+xml", "calendar": "text/calendar"}

_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_SPACE_RUN = re.compile(r"[\s\u2800\u3000_.]{8,}")


@dataclass
class FileType:
    family: str  # one of the families above, "image", "text", "xml", or "unknown"
    mime: str  # best MIME type for reports


_magic = None


def _libmagic(data: bytes) -> str:
    global _magic
    try:
        if _magic is None:
            import magic

            _magic = magic.Magic(mime=True)
        return _magic.from_buffer(data[:16384]) or "application/octet-stream"
    except Exception as exc:  # noqa: BLE001 - libmagic missing or confused: not our verdict
        log.debug("libmagic failed: %s", exc)
        return "application/octet-stream"


def sniff(data: bytes) -> FileType:
    """The file's real type, from its first bytes (and a few fixed offsets)."""
    fam = _family(data)
    if fam == "image":
        return FileType("image", _image_mime(data))
    mime = _FAMILY_MIME.get(fam) if fam not in ("text", "xml", "unknown") else None
    if mime:
        return FileType(fam, mime)
    if fam in ("unknown", "text") and _is_plain_text(data[:8192]):
        # libmagic's text tests cost milliseconds per call; plain text needs none of them.
        return FileType("text", "text/plain")
    m = _libmagic(data)
    if fam == "unknown":
        if m.startswith("text/"):
            fam = "text"
        elif m.startswith("image/"):
            fam = "image"
    if fam == "ole" and m == "application/x-msi":
        fam = "msi"
    return FileType(fam, m)


def _is_plain_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the end is still text
            return False
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return ctrl * 100 < len(head)


def _image_mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data[8:12] == b"WEBP":
        return "image/webp"
    return "image/tiff"


# Leading bytes of each family, checked in this order (the first match wins).
_MAGIC: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"MZ",), "pe"),
    ((b"\x7fELF",), "elf"),
    ((b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"), "macho"),
    ((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"), "zip"),  # or ooxml, decided by its first entries
    ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "ole"),
    ((b"Rar!\x1a\x07",), "rar"),
    ((b"7z\xbc\xaf\x27\x1c",), "7z"),
    ((b"\x1f\x8b",), "gzip"),
    ((b"BZh",), "bzip2"),
    ((b"\xfd7zXZ\x00",), "xz"),
    ((b"MSCF",), "cab"),
    ((b"L\x00\x00\x00\x01\x14\x02\x00",), "lnk"),
    ((b"{\\rt",), "rtf"),
    ((b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3",), "onenote"),
    ((b"conectix", b"vhdxfile"), "vhd"),
)


def _family(data: bytes) -> str:
    head = data[:16]
    for prefixes, family in _MAGIC:
        if head.startswith(prefixes):
            if family == "zip" and _looks_ooxml(data):
                return "ooxml"
            return family
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
            head.startswith(b"RIFF") and data[8:12] == b"WEBP") or head.startswith((b"II*\x00", b"MM\x00*")) or (
            head.startswith(b"BM") and len(data) > 26 and data[14:15] in (b"\x0c", b"(", b"@", b"l", b"|")):
        return "image"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for off in (0x8001, 0x8801, 0x9001):
        if data[off:off + 5] in (b"CD001", b"BEA01", b"NSR02", b"NSR03"):
            return "iso"
    if data[257:262] == b"ustar":
        return "tar"
    return _text_family(data[:4096])


def _looks_ooxml(data: bytes) -> bool:
    # The first local header names are enough: Office writes [Content_Types].xml, _rels/ or word/ first.
    window = data[:4096]
    return b"[Content_Types].xml" in window or b"_rels/.rels" in window or b"word/" in window[:200] \
        or b"xl/" in window[:200] or b"ppt/" in window[:200]


_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|meta|form|iframe|title|div|"
                         rb"table|a\s|p>|style|base|center|img|br|h[1-6])", re.I | re.S)


def _text_family(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00")
    if text.startswith(b"\xfe\xff") or (len(head) > 4 and head[1:2] == b"\x00"):
        text = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    low = text.lower()
    if low.lstrip().startswith(b"begin:vcalendar"):
        return "calendar"
    if b"<svg" in low[:2048] and (low.lstrip().startswith((b"<?xml", b"<svg", b"<!doctype svg", b"<!--"))):
        return "svg"
    if _HTML_START.match(text):
        return "html"
    if low.lstrip().startswith(b"<?xml") or low.lstrip().startswith(b"<plist"):
        if b"<html" in low:
            return "html"
        return "xml"
    if low.lstrip().startswith(b"#!"):
        return "text"
    return "unknown"


@dataclass
class NameClaims:
    name: str  # as shown to a reader (bidi controls removed, whitespace squeezed)
    ext: str  # the real last extension, lower case ("" when none)
    decoy_ext: str | None  # a trusted-looking extension before a dangerous final one
    bidi: bool  # the name holds bidirectional-override characters
    padded: bool  # a long run of spaces or dots hides the real extension


def name_claims(filename: str | None) -> NameClaims:
    raw = unicodedata.normalize("NFC", filename or "")
    bidi = bool(_BIDI.search(raw))
    clean = _BIDI.sub("", raw).strip().strip(".").strip()
    padded = bool(_SPACE_RUN.search(clean))
    base = clean.replace("\\", "/").rsplit("/", 1)[-1]
    parts = base.split(".")
    ext = parts[-1].strip().lower() if len(parts) > 1 else ""
    decoy = None
    if len(parts) > 2 and ext in DANGEROUS_FINAL_EXTS:
        prev = parts[-2].strip().lower()
        if prev in DECOY_EXTS:
            decoy = prev
    return NameClaims(base, ext, decoy, bidi, padded)


def ext_family(ext: str) -> str | None:
    return _EXT_FAMILY.get(ext)


def is_mismatch(ext: str, true: FileType) -> bool:
    """The name promises one kind of file and the content is another."""
    want = _EXT_FAMILY.get(ext)
    got = true.family
    if want is None or got in _LOOSE_FAMILIES:
        return False
    if want == got:
        return False
    # Office has always saved other formats under its extensions (RTF as .doc, HTML or XML tables
    # as .xls, a .doc renamed .docx); business software exports do the same.
    compatible = {("ooxml", "zip"), ("zip", "ooxml"), ("ole", "msi"), ("html", "svg"), ("svg", "html"),
                  ("svg", "xml"), ("html", "xml"), ("calendar", "text"), ("ole", "rtf"), ("ole", "html"),
                  ("ole", "xml"), ("ole", "ooxml"), ("ooxml", "ole"), ("rtf", "ole")}
    return (want, got) not in compatible


def is_executable(true: FileType, ext: str) -> bool:
    return true.family in EXECUTABLE_FAMILIES or ext in EXECUTABLE_EXTS

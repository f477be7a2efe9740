"""Archives: zip (opened, members inspected), gzip/tar (opened), rar (headers read), 7z (recognised).

Bombs are findings: a member count, a declared total, a compression ratio, a decompressed size or a
nesting depth past the budget stops the walk and is reported. Reads are always bounded by length,
never trusting the sizes an archive declares (a lying header can claim 1 KB and inflate to 1 GB).
"""

from __future__ import annotations

import io
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable

from mailwarden.attachments import AttachmentBudget, Inspection
from mailwarden.attachments.filetype import (
    ARCHIVE_EXTS,
    DISK_IMAGE_EXTS,
    MACRO_OFFICE_EXTS,
    MARKUP_EXTS,
    name_claims,
)

# inspect(data, name, depth) -> Inspection: the dispatcher, passed in to avoid an import cycle.
Inspector = Callable[[bytes, str, int], Inspection]

_HEAD = 4096
# Members worth decompressing whole: everything else is judged by name and first bytes.
_DEEP_EXTS = ARCHIVE_EXTS | MACRO_OFFICE_EXTS | MARKUP_EXTS | DISK_IMAGE_EXTS | {
    "pdf", "doc", "xls", "ppt", "docx", "xlsx", "pptx", "rtf", "one", "ics", "lnk"}


def inspect_zip(data: bytes, where: str, depth: int, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    out = Inspection()
    lim = budget.limits
    declared = _eocd_entries(data)
    if declared is not None and declared > lim.max_archive_members * 10:
        out.add("archive_bomb", f"{where} declares {declared} members, far more than mail archives hold.",
                f"{where}: {declared} members")
        return out
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
            RuntimeError, IndexError, struct.error) as exc:
        out.add("archive_corrupt", f"{where} looks like a zip archive but cannot be opened.",
                f"{where}: {type(exc).__name__}: {exc}")
        return out
    if len(infos) > lim.max_archive_members:
        out.add("archive_bomb", f"{where} holds {len(infos)} members; only the first "
                f"{lim.max_archive_members} were inspected.", f"{where}: {len(infos)} members")
        infos = infos[: lim.max_archive_members]
    total = sum(i.file_size for i in infos)
    if total > lim.max_archive_total or (total > 10 * 1024 * 1024 and total > lim.max_ratio * max(len(data), 1)):
        out.add("archive_bomb", f"{where} would expand to {total:,} bytes from {len(data):,} "
                "(a decompression bomb).", f"{where}: {total} bytes declared")
        return out
    encrypted = [i.filename for i in infos if i.flag_bits & 0x1]
    if encrypted:
        out.add("archive_encrypted", f"{where} is password-protected, so its contents cannot be checked "
                "(a common way to slip malware past filters).", f"{where}: {_names(encrypted)}")
    for info in infos:
        if budget.out_of_time():
            out.add("inspection_incomplete", f"Time ran out while inspecting {where}.", where)
            break
        if info.is_dir():
            continue
        member = f"{where} > {info.filename[:200]}"
        _judge_member_name(out, info.filename, member)
        if info.flag_bits & 0x1:
            out.extend(inspect(b"", member, -1))  # encrypted: judged by its name alone
            continue
        if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > lim.max_ratio:
            out.add("archive_bomb", f"{member} compresses {info.file_size / info.compress_size:,.0f}:1 "
                    "(a decompression bomb).", f"{member}: {info.compress_size} -> {info.file_size} bytes")
            continue
        ext = name_claims(info.filename).ext
        deep = ext in _DEEP_EXTS
        want = lim.max_member_bytes if deep else _HEAD
        room = lim.max_decompressed_total - budget.decompressed
        if room <= 0:
            out.add("archive_bomb", f"Archives in this message decompress to more than "
                    f"{lim.max_decompressed_total:,} bytes; the rest was not inspected.", member)
            break
        try:
            with zf.open(info) as fh:
                blob = fh.read(min(want, room) + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError,
                zlib.error, struct.error) as exc:
            out.add("archive_corrupt", f"A member of {where} cannot be decompressed.",
                    f"{member}: {type(exc).__name__}: {exc}")
            continue
        budget.decompressed += len(blob)
        if len(blob) > want and deep:
            out.add("archive_bomb", f"{member} decompresses past {want:,} bytes despite declaring "
                    f"{info.file_size:,}.", member)
            blob = blob[:want]
        if depth + 1 > lim.max_depth and _is_archive_head(blob):
            out.add("archive_too_deep", f"{member} is an archive nested {depth + 1} deep; it was not opened.",
                    member)
            continue
        if not deep and not _is_interesting_head(blob):
            out.extend(inspect(blob, member, -1))  # type check only: a head, not the whole file
            continue
        out.extend(inspect(blob, member, depth + 1))
    return out


def _names(names: list[str]) -> str:
    shown = ", ".join(n[:80] for n in names[:5])
    return shown + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")


def _judge_member_name(out: Inspection, name: str, member: str) -> None:
    claims = name_claims(name)
    if claims.bidi:
        out.add("bidi_filename", f"{member} uses right-to-left override characters to disguise its extension.",
                member)


def _is_archive_head(blob: bytes) -> bool:
    return blob.startswith((b"PK\x03\x04", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"MSCF"))


def _is_interesting_head(blob: bytes) -> bool:
    # Content that needs a full read even behind a harmless name (a zip named .txt, a PDF named .dat).
    return _is_archive_head(blob) or blob.startswith((b"%PDF", b"\xd0\xcf\x11\xe0")) or b"%PDF-" in blob[:1024]


def _eocd_entries(data: bytes) -> int | None:
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if pos < 0 or pos + 22 > len(data):
        return None
    (total,) = struct.unpack_from("<H", data, pos + 10)
    return None if total == 0xFFFF else total


def inspect_gzip(data: bytes, where: str, depth: int, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    out = Inspection()
    lim = budget.limits
    room = min(lim.max_member_bytes, lim.max_decompressed_total - budget.decompressed)
    if room <= 0:  # never call decompress with max_length 0: zlib reads that as "unlimited"
        out.add("archive_bomb", f"Archives in this message decompress to more than "
                f"{lim.max_decompressed_total:,} bytes; {where} was not inspected.", where)
        return out
    d = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        blob = d.decompress(data, room + 1)
    except zlib.error as exc:
        out.add("archive_corrupt", f"{where} is gzip data that cannot be decompressed.", f"{where}: {exc}")
        return out
    budget.decompressed += len(blob)
    if len(blob) > room:
        out.add("archive_bomb", f"{where} decompresses past {room:,} bytes (a decompression bomb).", where)
        return out
    inner = where[:-3] if where.lower().endswith(".gz") else f"{where} (gunzipped)"
    if blob[257:262] == b"ustar":
        return _inspect_tar(blob, where, depth, budget, inspect)
    if depth + 1 > lim.max_depth:
        return out
    out.extend(inspect(blob, inner, depth + 1))
    return out


def inspect_tar(data: bytes, where: str, depth: int, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    return _inspect_tar(data, where, depth, budget, inspect)


def _inspect_tar(blob: bytes, where: str, depth: int, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    out = Inspection()
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tf:
            for n, ti in enumerate(tf):
                if n >= budget.limits.max_archive_members or budget.out_of_time():
                    break
                if not ti.isfile():
                    continue
                member = f"{where} > {ti.name[:200]}"
                _judge_member_name(out, ti.name, member)
                fh = tf.extractfile(ti)
                if fh is None:
                    continue
                head = fh.read(min(ti.size, budget.limits.max_member_bytes))
                out.extend(inspect(head, member, depth + 1 if depth + 1 <= budget.limits.max_depth else -1))
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        out.add("archive_corrupt", f"{where} is a tar archive that cannot be read.", f"{where}: {exc}")
    return out


def inspect_rar(data: bytes, where: str, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    """RAR cannot be decompressed here; its headers still give member names and encryption."""
    out = Inspection()
    try:
        names, encrypted, headers_encrypted = (_rar5 if data[6:8] == b"\x01\x00" else _rar4)(data, budget)
    except (IndexError, struct.error, ValueError):
        out.add("archive_corrupt", f"{where} is a RAR archive whose headers cannot be read.", where)
        return out
    if headers_encrypted or encrypted:
        what = "file names and contents" if headers_encrypted else "contents"
        out.add("archive_encrypted", f"{where} is password-protected, so its {what} cannot be checked "
                "(a common way to slip malware past filters).", f"{where}: {_names(encrypted) or 'headers'}")
    out.add("archive_unopened", f"{where} is a RAR archive; its members were judged by name only.", where)
    for name in names:
        member = f"{where} > {name[:200]}"
        _judge_member_name(out, name, member)
        out.extend(inspect(b"", member, -1))  # name-only judgement
    return out


def _vint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(10):
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos
    raise ValueError("vint too long")


def _rar5(data: bytes, budget: AttachmentBudget) -> tuple[list[str], list[str], bool]:
    names: list[str] = []
    encrypted: list[str] = []
    pos = 8
    for _ in range(budget.limits.max_archive_members * 2):
        if pos + 7 > len(data):
            break
        size, p = _vint(data, pos + 4)
        end = p + size
        htype, p = _vint(data, p)
        flags, p = _vint(data, p)
        extra = data_size = 0
        if flags & 1:
            extra, p = _vint(data, p)
        if flags & 2:
            data_size, p = _vint(data, p)
        if htype == 4:  # archive encryption header: everything after it is encrypted
            return names, encrypted, True
        if htype == 2:
            fflags, p = _vint(data, p)
            _unpacked, p = _vint(data, p)
            _attrs, p = _vint(data, p)
            p += (4 if fflags & 2 else 0) + (4 if fflags & 4 else 0)
            _comp, p = _vint(data, p)
            _os, p = _vint(data, p)
            nlen, p = _vint(data, p)
            name = data[p:p + nlen].decode("utf-8", "replace")
            p += nlen
            names.append(name)
            q, extra_end = p, min(p + extra, end)
            while q < extra_end:
                rsize, q2 = _vint(data, q)
                rtype, _ = _vint(data, q2)
                if rtype == 1:
                    encrypted.append(name)
                q = q2 + rsize
        if htype == 5:
            break
        pos = end + data_size
    return names, encrypted, False


def _rar4(data: bytes, budget: AttachmentBudget) -> tuple[list[str], list[str], bool]:
    names: list[str] = []
    encrypted: list[str] = []
    pos = 7
    for _ in range(budget.limits.max_archive_members * 2):
        if pos + 7 > len(data):
            break
        _crc, htype, flags, hsize = struct.unpack_from("<HBHH", data, pos)
        if hsize < 7:
            break
        add = 0
        if htype == 0x73 and flags & 0x0080:
            return names, encrypted, True
        if htype == 0x74:
            pack, = struct.unpack_from("<I", data, pos + 7)
            nlen, = struct.unpack_from("<H", data, pos + 26)
            off = pos + 32 + (8 if flags & 0x100 else 0)
            name = data[off:off + nlen].split(b"\x00")[0].decode("utf-8", "replace")
            names.append(name)
            if flags & 0x04:
                encrypted.append(name)
            add = pack + (struct.unpack_from("<I", data, pos + 32)[0] << 32 if flags & 0x100 else 0)
        elif flags & 0x8000:
            add, = struct.unpack_from("<I", data, pos + 7)
        if htype == 0x7B:
            break
        pos += hsize + add
    return names, encrypted, False


def inspect_iso(data: bytes, where: str, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    """ISO 9660 images (Joliet names when present): list the files and judge each by name and first
    bytes. Disk images carry LNK + DLL bundles past mark-of-the-web; what is inside is the point."""
    out = Inspection()
    try:
        files = _iso_files(data, budget)
    except (IndexError, struct.error, ValueError):
        out.add("archive_corrupt", f"{where} is a disk image whose directory cannot be read.", where)
        return out
    for name, start, size in files:
        if budget.out_of_time():
            break
        head = data[start:start + min(size, _HEAD)] if 0 <= start < len(data) else b""
        out.extend(inspect(head, f"{where} > {name[:200]}", -1))
    return out


def _iso_files(data: bytes, budget: AttachmentBudget) -> list[tuple[str, int, int]]:
    sector = 2048
    root: tuple[int, int] | None = None
    joliet = False
    for i in range(16, 32):
        vd = data[i * sector:(i + 1) * sector]
        if len(vd) < 190 or vd[1:6] != b"CD001" or vd[0] == 255:
            break
        rec = vd[156:190]
        loc, = struct.unpack_from("<I", rec, 2)
        size, = struct.unpack_from("<I", rec, 10)
        if vd[0] == 2 and vd[88:90] == b"%/" and vd[90:91] in (b"@", b"C", b"E"):
            root, joliet = (loc, size), True
        elif vd[0] == 1 and root is None:
            root = (loc, size)
    if root is None:
        return []
    files: list[tuple[str, int, int]] = []
    queue = [(root[0], root[1], "", 0)]
    seen: set[int] = set()
    while queue and len(files) < budget.limits.max_archive_members:
        loc, size, prefix, depth = queue.pop(0)
        if loc in seen or depth > 8:
            continue
        seen.add(loc)
        block = data[loc * sector: loc * sector + min(size, 1024 * 1024)]
        pos = 0
        while pos < len(block) and len(files) < budget.limits.max_archive_members:
            length = block[pos]
            if length == 0:  # records never cross a sector: skip to the next one
                pos = (pos // sector + 1) * sector
                continue
            rec = block[pos:pos + length]
            pos += length
            if len(rec) < 34:
                break
            ext_loc, = struct.unpack_from("<I", rec, 2)
            ext_size, = struct.unpack_from("<I", rec, 10)
            flags, nlen = rec[25], rec[32]
            raw = rec[33:33 + nlen]
            if raw in (b"\x00", b"\x01"):
                continue
            name = raw.decode("utf-16-be", "replace") if joliet else raw.decode("latin-1")
            name = name.split(";")[0].rstrip(".")
            path = f"{prefix}{name}"
            if flags & 0x02:
                queue.append((ext_loc, ext_size, path + "/", depth + 1))
            else:
                files.append((path, ext_loc * sector, ext_size))
    return files


_AES_CODER = b"\x06\xf1\x07\x01"
_UTF16_NAME = re.compile(rb"(?:[\x20-\x7e]\x00){1,120}\.\x00(?:[A-Za-z0-9]\x00){1,10}\x00\x00")


def inspect_7z(data: bytes, where: str, inspect: Inspector) -> Inspection:
    """7z: contents are not decompressed here. The end header tells whether it is AES-encrypted, and
    when headers are stored plainly, the member names (UTF-16) can still be judged."""
    out = Inspection()
    try:
        offset, size = struct.unpack_from("<QQ", data, 12)
    except struct.error:
        out.add("archive_corrupt", f"{where} is a truncated 7z archive.", where)
        return out
    start = 32 + offset
    header = data[start:start + min(size, 1024 * 1024)] if start < len(data) else b""
    if _AES_CODER in header:
        out.add("archive_encrypted", f"{where} is password-protected, so its contents cannot be checked "
                "(a common way to slip malware past filters).", f"{where}: 7z AES")
    out.add("archive_unopened", f"{where} is a 7z archive; its contents were not inspected.", where)
    if header[:1] == b"\x01":  # plain header: names are readable
        for m in list(_UTF16_NAME.finditer(header))[:200]:
            name = m.group(0)[:-2].decode("utf-16-le", "replace")
            out.extend(inspect(b"", f"{where} > {name}", -1))
    return out


# FileDataStoreObject header GUID {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}, as stored (little-endian fields).
_SCRIPT_MARKERS = re.compile(rb"(?i)hta:application|wscript\.shell|createobject\(|<script[^>]{0,40}vbscript|"
                             rb"powershell(?:\.exe)?\s+-|@echo off|cmd(?:\.exe)?\s+/[ck]\s")
_ONENOTE_FILE = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")


def inspect_onenote(data: bytes, where: str, budget: AttachmentBudget, inspect: Inspector) -> Inspection:
    """OneNote sections carry embedded files (scripts, programs) behind a fake "double-click" button:
    sniff each embedded file's first bytes."""
    out = Inspection()
    pos = data.find(_ONENOTE_FILE)
    n = 0
    while pos >= 0 and n < 50 and not budget.out_of_time():
        n += 1
        try:
            (length,) = struct.unpack_from("<Q", data, pos + 16)
        except struct.error:
            break
        start = pos + 36
        head = data[start:start + min(length, _HEAD)]
        member = f"{where} > embedded file {n}"
        script = _SCRIPT_MARKERS.search(head)
        if script:
            out.add("archived_executable", f"{member} is a script ({script.group(0).decode('latin-1')}) hidden in "
                    "the notebook.", f"{member}: {script.group(0).decode('latin-1')}")
        out.extend(inspect(head, member, -1))
        pos = data.find(_ONENOTE_FILE, start)
    return out

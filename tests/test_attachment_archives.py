"""Archives: executables inside, encryption, bombs (ratio, size, member count, nesting), RAR headers."""

from __future__ import annotations

import struct
import zlib

from attachment_helpers import PE_STUB, analyze, make_zip, message_with, scan_symbols


def test_executable_inside_zip():
    z = make_zip({"Invoice_0424.pdf.exe": PE_STUB, "readme.txt": b"open the invoice"})
    syms, _ = analyze(message_with([("invoice.zip", "application/zip", z)]))
    assert {"ARCHIVE_CONTAINS_EXECUTABLE", "ATTACHMENT_DOUBLE_EXTENSION"} <= syms


def test_script_inside_nested_zip():
    inner = make_zip({"payload.js": b"var s = new ActiveXObject('WScript.Shell');"})
    outer = make_zip({"docs.zip": inner})
    syms, _ = analyze(message_with([("docs.zip", "application/zip", outer)]))
    assert "ARCHIVE_CONTAINS_EXECUTABLE" in syms


def test_plain_zip_of_documents_is_quiet():
    z = make_zip({"minutes.txt": b"minutes" * 100, "budget.csv": b"a,b\n1,2\n"})
    syms, _ = analyze(message_with([("minutes.zip", "application/zip", z)]))
    assert syms == set()


def test_encrypted_zip_and_password_in_body():
    z = make_zip({"invoice.exe": PE_STUB}, encrypt=True)
    raw = message_with([("invoice.zip", "application/zip", z)], body="Your invoice is attached. Password: 4421")
    syms = scan_symbols(raw)
    assert {"ARCHIVE_ENCRYPTED", "ARCHIVE_PASSWORD_IN_MESSAGE", "ARCHIVE_CONTAINS_EXECUTABLE",
            "ENCRYPTED_ARCHIVE_WITH_PASSWORD"} <= syms


def test_encrypted_zip_without_password_hint():
    z = make_zip({"report.docx": b"x" * 50}, encrypt=True)
    syms, _ = analyze(message_with([("report.zip", "application/zip", z)], body="Here is the report."))
    assert "ARCHIVE_ENCRYPTED" in syms
    assert "ARCHIVE_PASSWORD_IN_MESSAGE" not in syms


def test_ratio_bomb_is_a_finding():
    z = make_zip({"big.bin": b"\0" * (40 * 1024 * 1024)})
    assert len(z) < 200_000
    syms, _ = analyze(message_with([("big.zip", "application/zip", z)]))
    assert "ARCHIVE_BOMB" in syms


def test_lying_header_bomb_is_bounded():
    # The member declares 10 bytes but inflates to 30 MB: the read is bounded by our budget, not the header.
    z = bytearray(make_zip({"inner.zip": b"\0" * (30 * 1024 * 1024)}))
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = z.find(sig)
        struct.pack_into("<I", z, i + off, 10)
    syms, facts = analyze(message_with([("x.zip", "application/zip", bytes(z))]))
    assert "ARCHIVE_BOMB" in syms or "ATTACHMENT_CORRUPT" in syms


def test_too_many_members():
    z = make_zip({f"f{i}.txt": b"" for i in range(1500)}, deflate=False)
    syms, _ = analyze(message_with([("many.zip", "application/zip", z)]))
    assert "ARCHIVE_BOMB" in syms


def test_nested_archives_stop_at_depth():
    data = make_zip({"core.txt": b"hello"})
    for i in range(6):
        data = make_zip({f"layer{i}.zip": data})
    syms, _ = analyze(message_with([("layers.zip", "application/zip", data)]))
    assert "ARCHIVE_NESTED_DEEP" in syms


def test_corrupt_zip_is_a_finding_not_a_crash():
    z = make_zip({"a.txt": b"hello" * 100})
    syms, _ = analyze(message_with([("broken.zip", "application/zip", z[:40] + b"\xff" * 30)]))
    assert "ATTACHMENT_CORRUPT" in syms


def test_gzip_bomb_bounded():
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    gz = c.compress(b"\0" * (80 * 1024 * 1024)) + c.flush()
    syms, _ = analyze(message_with([("logs.gz", "application/gzip", gz)]))
    assert "ARCHIVE_BOMB" in syms


def _rar5(names: list[str], encrypt: bool = False, encrypt_headers: bool = False) -> bytes:
    def vint(n: int) -> bytes:
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def block(htype: int, flags: int, body: bytes, extra: bytes = b"") -> bytes:
        fields = vint(htype) + vint(flags | (1 if extra else 0)) + (vint(len(extra)) if extra else b"") + body + extra
        return struct.pack("<I", 0) + vint(len(fields)) + fields

    out = b"Rar!\x1a\x07\x01\x00"
    if encrypt_headers:
        return out + block(4, 0, b"\x00" * 20)
    out += block(1, 0, vint(0))
    for n in names:
        nb = n.encode()
        body = vint(0) + vint(10) + vint(0x20) + vint(0) + vint(2) + vint(len(nb)) + nb
        extra = vint(3) + vint(1) + b"\x00\x00" if encrypt else b""
        out += block(2, 0, body, extra)
    return out + block(5, 0, vint(0))


def test_rar_member_names_and_encryption():
    syms, _ = analyze(message_with([("order.rar", "application/x-rar", _rar5(["order.pdf.exe", "info.txt"]))]))
    assert {"ARCHIVE_CONTAINS_EXECUTABLE", "ARCHIVE_UNINSPECTED"} <= syms
    syms, _ = analyze(message_with([("order.rar", "application/x-rar", _rar5(["a.exe"], encrypt=True))]))
    assert "ARCHIVE_ENCRYPTED" in syms
    syms, _ = analyze(message_with([("order.rar", "application/x-rar", _rar5([], encrypt_headers=True))]))
    assert "ARCHIVE_ENCRYPTED" in syms
    syms, _ = analyze(message_with([("photos.rar", "application/x-rar", _rar5(["a.jpg", "b.jpg"]))]))
    assert "ARCHIVE_CONTAINS_EXECUTABLE" not in syms and "ARCHIVE_ENCRYPTED" not in syms

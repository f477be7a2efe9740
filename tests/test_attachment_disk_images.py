"""Disk images (ISO 9660, with Joliet names) and 7z archives: what is inside is judged by name and type."""

from __future__ import annotations

import struct

from attachment_helpers import PE_STUB, analyze, make_zip, message_with

LNK_HEAD = b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 68


def _dir_record(name: bytes, lba: int, size: int, is_dir: bool = False) -> bytes:
    body = struct.pack("<BB", 0, 0) + struct.pack("<I", lba) + struct.pack(">I", lba) + \
        struct.pack("<I", size) + struct.pack(">I", size) + b"\x00" * 7 + bytes([2 if is_dir else 0]) + \
        b"\x00\x00" + b"\x01\x00\x00\x01" + bytes([len(name)]) + name
    if len(body) % 2:
        body += b"\x00"
    return bytes([len(body)]) + body[1:]  # the first byte is the record's length


def make_iso(files: dict[str, bytes], joliet: bool = False) -> bytes:
    sector = 2048
    first_file = 20
    records = [_dir_record(b"\x00", 19, sector, True), _dir_record(b"\x01", 19, sector, True)]
    lba = first_file
    blobs = []
    for name, content in files.items():
        raw = name.encode("utf-16-be") if joliet else (name.upper() + ";1").encode()
        records.append(_dir_record(raw, lba, len(content)))
        blobs.append((lba, content))
        lba += max(1, -(-len(content) // sector))
    root_dir = b"".join(records).ljust(sector, b"\x00")
    vd_type = 2 if joliet else 1
    vd = bytearray(sector)
    vd[0] = vd_type
    vd[1:6] = b"CD001"
    vd[6] = 1
    if joliet:
        vd[88:91] = b"%/E"
    vd[156:156 + 34] = _dir_record(b"\x00", 19, sector, True)[:34]
    term = bytearray(sector)
    term[0] = 255
    term[1:6] = b"CD001"
    image = bytearray(sector * lba)
    image[16 * sector:17 * sector] = vd
    image[17 * sector:18 * sector] = term
    image[19 * sector:20 * sector] = root_dir
    for at, content in blobs:
        image[at * sector:at * sector + len(content)] = content
    return bytes(image)


def test_iso_with_shortcut_and_dll():
    iso = make_iso({"invoice.lnk": LNK_HEAD, "data.dll": PE_STUB, "readme.txt": b"open invoice"})
    syms, _ = analyze(message_with([("invoice.iso", "application/octet-stream", iso)]))
    assert {"ATTACHMENT_DISK_IMAGE", "ARCHIVE_CONTAINS_EXECUTABLE"} <= syms


def test_iso_with_joliet_names_inside_zip():
    iso = make_iso({"Payment Details.pdf.lnk": LNK_HEAD}, joliet=True)
    syms, _ = analyze(message_with([("payment.zip", "application/zip", make_zip({"payment.img": iso}))]))
    assert {"ARCHIVE_CONTAINS_DISK_IMAGE", "ARCHIVE_CONTAINS_EXECUTABLE", "ATTACHMENT_DOUBLE_EXTENSION"} <= syms


def test_iso_of_photos_has_only_the_container_finding():
    iso = make_iso({"photo1.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 100})
    syms, _ = analyze(message_with([("photos.iso", "application/octet-stream", iso)]))
    assert syms == {"ATTACHMENT_DISK_IMAGE"}


def _7z(next_header: bytes) -> bytes:
    packed = b"\x00" * 64
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 4 + struct.pack("<QQ", len(packed), len(next_header)) + \
        b"\x00" * 4 + packed + next_header


def test_7z_encrypted_and_plain_names():
    enc = _7z(b"\x17\x06\x00\x01\x0b\x01\x00\x01\x24\x06\xf1\x07\x01\x00")
    syms, _ = analyze(message_with([("docs.7z", "application/x-7z-compressed", enc)]))
    assert {"ARCHIVE_ENCRYPTED", "ARCHIVE_UNINSPECTED"} <= syms
    plain = _7z(b"\x01\x04\x05\x11\x20\x00" + "invoice.exe".encode("utf-16-le") + b"\x00\x00" + b"\x00\x00")
    syms, _ = analyze(message_with([("docs.7z", "application/x-7z-compressed", plain)]))
    assert "ARCHIVE_CONTAINS_EXECUTABLE" in syms and "ARCHIVE_ENCRYPTED" not in syms


def test_internet_shortcut_to_remote_share():
    url = b"[InternetShortcut]\r\nURL=file://203.0.113.9/share/invoice.exe\r\n"
    syms, _ = analyze(message_with([("invoice.url", "application/octet-stream", url)]))
    assert "ATTACHMENT_EXECUTABLE" in syms
    web = b"[InternetShortcut]\r\nURL=https://files.example.net/get\r\n"
    _, facts = analyze(message_with([("open.url", "application/octet-stream", web)]))
    assert ("https://files.example.net/get", "internet shortcut open.url") in facts["extra_urls"]


def _onenote(embedded: list[bytes]) -> bytes:
    guid = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")
    head = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 200
    body = b"".join(guid + struct.pack("<Q", len(e)) + b"\x00" * 12 + e + b"\x00" * 8 for e in embedded)
    return head + body


def test_onenote_with_embedded_script_and_program():
    hta = b'<html><head><HTA:APPLICATION id="x"/><script language="VBScript">CreateObject("WScript.Shell")</script>'
    syms, _ = analyze(message_with([("Invoice.one", "application/octet-stream", _onenote([hta, PE_STUB]))]))
    assert {"ATTACHMENT_ONENOTE", "ARCHIVE_CONTAINS_EXECUTABLE"} <= syms


def test_onenote_with_only_an_image_is_just_a_container():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    syms, _ = analyze(message_with([("Notes.one", "application/octet-stream", _onenote([png]))]))
    assert syms == {"ATTACHMENT_ONENOTE"}

"""Executables, scripts, disk images and names that lie: by extension and by true content."""

from __future__ import annotations

from attachment_helpers import PE_STUB, analyze, message_with, plain_png, scan_symbols


def test_exe_attachment_is_flagged_and_tags_alone():
    raw = message_with([("setup.exe", "application/octet-stream", PE_STUB)])
    syms, _ = analyze(raw)
    assert "ATTACHMENT_EXECUTABLE" in syms
    from attachment_helpers import attachment_engine

    assert attachment_engine().scan(raw).action != "accept"


def test_scripts_and_shortcuts_by_extension():
    for name in ("invoice.js", "update.vbs", "doc.hta", "report.lnk", "setup.msi", "pic.scr", "run.ps1"):
        syms, _ = analyze(message_with([(name, "application/octet-stream", b"WScript.Shell run something")]))
        assert "ATTACHMENT_EXECUTABLE" in syms, name


def test_disk_images():
    iso = bytearray(40000)
    iso[0x8001:0x8006] = b"CD001"
    syms, _ = analyze(message_with([("statement.iso", "application/octet-stream", bytes(iso))]))
    assert "ATTACHMENT_DISK_IMAGE" in syms
    syms, _ = analyze(message_with([("statement.img", "application/octet-stream", b"\0" * 1000)]))
    assert "ATTACHMENT_DISK_IMAGE" in syms


def test_true_type_beats_the_name():
    # A Windows program named like a photo: executable and disguised.
    syms = scan_symbols(message_with([("holiday.jpg", "image/jpeg", PE_STUB)]))
    assert {"ATTACHMENT_EXECUTABLE", "ATTACHMENT_TYPE_DISGUISED", "ATTACHMENT_DISGUISED_PROGRAM"} <= syms


def test_benign_mismatch_is_weak():
    # A JPEG named .pdf: wrong, worth a note, not a disguise.
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
    syms, _ = analyze(message_with([("scan.pdf", "application/pdf", jpeg)]))
    assert "ATTACHMENT_TYPE_MISMATCH" in syms
    assert "ATTACHMENT_TYPE_DISGUISED" not in syms


def test_double_extension_and_padding():
    syms, _ = analyze(message_with([("invoice.pdf.exe", "application/octet-stream", PE_STUB)]))
    assert {"ATTACHMENT_DOUBLE_EXTENSION", "ATTACHMENT_EXECUTABLE"} <= syms
    syms, _ = analyze(message_with([("Payment_Advice.pdf.html", "text/html", b"<html><body>hi</body></html>")]))
    assert "ATTACHMENT_DOUBLE_EXTENSION" in syms
    syms, _ = analyze(message_with([("report" + " " * 30 + ".exe", "application/octet-stream", PE_STUB)]))
    assert "ATTACHMENT_DOUBLE_EXTENSION" in syms


def test_right_to_left_override_in_name():
    name = "invoice\u202efdp.exe"  # shows as invoiceexe.pdf
    syms, _ = analyze(message_with([(name, "application/octet-stream", PE_STUB)]))
    assert {"ATTACHMENT_BIDI_FILENAME", "ATTACHMENT_EXECUTABLE"} <= syms


def test_ordinary_attachments_are_quiet():
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
          b"trailer<</Root 1 0 R>>\n%%EOF"
    samples = [
        ("report.v1.2.pdf", "application/pdf", pdf),
        ("photo.png", "image/png", plain_png()),
        ("notes.txt", "text/plain", b"meeting notes\n"),
        ("fix.patch", "text/x-diff", b"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"),
        ("build.pl", "application/x-perl", b"#!/usr/bin/perl\nprint 1;\n"),
        ("signature.asc", "application/pgp-signature", b"-----BEGIN PGP SIGNATURE-----\nxyz\n"),
        ("data.csv", "text/csv", b"a,b\n1,2\n"),
    ]
    for s in samples:
        syms, _ = analyze(message_with([s]))
        assert not syms - {"ATTACHMENT_CORRUPT"}, (s[0], syms)


def test_declared_content_type_that_lies_without_a_name():
    html = b"<html><body><form><input type=password></form></body></html>"
    syms, _ = analyze(message_with([(None, "image/png", html)]))
    assert "ATTACHMENT_TYPE_DISGUISED" in syms
    syms, _ = analyze(message_with([(None, "image/png", plain_png())]))
    assert syms == set()


def test_office_extensions_holding_other_office_formats_are_not_mismatches():
    samples = [("letter.doc", b"{\\rtf1\\ansi Hello.}"),
               ("export.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>"),
               ("export.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')]
    for name, data in samples:
        syms, _ = analyze(message_with([(name, "application/octet-stream", data)]))
        assert not syms & {"ATTACHMENT_TYPE_MISMATCH", "ATTACHMENT_TYPE_DISGUISED"}, (name, syms)

"""Hostile attachments never escape as exceptions; facts (hashes, types) are recorded for every part."""

from __future__ import annotations

import hashlib
import random

from attachment_helpers import PE_STUB, analyze, attachment_engine, make_zip, message_with

from conftest import make_message


def test_facts_record_hash_and_true_type():
    raw = message_with([("a.exe", "application/octet-stream", PE_STUB), ("b.txt", "text/plain", b"hi\n")])
    _, facts = analyze(raw)
    recs = facts["attachments"]
    assert [r["filename"] for r in recs] == ["a.exe", "b.txt"]
    assert recs[0]["sha256"] == hashlib.sha256(PE_STUB).hexdigest()
    assert recs[0]["size"] == len(PE_STUB)
    assert recs[0]["true_type"] == "application/vnd.microsoft.portable-executable"
    assert recs[1]["content_type"] == "text/plain"


def test_message_without_attachments_costs_nothing():
    raw = make_message({"From": "a@example.com", "To": "b@example.org", "Subject": "hi"}, "Just text.\n")
    syms, facts = analyze(raw)
    assert syms == set() and "attachments" not in facts


def test_one_corrupt_file_does_not_hide_another():
    junk = b"%PDF-1.5\n" + b"\x00obj<<" * 500
    raw = message_with([("broken.pdf", "application/pdf", junk),
                        ("broken.docx", "application/octet-stream", b"PK\x03\x04" + b"\xff" * 300),
                        ("run.exe", "application/octet-stream", PE_STUB)])
    syms, _ = analyze(raw)
    assert "ATTACHMENT_EXECUTABLE" in syms


def test_random_bytes_under_many_names_never_raise():
    rnd = random.Random(1234)
    heads = [b"PK\x03\x04", b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"Rar!\x1a\x07\x01\x00",
             b"Rar!\x1a\x07\x00", b"\x1f\x8b\x08", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"<html><form>",
             b"<svg>", b"BEGIN:VCALENDAR\r\n", b"{\\rtf1", b"7z\xbc\xaf\x27\x1c", b"MZ"]
    names = ["a.zip", "a.pdf", "a.doc", "a.rar", "a.gz", "a.png", "a.gif", "a.html", "a.svg", "a.ics",
             "a.rtf", "a.7z", "a.exe", "a.xlsm", "a.docx"]
    engine = attachment_engine()
    for i in range(60):
        head = heads[i % len(heads)]
        data = head + rnd.randbytes(rnd.randint(0, 3000))
        raw = message_with([(names[i % len(names)], "application/octet-stream", data)])
        verdict = engine.scan(raw)
        assert "ANALYZER_ERROR" not in {f.symbol for f in verdict.findings}, (head, names[i % len(names)])


def test_bomb_inside_many_attachments_is_bounded():
    bomb = make_zip({"zero.bin": b"\0" * (15 * 1024 * 1024)})
    raw = message_with([(f"part{i}.zip", "application/zip", bomb) for i in range(8)])
    verdict = attachment_engine().scan(raw)
    assert "ARCHIVE_BOMB" in {f.symbol for f in verdict.findings}
    assert "ANALYZER_ERROR" not in {f.symbol for f in verdict.findings}


def test_truncated_and_mutated_samples_never_raise():
    import io

    from pypdf import PdfWriter
    from pypdf.annotations import Link

    from test_attachment_disk_images import LNK_HEAD, make_iso

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.add_annotation(0, Link(rect=(10, 10, 100, 50), url="https://example.net/x"))
    pdf = io.BytesIO()
    w.write(pdf)
    samples = {
        "a.zip": make_zip({"a.exe": PE_STUB, "b.zip": make_zip({"c.js": b"x"})}),
        "a.pdf": pdf.getvalue(),
        "a.iso": make_iso({"a.lnk": LNK_HEAD}),
        "a.html": b"<html><form action='https://x.example/'><input type=password></form><script>eval(1)</script>",
    }
    rnd = random.Random(99)
    engine = attachment_engine()
    for name, data in samples.items():
        for _ in range(15):
            cut = bytearray(data[: rnd.randint(1, len(data))])
            for _ in range(rnd.randint(0, 8)):
                if cut:
                    cut[rnd.randrange(len(cut))] = rnd.randrange(256)
            verdict = engine.scan(message_with([(name, "application/octet-stream", bytes(cut))]))
            assert "ANALYZER_ERROR" not in {f.symbol for f in verdict.findings}, name

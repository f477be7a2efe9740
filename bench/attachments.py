"""Attachment inspection cost per file type, on samples generated here. Prints one JSON object.

Run: PYTHONPATH=src python bench/attachments.py [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def samples() -> dict[str, tuple[str, bytes]]:
    from pypdf import PdfWriter
    from pypdf.annotations import Link

    from attachment_helpers import PE_STUB, make_zip, plain_png, qr_png

    w = PdfWriter()
    for _ in range(5):
        w.add_blank_page(612, 792)
    w.add_annotation(0, Link(rect=(10, 10, 100, 50), url="https://example.net/x"))
    pdf = io.BytesIO()
    w.write(pdf)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + "<w:p>text</w:p>" * 5000 + "</w:document>")
        zf.writestr("word/_rels/document.xml.rels", "<Relationships/>")
    return {
        "pdf_5_pages": ("doc.pdf", pdf.getvalue()),
        "docx": ("doc.docx", docx.getvalue()),
        "zip_20_members": ("a.zip", make_zip({f"f{i}.txt": b"hello" * 200 for i in range(20)} | {"x.exe": PE_STUB})),
        "png_plain_1024x768": ("a.png", plain_png(1024, 768)),
        "png_qr": ("qr.png", qr_png("https://example.net/q")),
        "html_page": ("a.html", b"<html><body>" + b"<p>text <a href='https://example.org/'>x</a></p>" * 500
                      + b"</body></html>"),
        "pgp_signature": ("sig.asc", b"-----BEGIN PGP SIGNATURE-----\n" + b"A" * 800),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    from attachment_helpers import message_with
    from mailwarden.engine import Engine

    engine = Engine(analyzers=["attachments"])
    bare = Engine(analyzers="none")
    out: dict[str, float] = {}
    for label, (name, data) in samples().items():
        raw = message_with([(name, "application/octet-stream", data)])
        engine.scan(raw)  # warm imports
        t0 = time.perf_counter()
        for _ in range(args.rounds):
            engine.scan(raw)
        t1 = time.perf_counter()
        for _ in range(args.rounds):
            bare.scan(raw)
        t2 = time.perf_counter()
        out[label] = round(((t1 - t0) - (t2 - t1)) / args.rounds * 1000, 3)
    print(json.dumps({"attachment_ms": out, "rounds": args.rounds}))


if __name__ == "__main__":
    main()

"""PDFs built with pypdf's writer: JavaScript, launch actions, embedded files, links, lone links, QR images."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from attachment_helpers import analyze, message_with, qr_png


def _pdf(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _text_page(writer: PdfWriter, lines: list[str]) -> None:
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    ops = ["BT /F1 10 Tf 40 760 Td 12 TL"] + [f"({line}) '" for line in lines] + ["ET"]
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)


def _action(kind: str, **entries: object) -> DictionaryObject:
    d = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for k, v in entries.items():
        d[NameObject(f"/{k}")] = v  # type: ignore[assignment]
    return d


def _annot_with_action(writer: PdfWriter, action: DictionaryObject) -> None:
    annot = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                              NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 100, 40)]),
                              NameObject("/A"): action})
    page = writer.pages[0]
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])


def test_javascript_open_action():
    from pypdf.actions import JavaScript

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.add_open_action(JavaScript("app.alert('Your session expired');"))
    syms, _ = analyze(message_with([("statement.pdf", "application/pdf", _pdf(w))]))
    assert "PDF_JAVASCRIPT" in syms


def test_launch_action():
    w = PdfWriter()
    w.add_blank_page(200, 200)
    _annot_with_action(w, _action("/Launch", F=TextStringObject("cmd.exe")))
    syms, _ = analyze(message_with([("doc.pdf", "application/pdf", _pdf(w))]))
    assert "PDF_LAUNCH_ACTION" in syms


def test_uri_links_go_to_extra_urls_and_lone_link():
    w = PdfWriter()
    w.add_blank_page(300, 300)
    w.add_annotation(0, Link(rect=(10, 10, 200, 60), url="https://secure-docs.example.net/view?id=7"))
    syms, facts = analyze(message_with([("Shared_Document.pdf", "application/pdf", _pdf(w))]))
    assert ("https://secure-docs.example.net/view?id=7", "link in Shared_Document.pdf") in facts["extra_urls"]
    assert "PDF_LONE_LINK" in syms
    assert "PDF_JAVASCRIPT" not in syms


def test_wordy_pdf_with_a_link_is_not_a_lone_link():
    w = PdfWriter()
    _text_page(w, [f"Line {i}: quarterly figures for the regional offices, see the appendix for details."
                   for i in range(40)])
    w.add_annotation(0, Link(rect=(10, 10, 200, 60), url="https://www.example.org/annual-report"))
    syms, facts = analyze(message_with([("report.pdf", "application/pdf", _pdf(w))]))
    assert "PDF_LONE_LINK" not in syms
    assert any(u == "https://www.example.org/annual-report" for u, _ in facts["extra_urls"])
    assert any("quarterly figures" in t for t, _ in facts["attachment_texts"])


def test_plain_text_pdf_is_quiet():
    w = PdfWriter()
    _text_page(w, ["Agenda for Tuesday", "1. Budget", "2. Hiring"])
    syms, _ = analyze(message_with([("agenda.pdf", "application/pdf", _pdf(w))]))
    assert syms == set()


def test_embedded_file_and_encryption():
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.add_attachment("payload.txt", b"hello")
    syms, _ = analyze(message_with([("doc.pdf", "application/pdf", _pdf(w))]))
    assert "PDF_EMBEDDED_FILE" in syms
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    syms, _ = analyze(message_with([("locked.pdf", "application/pdf", _pdf(w))]))
    assert "PDF_ENCRYPTED" in syms


def test_escaped_name_javascript_seen_by_raw_scan():
    # pdfid-style obfuscation: /J#61vaScript is /JavaScript once #xx escapes are decoded.
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n3 0 obj<</S/J#61vaScript/JS(app.alert(1))>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF")
    syms, _ = analyze(message_with([("x.pdf", "application/pdf", pdf)]))
    assert "PDF_JAVASCRIPT" in syms


def test_qr_code_image_inside_pdf():
    from PIL import Image

    img = Image.open(io.BytesIO(qr_png("https://quish-pdf.example/login")))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PDF")
    syms, facts = analyze(message_with([("scan.pdf", "application/pdf", buf.getvalue())]))
    assert "QR_CODE_URL" in syms
    assert any(u == "https://quish-pdf.example/login" for u, _ in facts["extra_urls"])


def test_garbage_pdf_is_a_finding():
    syms, _ = analyze(message_with([("x.pdf", "application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20)]))
    assert syms <= {"ATTACHMENT_CORRUPT"}


def test_callback_scam_pdf():
    w = PdfWriter()
    _text_page(w, ["INVOICE #NR-88213", "Norton 360 Total Protection - auto renewal", "Amount charged: $499.99",
                   "Your account has been charged today. If you did not authorize this charge,",
                   "call us at +1 (808) 555-0199 to cancel and request a refund.",
                   "Call our billing department within 24 hours."])
    syms, facts = analyze(message_with([("INV-88213.pdf", "application/pdf", _pdf(w))], body="Thanks."))
    assert "ATTACHMENT_CALLBACK_LURE" in syms


def test_ordinary_invoice_pdf_is_not_a_callback_lure():
    w = PdfWriter()
    _text_page(w, ["Invoice 2231", "Consulting services, October", "Amount due: $1,200.00 by 30 November",
                   "Bank transfer to the account shown below.", "Questions? Contact us at +1 415 555 0100."])
    syms, _ = analyze(message_with([("invoice-2231.pdf", "application/pdf", _pdf(w))]))
    assert "ATTACHMENT_CALLBACK_LURE" not in syms


def test_raw_uri_fallback_on_broken_pdf():
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Annot/Subtype/Link/A<</S/URI/URI(https://broken-pdf.example/go)>>>>endobj\n"
           b"garbage without xref\n")
    _, facts = analyze(message_with([("x.pdf", "application/pdf", pdf)]))
    assert any(u == "https://broken-pdf.example/go" for u, _ in facts["extra_urls"])


def test_account_lure_pdf_with_link():
    w = PdfWriter()
    _text_page(w, ["Your account will be suspended within 24 hours.", "Unusual sign-in activity was detected.",
                   "Verify your account to keep access:", "VERIFY NOW", "Regards, Account Team"] + [""] * 30)
    w.add_annotation(0, Link(rect=(10, 10, 200, 60), url="https://acct-check.example.net/v"))
    syms, _ = analyze(message_with([("notice.pdf", "application/pdf", _pdf(w))]))
    assert "ATTACHMENT_LURE_LINK" in syms


def test_same_lure_without_a_link_is_not_a_lure_link():
    w = PdfWriter()
    _text_page(w, ["Your account will be suspended within 24 hours.", "Verify your account to keep access."])
    syms, _ = analyze(message_with([("notice.pdf", "application/pdf", _pdf(w))]))
    assert "ATTACHMENT_LURE_LINK" not in syms


def _pdf_with_raw_image(pixels: bytes, w: int, h: int, colorspace: str) -> bytes:
    """A one-page PDF whose only image is FlateDecode-compressed 8-bit samples (as scanners write)."""
    import zlib

    data = zlib.compress(pixels)
    objs = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 {w} {h}]/Resources<</XObject<</Im0 4 0 R>>>>"
            "/Contents 5 0 R>>".encode(),
            f"<</Type/XObject/Subtype/Image/Width {w}/Height {h}/ColorSpace/{colorspace}/BitsPerComponent 8"
            f"/Filter/FlateDecode/Length {len(data)}>>stream\n".encode() + data + b"\nendstream",
            b"<</Length 30>>stream\n" + f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode().ljust(30) + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objs) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF".encode()
    return bytes(out)


@pytest.mark.parametrize("mode,colorspace", [("L", "DeviceGray"), ("RGB", "DeviceRGB")])
def test_qr_code_in_raw_pdf_image_samples(mode: str, colorspace: str):
    from PIL import Image

    img = Image.open(io.BytesIO(qr_png("https://quish-raw.example/login"))).convert(mode)
    pdf = _pdf_with_raw_image(img.tobytes(), img.width, img.height, colorspace)
    syms, facts = analyze(message_with([("scan.pdf", "application/pdf", pdf)]))
    assert "QR_CODE_URL" in syms
    assert any(u == "https://quish-raw.example/login" for u, _ in facts["extra_urls"])

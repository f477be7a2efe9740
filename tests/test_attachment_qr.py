"""QR codes carrying links in attached and inline images ("quishing"), and image bombs."""

from __future__ import annotations

import struct
import zlib

from attachment_helpers import analyze, attachment_engine, message_with, plain_png, qr_png


def test_qr_code_attachment_with_url():
    raw = message_with([("scan_me.png", "image/png", qr_png("https://mfa-reset.example.net/r?id=42"))],
                       body="Your MFA expires today. Scan the QR code with your phone camera to keep access.")
    syms, facts = analyze(raw)
    assert {"QR_CODE_URL", "QR_CODE_CALL_TO_ACTION"} <= syms
    assert ("https://mfa-reset.example.net/r?id=42", "QR code in scan_me.png") in facts["extra_urls"]
    assert attachment_engine().scan(raw).action != "accept"


def test_inline_qr_image_is_read_too():
    raw = message_with([("image001.png", "image/png", qr_png("https://quish.example.org/a"))], inline=True,
                       body="Document ready.")
    syms, facts = analyze(raw)
    assert "QR_CODE_URL" in syms
    assert any(u == "https://quish.example.org/a" for u, _ in facts["extra_urls"])


def test_qr_without_url_and_plain_images_are_quiet():
    raw = message_with([("wifi.png", "image/png", qr_png("WIFI:T:WPA;S:office;P:secret;;")),
                        ("chart.png", "image/png", plain_png(640, 480))], body="The Wi-Fi code for the office.")
    syms, facts = analyze(raw)
    assert syms == set()
    assert facts["extra_urls"] == []


def test_qr_with_url_and_ordinary_text_does_not_tag():
    body = ("Thanks for registering for the conference. Your ticket is attached; the venue map and the "
            "schedule are on the website. We look forward to seeing you next week at the main hall. " * 3)
    raw = message_with([("ticket.png", "image/png", qr_png("https://tickets.example.com/t/991"))], body=body)
    syms, _ = analyze(raw)
    assert "QR_CODE_URL" in syms and "QR_CODE_CALL_TO_ACTION" not in syms
    assert attachment_engine().scan(raw).action == "accept"


def _png_header_only(w: int, h: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


def test_pixel_bomb_is_not_decoded():
    syms, _ = analyze(message_with([("huge.png", "image/png", _png_header_only(60000, 60000))]))
    assert "IMAGE_TOO_LARGE" in syms


def test_truncated_image_is_harmless():
    data = qr_png("https://x.example/")[:200]
    syms, _ = analyze(message_with([("broken.png", "image/png", data)]))
    assert "QR_CODE_URL" not in syms


def test_rotated_jpeg_and_transparent_png_qr_codes():
    import io

    from PIL import Image

    base = Image.open(io.BytesIO(qr_png("https://jpeg-quish.example/x"))).convert("RGB")
    buf = io.BytesIO()
    base.rotate(7, expand=True, fillcolor="white").save(buf, "JPEG", quality=70)
    _, facts = analyze(message_with([("a.jpg", "image/jpeg", buf.getvalue())]))
    assert ("https://jpeg-quish.example/x", "QR code in a.jpg") in facts["extra_urls"]
    # Black modules on a transparent background: must be composited on white, not on black.
    gray = Image.open(io.BytesIO(qr_png("https://alpha-quish.example/y"))).convert("L")
    black = Image.new("L", gray.size, 0)
    rgba = Image.merge("RGBA", (black, black, black, gray.point(lambda v: 255 if v < 128 else 0)))
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    _, facts = analyze(message_with([("b.png", "image/png", buf.getvalue())]))
    assert ("https://alpha-quish.example/y", "QR code in b.png") in facts["extra_urls"]


def test_qr_in_html_body_data_uri():
    import base64

    png = base64.b64encode(qr_png("https://datauri-quish.example/z")).decode()
    html = (f"<html><body><p>Your password expires today. Scan the code below with your phone.</p>"
            f'<img src="data:image/png;base64,{png}"></body></html>')
    raw = ("From: IT <it@example.com>\r\nTo: b@example.org\r\nSubject: Password expiry\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n").encode()
    syms, facts = analyze(raw)
    assert {"QR_CODE_URL", "QR_CODE_CALL_TO_ACTION"} <= syms
    assert any(u == "https://datauri-quish.example/z" for u, _ in facts["extra_urls"])


def test_html_body_with_plain_data_uri_image_is_quiet():
    import base64

    png = base64.b64encode(plain_png(64, 64)).decode()
    html = f'<html><body><p>Logo:</p><img src="data:image/png;base64,{png}"></body></html>'
    raw = ("From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n").encode()
    syms, facts = analyze(raw)
    assert syms == set() and facts["extra_urls"] == []


def test_ticket_qr_with_scan_wording_is_not_a_call_to_action():
    body = ("Thank you for your booking. Please show this QR code at the entrance; staff will scan it when you "
            "arrive. Doors open at 7pm and the show starts at 8pm. Enjoy the concert!")
    raw = message_with([("ticket.png", "image/png", qr_png("https://tickets.example.com/t/991"))], body=body)
    syms, _ = analyze(raw)
    assert "QR_CODE_URL" in syms and "QR_CODE_CALL_TO_ACTION" not in syms


def test_long_message_with_scan_and_account_lure_is_a_call_to_action():
    body = ("Dear employee, as part of our annual security review your password will expire in 24 hours. "
            "To keep your mailbox active, scan the QR code below with your mobile phone camera and follow the "
            "steps. Failure to do so will lock your account.")
    raw = message_with([("secure.png", "image/png", qr_png("https://mailbox-review.example.net/k"))], body=body)
    syms, _ = analyze(raw)
    assert {"QR_CODE_URL", "QR_CODE_CALL_TO_ACTION"} <= syms

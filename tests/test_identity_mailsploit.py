"""Mailsploit: an encoded display name that decodes to an address (and hides the real one)."""

import base64

from identity_helpers import crlf, run


def _enc(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def test_encoded_display_name_decoding_to_an_address():
    name = _enc("service@paypal.com") + _enc("\x00")
    found, ctx = run(crlf(f"From: {name} <attacker@evil.example>\nTo: a@b.example\nSubject: x\n\nhi\n"))
    syms = {f.symbol for f in found}
    assert "FROM_DISPLAY_ENCODED_ADDRESS" in syms
    assert "FROM_DISPLAY_CONTROL_CHARS" in syms
    assert "FROM_AMBIGUOUS" in syms
    assert ctx.from_info["domain"] == "evil.example"


def test_encoded_name_with_angle_address():
    name = _enc("PayPal <service@paypal.com>")
    found, _ = run(crlf(f"From: {name} <attacker@evil.example>\nTo: a@b.example\nSubject: x\n\nhi\n"))
    syms = {f.symbol for f in found}
    assert "FROM_DISPLAY_ENCODED_ADDRESS" in syms and "FROM_DISPLAY_NAME_ADDRESS" in syms


def test_bidi_override_in_name():
    name = _enc("Support \u202elapyap")
    found, _ = run(crlf(f"From: {name} <x@evil.example>\nTo: a@b.example\n"
                        "Subject: x\n\nhi\n"))
    assert "FROM_DISPLAY_CONTROL_CHARS" in {f.symbol for f in found}

"""Composition Kills: an encoded-word inside the address itself, which a client may decode."""

from identity_helpers import crlf, run


def test_encoded_word_in_address():
    # =?utf-8?B?c2VydmljZUBwYXlwYWwuY29t?= is "service@paypal.com"
    raw = crlf("From: <=?utf-8?B?c2VydmljZUBwYXlwYWwuY29t?=@evil.example>\nTo: a@b.example\nSubject: x\n\nhi\n")
    found, ctx = run(raw)
    syms = {f.symbol for f in found}
    assert {"FROM_ENCODED_ADDRESS", "FROM_AMBIGUOUS"} <= syms
    # The domain is read from the raw field, as authentication reads it.
    assert ctx.from_info["domain"] == "evil.example"


def test_encoded_display_name_alone_is_fine():
    raw = crlf("From: =?utf-8?Q?J=C3=BCrgen?= <j@example.org>\nTo: a@b.example\nSubject: x\n\nhi\n")
    found, ctx = run(raw)
    assert not {f.symbol for f in found} & {"FROM_ENCODED_ADDRESS", "FROM_AMBIGUOUS",
                                            "FROM_DISPLAY_ENCODED_ADDRESS"}
    assert ctx.from_info["display_name"] == "Jürgen"

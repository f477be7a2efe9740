"""Headers as an MTA and a mail client see them: oddities stay visible to analyzers."""

from mailwarden.message import Message


def test_duplicate_from_headers_are_both_kept():
    msg = Message.parse(b"From: a@one.test\r\nFrom: b@two.test\r\n\r\nbody")
    assert [h.value for h in msg.header_fields("from")] == ["a@one.test", "b@two.test"]


def test_space_before_colon_is_kept_and_flagged():
    msg = Message.parse(b"From : a@one.test\r\nSubject: x\r\n\r\nbody")
    (h,) = msg.header_fields("from")
    assert h.space_before_colon and h.value == "a@one.test"


def test_folded_header_name_is_kept_and_flagged():
    msg = Message.parse(b"Subject: x\r\nFrom\r\n : a@one.test\r\n\r\nbody")
    (h,) = msg.header_fields("from")
    assert h.folded_name and h.value == "a@one.test"


def test_nul_and_8bit_are_visible():
    msg = Message.parse(b"From: a@one.test\x00b@two.test\r\nSubject: caf\xc3\xa9\r\n\r\nbody")
    assert msg.header_fields("from")[0].has_nul
    assert msg.header_fields("subject")[0].has_8bit
    assert msg.subject == "café"


def test_folding_is_unfolded_and_raw_is_kept():
    msg = Message.parse(b"Subject: one\r\n two\r\n\tthree\r\n\r\nbody")
    (h,) = msg.header_fields("subject")
    assert h.value == "one two\tthree"
    assert h.raw == b"Subject: one\r\n two\r\n\tthree"


def test_mbox_from_line_and_lf_endings():
    msg = Message.parse(b"From someone@example.test Mon Jan  1 00:00:00 2024\nFrom: a@one.test\nSubject: s\n\nbody\n")
    assert msg.mbox_from_line.startswith("From someone")
    assert msg.header("from") == "a@one.test" and msg.text == "body\n"


def test_encoded_words_decode_including_adjacent_words():
    msg = Message.parse(b"Subject: =?utf-8?q?Caf=C3=A9?= =?iso-8859-1?b?IOk=?= ok\r\n\r\nb")
    assert msg.subject == "Café é ok"

"""Callback numbers written to dodge filters are found; digit runs in ordinary mail are not phones."""

from __future__ import annotations

import pytest

from mailwarden.phones import PhoneHit, find_phone_numbers, fold_digits


def e164s(text: str, region: str = "US") -> list[str]:
    return [h.e164 for h in find_phone_numbers(text, region)]


@pytest.mark.parametrize("text, expected", [
    ("Call us at 1-808-555-0147 today", "+18085550147"),
    ("call +1 (808) 555-0147", "+18085550147"),
    ("+1(808)-555-0147", "+18085550147"),
    ("helpline: (808) 555 0147", "+18085550147"),
    ("phone 808.555.0147", "+18085550147"),
    ("call 8085550147 now", "+18085550147"),  # bare run right after a phone word
    ("Support: +44 20 7946 0958", "+442079460958"),
    ("Appelez le +33 1 23 45 67 89", "+33123456789"),
    ("Rufen Sie +49 30 12345678 an", "+493012345678"),
    ("Ligue para +55 11 91234-5678", "+5511912345678"),
])
def test_plain_numbers_are_found_and_not_marked_obfuscated(text: str, expected: str) -> None:
    hits = find_phone_numbers(text)
    assert [h.e164 for h in hits] == [expected]
    assert not hits[0].obfuscated


@pytest.mark.parametrize("text, expected", [
    ("call 8O8-555-0147 to cancel", "+18085550147"),           # letter O for zero
    ("call 8o8 555 o147", "+18085550147"),                     # lower-case o
    ("toll free l-808-555-0147", "+18085550147"),              # letter l for the trunk 1
    ("dial I 808 555 0147", "+18085550147"),                   # capital I for 1
    ("call 1 . 8 0 8 . 5 5 5 . 0 1 4 7", "+18085550147"),      # spaced out
    ("call 1 8 0 8 5 5 5 0 1 4 7", "+18085550147"),
    ("call ８０８-５５５-０１４７", "+18085550147"),               # fullwidth digits
    ("call ٨٠٨-٥٥٥-٠١٤٧", "+18085550147"),                     # Arabic-Indic digits
    ("call +1 8\u200b0\u200b8 555 0147", "+18085550147"),      # zero-width spaces
    ("call 8\u041e8-555-0147", "+18085550147"),                # Cyrillic capital O
])
def test_filter_dodging_tricks_are_folded_and_flagged(text: str, expected: str) -> None:
    hits = find_phone_numbers(text)
    assert [h.e164 for h in hits] == [expected]
    assert hits[0].obfuscated


def test_hit_offsets_point_at_the_raw_text() -> None:
    text = "Unusual charge. Call 8O8-555-0147 now."
    (hit,) = find_phone_numbers(text)
    assert isinstance(hit, PhoneHit)
    assert text[hit.start:hit.end] == hit.raw == "8O8-555-0147"


@pytest.mark.parametrize("text", [
    "Your order 8085550147 has shipped.",                   # order number, no phone word
    "Order #8085550147",
    "Total: $1,234,567.89 due",                             # price
    "Invoice total 4.808.555,01 EUR",
    "Tracking number 1Z999AA10123456784",                    # tracking ID
    "Server at 192.168.100.200 is down",                     # IP address
    "ping 10.208.155.147 failed",
    "Posted on 2002-08-22 10:15 by admin",                   # date and time
    "Meeting 22/08/2002 at 10:30",
    "commit 3f5a8085550147b2e9",                             # patch hash
    "index 8085550147..9f3e2a1 100644",
    "kernel version 3.10.0-693.21.1",                        # version string
    "[ 7428.832735] usb 1-1: new device",                     # dmesg timestamp
    "c7 44 24 04 01 00 00 00 48 8d 74 24 04 48 89",           # hex dump
    "mem 2576/131072 pages",
    "Timestamp 1034567890",
    "Tel | 555 |",                                             # too short
])
def test_digit_runs_in_ordinary_mail_are_not_phone_numbers(text: str) -> None:
    assert e164s(text) == []


def test_lookalike_letters_in_words_are_not_digits() -> None:
    assert e164s("Hello, I logged on to Office 365 at noon") == []
    assert e164s("lol IOl OIl lIO") == []


def test_signature_pipes_are_not_folded_into_digits() -> None:
    hits = find_phone_numbers("Office | (937) 713-4271 | Cell")
    assert [h.e164 for h in hits] == ["+19377134271"]
    assert not hits[0].obfuscated


def test_several_numbers_each_once_in_order() -> None:
    text = "Call 808-555-0147 or +44 20 7946 0958, again 808 555 0147."
    assert e164s(text) == ["+18085550147", "+442079460958"]


def test_default_region_applies_to_national_numbers() -> None:
    assert e164s("Ligue (11) 91234-5678", "BR") == ["+5511912345678"]
    assert e164s("Ligue (11) 91234-5678", "US") == []


def test_fold_digits_reports_tricks() -> None:
    assert fold_digits("8O8-555") == ("808-555", True)
    assert fold_digits("808-555") == ("808-555", False)
    assert fold_digits("８0８") == ("808", True)


def test_empty_and_huge_inputs() -> None:
    assert find_phone_numbers("") == []
    # A table of numbers must not take unbounded time or invent phones.
    assert isinstance(find_phone_numbers("12 34 56 78 90 " * 5000), list)

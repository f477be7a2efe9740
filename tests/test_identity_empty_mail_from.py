"""Composition Kills: an empty MAIL FROM on a message that is not a bounce."""

from identity_helpers import crlf, symbols
from mailwarden.envelope import Envelope


def test_null_sender_on_ordinary_mail():
    raw = crlf("From: billing@shop.example\nTo: a@b.example\nSubject: Invoice\n\nPay now.\n")
    env = Envelope(ip="198.51.100.9", helo="mail.other.example", mail_from="", rcpt=[])
    assert "ENVELOPE_NULL_SENDER" in symbols(raw, envelope=env)


def test_return_path_empty_is_the_derived_null_sender():
    raw = crlf("Return-Path: <>\nFrom: billing@shop.example\nTo: a@b.example\nSubject: Invoice\n\nPay now.\n")
    assert "ENVELOPE_NULL_SENDER" in symbols(raw)


def test_real_bounce_is_allowed_null_sender():
    raw = crlf("From: MAILER-DAEMON@mx.example\nTo: a@b.example\nSubject: Undelivered Mail Returned to Sender\n"
               "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n\nx\n--b--\n")
    env = Envelope(ip="198.51.100.9", helo="mx.example", mail_from="", rcpt=[])
    assert "ENVELOPE_NULL_SENDER" not in symbols(raw, envelope=env)

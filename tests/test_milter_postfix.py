"""End to end through a real Postfix: what the recipient's Maildir receives, what is rejected, what is held.

Postfix runs from a private config on loopback with the milter (started here, in a thread) as its
smtpd_milters. Under CI=true a missing Postfix fails these tests instead of skipping them.
"""

from __future__ import annotations

import email.policy
import shutil
import smtplib
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

import pytest

from mailwarden.engine import Engine
from mailwarden.frontends.milter import MilterSettings
from support.milter_thread import milter_in_thread
from support.postfix import Postfix, postfix_available
from support.services import require
from support.stub_engine import StubEngine

pytestmark = pytest.mark.services


class RoutingEngine:
    """Messages whose subject says ACTION:x get the stub's verdict x; all others the real engine's."""

    def __init__(self) -> None:
        self.stub, self.real = StubEngine(), Engine()
        self.config = self.real.config
        self.real_seen: list[tuple[bytes, object]] = []

    def scan(self, raw, envelope=None, file=None):
        if b"ACTION:" in raw:
            return self.stub.scan(raw, envelope, file)
        self.real_seen.append((raw, envelope))
        return self.real.scan(raw, envelope, file)


@pytest.fixture(scope="module")
def mta():
    require(postfix_available(), "Postfix")
    settings = MilterSettings(listen="inet:127.0.0.1:0", workers=0, banner=True, subject_tag="[SUSPICIOUS]",
                              timeout=3.0)
    engine = RoutingEngine()
    base = Path(tempfile.mkdtemp(prefix="mailwarden-postfix-"))
    with milter_in_thread(engine, settings) as server:
        pf = Postfix(base, server.address)
        pf.start()
        try:
            yield pf, server, engine
        finally:
            pf.stop()
            shutil.rmtree(base, ignore_errors=True)


def send(pf: Postfix, raw: bytes, rcpts=("alice@mw.test",), sender="sender@example.net",
         helo: str | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", pf.port, timeout=30, local_hostname=helo) as c:
        c.sendmail(sender, list(rcpts), raw)


def mail(subject: str, body: str = "Hello, here is your update.\n", to: str = "alice@mw.test") -> bytes:
    return (f"From: Service <notify@example.net>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{time.time_ns()}@example.net>\r\n\r\n" + body.replace("\n", "\r\n")).encode()


def delivered(pf: Postfix, user: str, marker: str) -> email.message.EmailMessage:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in pf.maildir(user):
            raw = path.read_bytes()
            if marker.encode() in raw:
                return message_from_bytes(raw, policy=email.policy.default)
        time.sleep(0.05)
    raise AssertionError(f"no message with {marker!r} for {user}; log tail:\n"
                         + "\n".join(pf.log_text().splitlines()[-20:]))


def test_clean_message_is_delivered_with_verdict_headers_from_the_real_engine(mta):
    pf, server, engine = mta
    send(pf, mail("Your weekly summary clean-1"))
    got = delivered(pf, "alice", "clean-1")
    raw, env = engine.real_seen[-1]
    assert env.ip == "127.0.0.1" and env.mail_from == "sender@example.net" and env.rcpt == ["alice@mw.test"]
    expected = Engine().scan(raw, env)
    assert got["X-Mailwarden-Verdict"] == expected.action
    assert float(got["X-Mailwarden-Score"]) == pytest.approx(expected.score, abs=0.01)
    assert got["Authentication-Results"].startswith("mailwarden;")
    assert got["Subject"] == "Your weekly summary clean-1"


def test_envelope_from_postfix_reaches_the_verdict(mta):
    pf, server, engine = mta
    send(pf, mail("Envelope check envelope-1"), rcpts=("alice@mw.test", "bob@mw.test"),
         sender="bounces+x@example.net", helo="client.example.net")
    delivered(pf, "bob", "envelope-1")
    raw, env = next((r, e) for r, e in reversed(engine.real_seen) if b"envelope-1" in r)
    verdict = Engine(analyzers="none").scan(raw, env)
    assert verdict.envelope == {"ip": "127.0.0.1", "helo": "client.example.net", "mail_from": "bounces+x@example.net",
                                "rcpt": ["alice@mw.test", "bob@mw.test"], "derived": False}


def test_forged_verdict_header_in_incoming_mail_is_replaced(mta):
    pf, _, _ = mta
    raw = mail("ACTION:tag forged-1").replace(b"\r\n\r\n", b"\r\nX-Mailwarden-Verdict: accept\r\n"
                                              b"Authentication-Results: mailwarden; dmarc=pass\r\n\r\n", 1)
    send(pf, raw)
    got = delivered(pf, "alice", "forged-1")
    assert got.get_all("X-Mailwarden-Verdict") == ["tag"]
    assert got.get_all("Authentication-Results") == ["mailwarden; none"]


def test_tagged_message_gets_subject_tag_and_banner_in_text_and_html(mta):
    pf, _, _ = mta
    raw = (b"From: Microsoft <msonlineservicesteam@microsoftonline.com>\r\nTo: alice@mw.test\r\n"
           b"Subject: ACTION:tag banner-1\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
           b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour tenant Unusual charge call +1 800 555 0100\r\n"
           b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Your tenant</p></body></html>\r\n"
           b"--b1--\r\n")
    send(pf, raw)
    got = delivered(pf, "alice", "banner-1")
    assert got["Subject"] == "[SUSPICIOUS] ACTION:tag banner-1"
    assert got["X-Mailwarden-Verdict"] == "tag"
    plain = got.get_body(("plain",)).get_content()
    html = got.get_body(("html",)).get_content()
    assert plain.startswith("-" * 72) and "contains a phone number" in plain
    assert plain.index("[mailwarden]") < plain.index("Your tenant")
    assert html.index("<body>") < html.index("[mailwarden]") < html.index("Your tenant")
    assert not [d for part in got.walk() for d in part.defects]


def test_rejected_message_gets_550_and_is_not_delivered(mta):
    pf, _, _ = mta
    with pytest.raises(smtplib.SMTPDataError) as info:
        send(pf, mail("ACTION:reject reject-1"), rcpts=("bob@mw.test",))
    assert info.value.smtp_code == 550 and b"5.7.1" in info.value.smtp_error
    assert not any(b"reject-1" in p.read_bytes() for p in pf.maildir("bob"))


def test_quarantined_message_is_held_in_the_postfix_queue(mta):
    pf, _, _ = mta
    send(pf, mail("ACTION:quarantine hold-1", to="bob@mw.test"), rcpts=("bob@mw.test",))
    deadline = time.monotonic() + 10
    held = []
    while time.monotonic() < deadline and not held:
        held = [q for q in pf.queue() if q["queue_name"] == "hold"
                and [r["address"] for r in q["recipients"]] == ["bob@mw.test"]]
        time.sleep(0.1)
    assert held, pf.log_text()[-2000:]
    assert not any(b"hold-1" in p.read_bytes() for p in pf.maildir("bob"))


def test_quarantine_redirect_delivers_to_quarantine_mailbox_only(mta):
    pf, server, _ = mta
    server.settings.quarantine, server.settings.quarantine_mailbox = "redirect", "quarantine@mw.test"
    try:
        send(pf, mail("ACTION:quarantine redirect-1", to="bob@mw.test"), rcpts=("bob@mw.test",))
        got = delivered(pf, "quarantine", "redirect-1")
    finally:
        server.settings.quarantine = "hold"
    assert got["X-Mailwarden-Quarantined-For"] == "bob@mw.test"
    assert got["X-Mailwarden-Verdict"] == "quarantine"
    assert not any(b"redirect-1" in p.read_bytes() for p in pf.maildir("bob"))


def test_quarantine_redirect_to_a_recipient_of_the_message_is_not_lost(mta):
    # Adding the quarantine mailbox and then deleting every original recipient would leave
    # no recipient at all when the quarantine mailbox is one of them: Postfix drops such mail.
    pf, server, _ = mta
    server.settings.quarantine, server.settings.quarantine_mailbox = "redirect", "quarantine@mw.test"
    try:
        send(pf, mail("ACTION:quarantine redirect-self", to="quarantine@mw.test"), rcpts=("quarantine@mw.test",))
        got = delivered(pf, "quarantine", "redirect-self")
    finally:
        server.settings.quarantine = "hold"
    assert got["X-Mailwarden-Verdict"] == "quarantine"


def test_engine_crash_and_timeout_tempfail_so_the_client_keeps_the_message(mta):
    pf, _, _ = mta
    for subject in ("ACTION:crash crash-1", "ACTION:sleep SLEEP:4 slow-1"):
        with pytest.raises(smtplib.SMTPDataError) as info:
            send(pf, mail(subject))
        assert info.value.smtp_code == 451, subject

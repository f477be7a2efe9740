"""End to end: a client logs in to a real Postfix (SASL through a real Dovecot), and the login Postfix
verified reaches the engine as the submission account ({auth_authen}), whatever the message says.

An account that writes a From its organisation does not own is flagged (SUBMISSION_FROM_NOT_OWNED);
the same account writing its own address is not, and neither is an anonymous relay client.
"""

from __future__ import annotations

import shutil
import smtplib
import tempfile
import time
from pathlib import Path

import pytest

from mailwarden.config import Config
from mailwarden.engine import Engine
from mailwarden.frontends.milter import MilterSettings
from support.dovecot import PASSWORD, USER, Dovecot, dovecot_available
from support.milter_thread import milter_in_thread
from support.postfix import Postfix, postfix_available
from support.services import require

pytestmark = pytest.mark.services


class Recording:
    def __init__(self) -> None:
        self.engine = Engine(config=Config(own_domains=["mw.test"]))
        self.config = self.engine.config
        self.seen: dict[str, tuple[object, object]] = {}

    def scan(self, raw, envelope=None, file=None):
        verdict = self.engine.scan(raw, envelope, file)
        marker = raw.split(b"Subject: ", 1)[-1].split(b"\r\n", 1)[0].decode()
        self.seen[marker] = (envelope, verdict)
        return verdict


@pytest.fixture(scope="module")
def mta():
    require(postfix_available(), "Postfix")
    require(dovecot_available(), "Dovecot")
    base = Path(tempfile.mkdtemp(prefix="mailwarden-sasl-"))
    base.chmod(0o755)  # Postfix's and Dovecot's unprivileged processes must traverse it
    socket_path = base / "dovecot" / "run" / "sasl-auth"
    dovecot = Dovecot(base / "dovecot", auth_socket=socket_path)
    dovecot.start()
    engine = Recording()
    try:
        with milter_in_thread(engine, MilterSettings(listen="inet:127.0.0.1:0", workers=0, timeout=5.0)) as server:
            pf = Postfix(base / "postfix", server.address, extra_main=(
                f"smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = {socket_path}\n"
                "smtpd_sasl_security_options = noanonymous\nsmtpd_tls_auth_only = no\n"))
            deadline = time.monotonic() + 10
            while not socket_path.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            pf.start()
            try:
                yield pf, engine
            finally:
                pf.stop()
    finally:
        dovecot.stop()
        shutil.rmtree(base, ignore_errors=True)


def _mail(from_: str, subject: str) -> bytes:
    return (f"From: {from_}\r\nTo: bob@mw.test\r\nSubject: {subject}\r\nMessage-ID: <{time.time_ns()}@mw.test>\r\n"
            "\r\nThe quarterly figures are attached.\r\n").encode()


def _send(pf: Postfix, raw: bytes, login: bool) -> None:
    with smtplib.SMTP("127.0.0.1", pf.port, timeout=30) as client:
        client.ehlo("laptop.example")
        if login:
            client.login(USER, PASSWORD)
        client.sendmail("alice@mw.test", ["bob@mw.test"], raw)


def _wait(pf: Postfix, marker: str) -> bytes:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in pf.maildir("bob"):
            raw = path.read_bytes()
            if marker.encode() in raw:
                return raw
        time.sleep(0.05)
    raise AssertionError(f"no message {marker!r} for bob; log tail:\n" + "\n".join(pf.log_text().splitlines()[-20:]))


def _symbols(engine: Recording, marker: str) -> set[str]:
    _, verdict = engine.seen[marker]
    return {f.symbol for f in verdict.findings}


def test_logged_in_account_writing_a_foreign_from_is_flagged(mta):
    pf, engine = mta
    _send(pf, _mail("CEO <ceo@paypal.com>", "sasl-foreign"), login=True)
    delivered = _wait(pf, "sasl-foreign")
    envelope, _ = engine.seen["sasl-foreign"]
    assert envelope.auth_user == USER
    assert "SUBMISSION_FROM_NOT_OWNED" in _symbols(engine, "sasl-foreign")
    assert b"X-Mailwarden-Verdict:" in delivered


def test_logged_in_account_writing_its_own_domain_is_not_flagged(mta):
    pf, engine = mta
    _send(pf, _mail("Alice <alice@mw.test>", "sasl-own"), login=True)
    _wait(pf, "sasl-own")
    assert engine.seen["sasl-own"][0].auth_user == USER
    assert "SUBMISSION_FROM_NOT_OWNED" not in _symbols(engine, "sasl-own")


def test_a_client_that_did_not_log_in_has_no_account(mta):
    pf, engine = mta
    _send(pf, _mail("CEO <ceo@paypal.com>", "sasl-none"), login=False)
    _wait(pf, "sasl-none")
    assert engine.seen["sasl-none"][0].auth_user is None
    assert "SUBMISSION_FROM_NOT_OWNED" not in _symbols(engine, "sasl-none")

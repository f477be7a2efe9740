"""The milter answers a (fake) MTA correctly: headers, subject tag, banner, quarantine, reject, failures."""

from __future__ import annotations

import asyncio
import email
import email.policy

import pytest

from mailwarden.frontends.milter import MilterServer, MilterSettings
from mailwarden.frontends.milter import protocol as p
from mailwarden.frontends.pool import ScanPool
from support.milter_client import FakeMTA
from support.stub_engine import StubEngine

from conftest import make_message


def run(coro):
    return asyncio.run(coro)


async def _with_milter(settings: MilterSettings, fn, engine=None, timeout: float = 5.0):
    engine = engine or StubEngine()
    pool = ScanPool(engine, workers=0, timeout=timeout, failure_action=settings.failure_action)
    server = MilterServer(pool, settings)
    await server.start()
    host, port = server.address[5:].rsplit(":", 1)
    try:
        return await fn(host, int(port), engine)
    finally:
        await server.shutdown(grace=1)
        pool.close(wait=False)


def settings(**kw) -> MilterSettings:
    s = MilterSettings(listen="inet:127.0.0.1:0", workers=0)
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def msg(subject: str, body: str = "Please call us.\n", **extra) -> bytes:
    headers = {"From": "Microsoft <msonlineservicesteam@microsoftonline.com>", "To": "user@example.org",
               "Subject": subject, "Message-ID": "<1@example.net>", **extra}
    return make_message(headers, body)


def test_accept_adds_verdict_headers_and_envelope_reaches_engine():
    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(msg("hello"), ip="198.51.100.7", helo="mail.example.net",
                                          mail_from="bounce@example.net", rcpts=("a@example.org", "b@example.org"))
    res = run(_with_milter(settings(), go))
    assert res.final == p.SMFIR_ACCEPT
    assert res.header("X-Mailwarden-Verdict") == "accept"
    assert res.header("X-Mailwarden-Score") == "0.00"
    assert res.header("Authentication-Results") == "mailwarden; none"


def test_envelope_is_passed_to_engine():
    engine = StubEngine()

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            await mta.send_message(msg("hello"), ip="198.51.100.7", helo="mail.example.net",
                                   mail_from="bounce@example.net", rcpts=("a@example.org", "b@example.org"))
    run(_with_milter(settings(), go, engine))
    raw, env = engine.seen[-1]
    assert env.ip == "198.51.100.7" and env.helo == "mail.example.net"
    assert env.mail_from == "bounce@example.net" and env.rcpt == ["a@example.org", "b@example.org"]
    parsed = email.message_from_bytes(raw)
    assert parsed["Subject"] == "hello" and b"Please call us." in raw


class RecordingEngine:
    """The real engine (no analyzers: only the envelope matters here), keeping every verdict."""

    def __init__(self) -> None:
        from mailwarden.engine import Engine

        self.engine = Engine(analyzers="none")
        self.config = self.engine.config
        self.verdicts = []

    def scan(self, raw, envelope=None, file=None):
        v = self.engine.scan(raw, envelope, file)
        self.verdicts.append(v)
        return v


def test_verdict_envelope_shows_client_ip_helo_mail_from_and_every_recipient():
    engine = RecordingEngine()

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            await mta.send_message(msg("hello"), ip="2001:db8::25", helo="mail.example.net",
                                   mail_from="bounce@example.net", rcpts=("a@example.org", "b@example.org"),
                                   macros={p.SMFIC_CONNECT: {"{client_addr}": "2001:db8::25", "_": "x [2001:db8::25]"},
                                           p.SMFIC_MAIL: {"{mail_addr}": "bounce@example.net",
                                                          "{auth_authen}": "alice"}})
    run(_with_milter(settings(), go, engine))
    assert engine.verdicts[-1].envelope == {"ip": "2001:db8::25", "helo": "mail.example.net",
                                            "mail_from": "bounce@example.net",
                                            "rcpt": ["a@example.org", "b@example.org"], "derived": False}


def test_envelope_falls_back_to_macros_when_a_step_carries_no_address():
    """A connection over a unix socket (no client address in the connect step), no HELO step and no MAIL
    step: the MTA's macros still tell the engine who connected, and nothing is guessed from headers."""
    engine = RecordingEngine()
    raw = msg("hello", Received="from forged.example (forged.example [203.0.113.66]) by mx.example.org")

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            await mta.send_message(raw, ip=None, helo=None, mail_from=None, rcpts=("a@example.org",),
                                   macros={p.SMFIC_CONNECT: {"{client_addr}": "IPv6:2001:db8::7", "s": "relay.example",
                                                             "{mail_addr}": "<b@example.net>"}})
        async with FakeMTA(host, port) as mta:
            await mta.send_message(raw, ip=None, helo=None, mail_from=None, rcpts=(),
                                   macros={p.SMFIC_CONNECT: {"_": "relay.example [198.51.100.9] (may be forged)"},
                                           p.SMFIC_DATA: {"{rcpt_addr}": "c@example.org"}})
    run(_with_milter(settings(), go, engine))
    first, second = (v.envelope for v in engine.verdicts[-2:])
    assert first == {"ip": "2001:db8::7", "helo": "relay.example", "mail_from": "b@example.net",
                     "rcpt": ["a@example.org"], "derived": False}
    assert second["ip"] == "198.51.100.9" and second["rcpt"] == ["c@example.org"]


def test_forged_verdict_headers_are_removed_and_foreign_results_kept():
    raw = make_message([("From", "a@example.net"), ("Subject", "hi"), ("X-Mailwarden-Verdict", "accept"),
                        ("Authentication-Results", "mailwarden; dmarc=pass header.from=paypal.com"),
                        ("Authentication-Results", "mx.other.example; spf=pass"),
                        ("X-Mailwarden-Verdict", "accept")])

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(raw)
    res = run(_with_milter(settings(), go))
    deleted = [(i, n) for i, n, v in res.changed_headers if v == ""]
    assert sorted(deleted) == [(1, "Authentication-Results"), (1, "X-Mailwarden-Verdict"),
                               (2, "X-Mailwarden-Verdict")]


def test_tag_with_subject_tag_and_banner_keeps_mime_valid():
    raw = (b"From: a@example.net\r\nSubject: ACTION:tag invoice\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=\"BB\"\r\n\r\n"
           b"--BB\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
           b"\r\nCaf=E9 bill: call +1 800 555 0100\r\n"
           b"--BB\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body class=x><p>Caf\xc3\xa9</p></body></html>\r\n"
           b"--BB--\r\n")

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(raw)
    res = run(_with_milter(settings(subject_tag="[SUSPICIOUS]", banner=True), go))
    assert res.final == p.SMFIR_ACCEPT
    assert res.header("X-Mailwarden-Verdict") == "tag"
    assert (1, "Subject", " [SUSPICIOUS] ACTION:tag invoice") in res.changed_headers
    body = res.new_body
    assert body is not None
    rebuilt = email.message_from_bytes(b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"BB\"\r\n\r\n"
                                       + body, policy=email.policy.default)
    plain = rebuilt.get_body(("plain",)).get_content()
    html = rebuilt.get_body(("html",)).get_content()
    assert plain.index("[mailwarden]") < plain.index("Café bill")
    assert "organisation name in it contains a phone number" in plain
    assert html.index("<body class=x>") < html.index("[mailwarden]") < html.index("Café")
    assert not any(d for part in rebuilt.walk() for d in part.defects)


def test_signed_message_gets_headers_but_no_banner():
    raw = (b"From: a@example.net\r\nSubject: ACTION:quarantine\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"S\"\r\n\r\n"
           b"--S\r\nContent-Type: text/plain\r\n\r\nhello\r\n--S\r\nContent-Type: application/pkcs7-signature\r\n\r\n"
           b"AAAA\r\n--S--\r\n")

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(raw)
    res = run(_with_milter(settings(banner=True), go))
    assert res.new_body is None
    assert res.header("X-Mailwarden-Verdict") == "quarantine"
    assert res.payloads(p.SMFIR_QUARANTINE)


def test_quarantine_redirect_moves_recipients():
    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(msg("ACTION:quarantine"), rcpts=("a@example.org", "b@example.org"))
    res = run(_with_milter(settings(quarantine="redirect", quarantine_mailbox="q@example.org"), go))
    assert res.payloads(p.SMFIR_ADDRCPT) == [b"<q@example.org>\0"]
    assert res.payloads(p.SMFIR_DELRCPT) == [b"<a@example.org>\0", b"<b@example.org>\0"]
    assert res.header("X-Mailwarden-Quarantined-For") == "a@example.org, b@example.org"
    assert not res.payloads(p.SMFIR_QUARANTINE)


def test_reject_and_reject_disabled():
    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(msg("ACTION:reject"))
    res = run(_with_milter(settings(), go))
    assert res.final == p.SMFIR_REPLYCODE
    assert res.replies[-1][1].startswith(b"550 5.7.1 ")
    res = run(_with_milter(settings(reject=False), go))
    assert res.final == p.SMFIR_ACCEPT and res.payloads(p.SMFIR_QUARANTINE)


@pytest.mark.parametrize("failure_action,final", [("tempfail", p.SMFIR_REPLYCODE), ("accept", p.SMFIR_ACCEPT)])
def test_engine_crash_maps_to_failure_action(failure_action, final):
    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(msg("ACTION:crash"))
    res = run(_with_milter(settings(failure_action=failure_action), go))
    assert res.final == final
    if failure_action == "tempfail":
        assert res.replies[-1][1].startswith(b"451 4.7.1")
    else:
        assert res.header("X-Mailwarden-Reasons") == "ENGINE_ERROR"


def test_timeout_maps_to_failure_action():
    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(msg("ACTION:sleep SLEEP:1.5"))
    res = run(_with_milter(settings(failure_action="tempfail"), go, timeout=0.3))
    assert res.final == p.SMFIR_REPLYCODE and res.replies[-1][1].startswith(b"451")


def test_several_messages_and_abort_on_one_connection():
    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            r1 = await mta.send_message(msg("ACTION:tag one"))
            mta.writer.write(p.packet(p.SMFIC_ABORT))
            r2 = await mta.send_message(msg("two"), rcpts=("c@example.org",))
            return r1, r2, engine
    r1, r2, engine = run(_with_milter(settings(), go))
    assert r1.header("X-Mailwarden-Verdict") == "tag" and r2.header("X-Mailwarden-Verdict") == "accept"
    assert engine.seen[-1][1].rcpt == ["c@example.org"]


def test_header_injection_from_message_cannot_reach_added_headers():
    from mailwarden.frontends.milter.actions import authentication_results, sanitize
    from mailwarden.verdict import Verdict

    v = Verdict(action="tag", score=5, summary="x", findings=[])
    v.authentication_results = "mailwarden; dkim=pass header.d=evil.example\r\nX-Injected: yes\0"
    value = authentication_results(MilterSettings(), v)
    assert "\r" not in value and "\n" not in value and "\0" not in value
    v.authentication_results = "other-id; spf=pass"
    assert authentication_results(MilterSettings(), v).startswith("mailwarden; spf=pass")
    v.authentication_results = None
    v.auth = {"spf": {"result": "pass", "domain": "ex\nample.com"}, "dkim": [], "dmarc": {"result": "none"}}
    assert authentication_results(MilterSettings(), v) == "mailwarden; spf=pass smtp.mailfrom=ex ample.com"
    assert sanitize("a\u2028b\x00c\r\nd") == "a b c d"


def test_graceful_shutdown_finishes_in_flight_message():
    async def go():
        engine = StubEngine()
        pool = ScanPool(engine, workers=0, timeout=5)
        server = MilterServer(pool, settings())
        await server.start()
        host, port = server.address[5:].rsplit(":", 1)
        async with FakeMTA(host, int(port)) as mta:
            pending = asyncio.create_task(mta.send_message(msg("ACTION:sleep SLEEP:0.5")))
            while server.in_flight == 0:
                await asyncio.sleep(0.01)
            await server.shutdown(grace=5)
            res = await pending
        pool.close()
        return res
    res = run(go())
    assert res.final == p.SMFIR_ACCEPT and res.header("X-Mailwarden-Verdict") == "accept"


def test_bad_milter_settings_are_config_errors():
    from mailwarden.config import ConfigError

    with pytest.raises(ConfigError, match="quarantine_mailbox"):
        MilterSettings.from_section({"quarantine": "redirect"})
    with pytest.raises(ConfigError, match="unknown key"):
        MilterSettings.from_section({"lisen": "inet:1"})
    with pytest.raises(ConfigError, match="workers must be a whole number"):
        MilterSettings.from_section({"workers": "two"})
    assert MilterSettings.from_section({"workers": 0, "banner": True}).banner is True


def test_subject_tag_keeps_8bit_and_encoded_subjects_byte_for_byte():
    raw = ("From: a@example.net\r\nSubject: ACTION:tag Fatura n\u00ba 12 \u2014 pague\r\n\r\nbody\r\n").encode()
    raw2 = b"From: a@example.net\r\nSubject: =?utf-8?q?ACTION:tag_caf=C3=A9?=\r\n =?utf-8?q?_more?=\r\n\r\nbody\r\n"

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(raw), await mta.send_message(raw2)
    r1, r2 = run(_with_milter(settings(subject_tag="[SUSPICIOUS]"), go))
    assert (1, "Subject", " [SUSPICIOUS] ACTION:tag Fatura n\u00ba 12 \u2014 pague") in r1.changed_headers
    assert (1, "Subject", " [SUSPICIOUS] =?utf-8?q?ACTION:tag_caf=C3=A9?= =?utf-8?q?_more?=") in r2.changed_headers


def test_oversized_message_is_scanned_truncated_and_never_rewritten():
    engine = StubEngine()
    big = msg("ACTION:tag big", body="x" * 5000 + "\n")

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(big)
    res = run(_with_milter(settings(banner=True, max_message_bytes=1000), go, engine))
    assert res.header("X-Mailwarden-Verdict") == "tag"
    assert res.new_body is None  # only part of the body was collected: rewriting it would lose the rest
    raw, _ = engine.seen[-1]
    assert len(raw.split(b"\r\n\r\n", 1)[1]) == 1000


def test_unix_socket_listener(tmp_path):
    async def go():
        path = tmp_path / "milter.sock"
        pool = ScanPool(StubEngine(), workers=0, timeout=5)
        server = MilterServer(pool, settings(listen=f"unix:{path}"))
        await server.start()
        assert server.address == f"unix:{path}"
        reader, writer = await asyncio.open_unix_connection(str(path))
        writer.write(p.packet(p.SMFIC_OPTNEG, p.struct.pack(">III", 6, 0x3F, 0x1FFFFF)))
        code, data = await p.read_packet(reader)
        writer.close()
        await server.shutdown(grace=1)
        pool.close()
        return code, p.parse_optneg(data)
    code, (version, actions, protocol) = run(go())
    assert code == p.SMFIC_OPTNEG and version == 6
    assert actions & p.SMFIF_CHGBODY and actions & p.SMFIF_QUARANTINE
    assert protocol & p.SMFIP_HDR_LEADSPC


@pytest.mark.parametrize("garbage", [b"\x00\x00\x00\x00", b"\xff\xff\xff\xffO", p.packet(p.SMFIC_OPTNEG, b"\x00")])
def test_garbage_from_the_peer_closes_only_that_connection(garbage):
    async def go(host, port, engine):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(garbage)
        await writer.drain()
        await asyncio.wait_for(reader.read(), 5)  # the milter closes the connection
        writer.close()
        async with FakeMTA(host, port) as mta:  # and keeps serving others
            return await mta.send_message(msg("after"))
    res = run(_with_milter(settings(), go))
    assert res.header("X-Mailwarden-Verdict") == "accept"


def test_malformed_mime_is_delivered_with_the_verdict_but_no_banner():
    raw = (b"From: a@example.net\r\nSubject: ACTION:tag broken\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"NEVER\"\r\n\r\n--OTHER\r\nContent-Type: text/plain\r\n\r\n"
           b"call +1 800 555 0100\r\n")

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(raw)
    res = run(_with_milter(settings(banner=True, subject_tag="[SUSPICIOUS]"), go))
    assert res.final == p.SMFIR_ACCEPT and res.header("X-Mailwarden-Verdict") == "tag"
    assert res.new_body is None
    assert (1, "Subject", " [SUSPICIOUS] ACTION:tag broken") in res.changed_headers


def test_a_failing_banner_rewrite_still_applies_the_verdict(monkeypatch):
    from mailwarden.frontends.milter import actions

    def broken(*args, **kw):
        raise RuntimeError("rewriter bug")
    monkeypatch.setattr(actions, "insert_banner", broken)

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(msg("ACTION:quarantine x"))
    res = run(_with_milter(settings(banner=True), go))
    assert res.new_body is None and res.header("X-Mailwarden-Verdict") == "quarantine"
    assert res.payloads(p.SMFIR_QUARANTINE) and res.final == p.SMFIR_ACCEPT


def test_large_bodies_get_their_banner_on_the_scan_pool(monkeypatch):
    from mailwarden.frontends.milter import server as milter_server

    monkeypatch.setattr(milter_server, "INLINE_BANNER_BYTES", 100)
    on_pool = []
    original_run = ScanPool.run

    async def spy(self, fn, *args):
        on_pool.append(fn)
        return await original_run(self, fn, *args)
    monkeypatch.setattr(ScanPool, "run", spy)
    big = msg("ACTION:tag big", body="Pay the invoice today.\n" * 50)

    async def go(host, port, engine):
        async with FakeMTA(host, port) as mta:
            return await mta.send_message(big)
    res = run(_with_milter(settings(banner=True), go))
    assert res.new_body is not None and res.new_body.startswith(b"-" * 72 + b"\r\n[mailwarden] Caution")
    assert res.new_body.endswith(b"Pay the invoice today.\r\n" * 50)
    assert len(on_pool) == 1


def test_smtp_auth_login_reaches_the_engine_and_its_submission_check():
    """{auth_authen} (set by the MTA only after SMTP AUTH succeeded) is the account; an account that
    writes a From it does not own is flagged, with nothing about the login written in the message."""
    from mailwarden.engine import Engine

    class Real:
        def __init__(self) -> None:
            self.engine = Engine()
            self.config = self.engine.config
            self.verdicts = []

        def scan(self, raw, envelope=None, file=None):
            v = self.engine.scan(raw, envelope, file)
            self.verdicts.append((envelope, v))
            return v

    engine = Real()
    spoof = make_message({"From": "Payroll <payroll@bank.example>", "To": "a@example.org", "Subject": "hi",
                          "Message-ID": "<2@example.net>"}, "See you.\n")
    own = spoof.replace(b"payroll@bank.example", b"alice@corp.example")

    async def go(host, port, engine):
        for raw, login in ((spoof, "alice@corp.example"), (own, "alice@corp.example"), (spoof, None)):
            macros = {p.SMFIC_MAIL: {"{auth_authen}": login}} if login else {}
            async with FakeMTA(host, port) as mta:
                await mta.send_message(raw, ip="198.51.100.20", helo="laptop", mail_from="alice@corp.example",
                                       rcpts=("a@example.org",), macros=macros)
    run(_with_milter(settings(), go, engine))
    (env1, v1), (env2, v2), (env3, v3) = engine.verdicts[-3:]
    assert env1.auth_user == "alice@corp.example" and env3.auth_user is None
    assert "SUBMISSION_FROM_NOT_OWNED" in {f.symbol for f in v1.findings}
    assert "SUBMISSION_FROM_NOT_OWNED" not in {f.symbol for f in v2.findings}
    assert "SUBMISSION_FROM_NOT_OWNED" not in {f.symbol for f in v3.findings}
    assert "auth_user" not in v1.envelope  # the verdict's envelope object stays as CONTRACT.md defines it

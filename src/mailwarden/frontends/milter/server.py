"""An asyncio milter server (protocol version 6) that scans each message with the engine.

One task per MTA connection; scans run in a `ScanPool` (threads or worker processes) so the
event loop keeps answering other connections. Nothing here decides whether mail is bad:
the verdict comes from `Engine.scan`, and `actions.replies` turns it into milter replies.

Fail-safe: any error while handling a message (timeout, crashed worker, bug here) answers
with the configured failure action -- never a silently dropped message. If this process is
not running at all, Postfix applies its own `milter_default_action` (docs/deploy.md sets it
to tempfail).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
import socket
import time
from collections import deque
from dataclasses import dataclass, field

from mailwarden.envelope import Envelope, valid_ip
from mailwarden.frontends.milter import protocol as p
from mailwarden.frontends.milter.actions import MessageState, MilterSettings, replies
from mailwarden.frontends.pool import ScanPool, failure_verdict
from mailwarden.verdict import Verdict

log = logging.getLogger(__name__)

OUR_ACTIONS = (p.SMFIF_ADDHDRS | p.SMFIF_CHGHDRS | p.SMFIF_CHGBODY | p.SMFIF_ADDRCPT | p.SMFIF_DELRCPT
               | p.SMFIF_QUARANTINE)


CONTINUE = p.packet(p.SMFIR_CONTINUE)
INLINE_BANNER_BYTES = 256 * 1024  # bodies up to this size get their banner on the event loop (a few ms at most)


@dataclass
class Stats:
    """Counters for logs and metrics."""

    connections: int = 0
    messages: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    failures: int = 0
    scan_seconds: float = 0.0
    eom_ms: deque = field(default_factory=lambda: deque(maxlen=200_000))  # end-of-message to reply, recent

    def latency_summary(self) -> str:
        if not self.eom_ms:
            return "no messages"
        ordered = sorted(self.eom_ms)

        def pct(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]
        return (f"end-of-message latency over the last {len(ordered)}: p50 {pct(50):.1f} ms, "
                f"p95 {pct(95):.1f} ms, p99 {pct(99):.1f} ms, max {ordered[-1]:.1f} ms")


class Session:
    """One MTA connection: possibly several SMTP sessions (SMFIC_QUIT_NC) and several messages each."""

    def __init__(self, server: MilterServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server, self.reader, self.writer = server, reader, writer
        self.protocol = 0
        self.actions = 0
        self.busy = False  # a message is between DATA and our final reply
        self.reset_connection()

    def reset_connection(self) -> None:
        self.macros: dict[str, str] = {}
        self.ip: str | None = None
        self.helo: str | None = None
        self.reset_message()

    def reset_message(self) -> None:
        self.mail_from: str | None = None
        self.msg = MessageState()
        self.in_message = False

    @property
    def leadspc(self) -> bool:
        return bool(self.protocol & p.SMFIP_HDR_LEADSPC)

    def _needs_reply(self, cmd: bytes) -> bool:
        flag = p.NO_REPLY_FLAG.get(cmd)
        return not (flag and self.protocol & flag)

    async def run(self) -> None:
        """Read whatever the MTA sent, handle every complete packet in it, answer in one write.

        Packets are parsed from one buffer rather than awaited one by one: a 10 KB message is about a
        hundred packets, and most need no reply, so per-packet awaits were the milter's main CPU cost.
        """
        sock = self.writer.get_extra_info("socket")
        quickack = getattr(socket, "TCP_QUICKACK", None)
        if sock is None or quickack is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
            quickack = None
        buf = bytearray()
        while True:
            if quickack is not None:
                # ACK at once: the MTA sends most steps without waiting for us, and with Nagle on its side a
                # delayed ACK here would stall each message ~40 ms (Linux turns quick-ack off again by itself)
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
                except OSError:
                    quickack = None
            chunk = await self.reader.read(256 * 1024)
            if not chunk:
                if buf:
                    raise p.ProtocolError("connection closed in the middle of a packet")
                return
            buf += chunk
            out: list[bytes] = []
            pos = 0
            while len(buf) - pos >= 4:
                length = int.from_bytes(buf[pos:pos + 4], "big")
                if length < 1 or length > p.MAX_PACKET:
                    raise p.ProtocolError(f"bad packet length {length}")
                if len(buf) - pos - 4 < length:
                    break
                cmd = bytes(buf[pos + 4:pos + 5])
                data = bytes(buf[pos + 5:pos + 4 + length])
                pos += 4 + length
                if cmd == p.SMFIC_BODYEOB:
                    self._add_body(data)
                    out.append(await self.end_of_message())
                    continue
                reply = self.handle(cmd, data)
                if reply is None:  # quit
                    if out:
                        self.writer.write(b"".join(out))
                    return
                if reply:
                    out.append(reply)
            del buf[:pos]
            if out:
                self.writer.write(b"".join(out))
                await self.writer.drain()

    def handle(self, cmd: bytes, data: bytes) -> bytes | None:
        cont = CONTINUE
        if cmd == p.SMFIC_OPTNEG:
            version, mta_actions, mta_protocol = p.parse_optneg(data)
            if version < 2:
                raise p.ProtocolError(f"milter protocol version {version} is too old")
            self.actions = mta_actions & OUR_ACTIONS
            self.protocol = mta_protocol & p.WANTED_PROTOCOL
            return p.optneg_reply(min(version, p.VERSION), self.actions, self.protocol)
        if cmd == p.SMFIC_MACRO:
            items = data[1:].split(b"\0")
            for i in range(0, len(items) - 1, 2):
                self.macros[items[i].decode("utf-8", "replace").strip("{}")] = items[i + 1].decode("utf-8", "replace")
            return b""
        if cmd == p.SMFIC_QUIT:
            return None
        if cmd == p.SMFIC_QUIT_NC:
            self.reset_connection()
            return b""
        if cmd == p.SMFIC_ABORT:
            self.reset_message()
            return b""
        if cmd == p.SMFIC_CONNECT:
            _host, family, _port, addr = p.parse_connect(data)
            self.ip = _ip(addr) if family in ("4", "6") else None
        elif cmd == p.SMFIC_HELO:
            self.helo = data.split(b"\0", 1)[0].decode("utf-8", "replace") or None
        elif cmd == p.SMFIC_MAIL:
            self.reset_message()
            args = p.split_cstrings(data)
            self.mail_from = _address(args[0]) if args else ""
        elif cmd == p.SMFIC_RCPT:
            args = p.split_cstrings(data)
            if args:
                self.msg.rcpts.append(_address(args[0]))
        elif cmd == p.SMFIC_HEADER:
            self.in_message = True
            parts = data.split(b"\0")
            name = parts[0].decode("utf-8", "replace")
            value = (parts[1] if len(parts) > 1 else b"").decode("utf-8", "surrogateescape")
            if self.leadspc and value.startswith(" "):
                value = value[1:]
            self.msg.headers.append((name, value.replace("\r\n", "\n").replace("\n", "\r\n")))
        elif cmd == p.SMFIC_BODY:
            self.in_message = True
            self._add_body(data)
        elif cmd in (p.SMFIC_DATA, p.SMFIC_EOH, p.SMFIC_UNKNOWN):
            self.in_message = cmd != p.SMFIC_UNKNOWN or self.in_message
        else:
            log.debug("ignoring milter command %r", cmd)
        return cont if self._needs_reply(cmd) else b""

    def _add_body(self, data: bytes) -> None:
        room = self.server.settings.max_message_bytes - len(self.msg.body)
        if room <= 0:
            self.msg.body_truncated = self.msg.body_truncated or bool(data)
            return
        self.msg.body += data[:room]
        if len(data) > room:
            self.msg.body_truncated = True

    def envelope(self) -> Envelope:
        """The SMTP envelope for the engine: from the protocol steps (connect, HELO, MAIL, RCPT), and where a
        step was not sent or carried nothing usable, from the MTA's macros ({client_addr}, `_`, `s`,
        {mail_addr}, {rcpt_addr}); the SMTP AUTH login from {auth_authen}. Nothing here is taken from the
        message itself; the engine derives what is still missing from the receiving hop and marks the
        envelope derived."""
        m = self.macros
        ip = self.ip or _ip(m.get("client_addr")) or _ip(_bracketed(m.get("_")))
        helo = self.helo or m.get("s") or None
        mail_from = self.mail_from
        if mail_from is None and "mail_addr" in m:
            mail_from = _address(m["mail_addr"].encode("utf-8", "surrogateescape"))
        rcpt = list(self.msg.rcpts)
        if not rcpt and m.get("rcpt_addr"):
            rcpt = [_address(m["rcpt_addr"].encode("utf-8", "surrogateescape"))]
        auth_user = (m.get("auth_authen") or "").strip() or None  # set by the MTA only after SMTP AUTH succeeded
        return Envelope(ip=ip, helo=helo, mail_from=mail_from, rcpt=rcpt, auth_user=auth_user)

    async def _replies(self, settings: MilterSettings, verdict: Verdict, queue_id: str | None) -> bytes:
        """The milter replies for a verdict. The banner rewrite splices bytes by offset (well under a
        millisecond for ordinary mail), so it runs right here for messages up to INLINE_BANNER_BYTES;
        bigger ones go to the scan pool so a multi-megabyte body never holds up the event loop. If the
        rewrite fails or times out, the verdict is applied without the banner rather than not at all."""
        make = functools.partial(replies, leadspc=self.leadspc, actions=self.actions)
        try:
            if not settings.banner or len(self.msg.body) <= INLINE_BANNER_BYTES:
                return make(settings, self.msg, verdict)
            return await self.server.pool.run(make, settings, self.msg, verdict)
        except Exception as exc:  # noqa: BLE001 - the banner is optional, the verdict is not
            log.warning("banner for %s failed (%s: %s); applying the verdict without it", queue_id or "a message",
                        type(exc).__name__, exc)
            return make(dataclasses.replace(settings, banner=False), self.msg, verdict)

    async def end_of_message(self) -> bytes:
        settings = self.server.settings
        self.busy = True
        self.server.in_flight += 1
        t0 = time.monotonic()
        try:
            envelope = self.envelope()
            queue_id = self.macros.get("i")
            verdict = await self.server.pool.scan(self.msg.raw(), envelope, file=queue_id)
            try:
                out = await self._replies(settings, verdict, queue_id)
            except Exception as exc:  # noqa: BLE001 - a bug in applying the verdict must not lose mail
                log.exception("could not apply the verdict for %s", queue_id or "a message")
                verdict = failure_verdict(settings.failure_action, f"{type(exc).__name__}: {exc}")
                out = replies(settings, MessageState(rcpts=self.msg.rcpts), verdict, leadspc=self.leadspc,
                              actions=self.actions & (p.SMFIF_ADDHDRS | p.SMFIF_QUARANTINE))
            stats = self.server.stats
            stats.messages += 1
            stats.actions[verdict.action] = stats.actions.get(verdict.action, 0) + 1
            stats.failures += "engine_error" in verdict.limits
            stats.scan_seconds += time.monotonic() - t0
            stats.eom_ms.append((time.monotonic() - t0) * 1000)
            log.info("%s: %s score=%.2f %s", queue_id or "-", verdict.action, verdict.score,
                     ",".join(f.symbol for f in verdict.reasons(3)))
            return out
        finally:
            self.reset_message()
            self.busy = False
            self.server.in_flight -= 1
            self.server.idle.set() if self.server.in_flight == 0 else None


def _ip(text: str | None) -> str | None:
    # Sendmail writes IPv6 client addresses as "IPv6:2001:db8::1"; Postfix without the prefix
    if text and text[:5].lower() == "ipv6:":
        text = text[5:]
    return valid_ip(text)


def _bracketed(text: str | None) -> str | None:
    """The address in the `_` macro ("name [192.0.2.1]" or "name [192.0.2.1] (may be forged)")."""
    if not text or "[" not in text:
        return None
    return text[text.index("[") + 1:].partition("]")[0]


def _address(arg: bytes) -> str:
    text = arg.decode("utf-8", "replace").strip()
    if text.startswith("<") and ">" in text:
        text = text[1:text.index(">")]
    return text


class MilterServer:
    def __init__(self, pool: ScanPool, settings: MilterSettings) -> None:
        self.pool, self.settings = pool, settings
        self.stats = Stats()
        self.in_flight = 0
        self.idle = asyncio.Event()
        self._server: asyncio.AbstractServer | None = None
        self._sessions: set[asyncio.Task] = set()
        self._busy_sessions: dict[asyncio.Task, Session] = {}

    @property
    def address(self) -> str:
        """The listening address in Postfix's milter syntax (inet:HOST:PORT or unix:PATH)."""
        assert self._server is not None
        sock = self._server.sockets[0]
        name = sock.getsockname()
        if sock.family == socket.AF_UNIX:
            return f"unix:{name}"
        return f"inet:{name[0]}:{name[1]}"

    async def start(self) -> None:
        listen = self.settings.listen
        if listen.startswith("unix:"):
            path = listen[5:]
            if os.path.exists(path):
                os.unlink(path)
            self._server = await asyncio.start_unix_server(self._serve, path=path)
            os.chmod(path, 0o660)
        else:
            host, _, port = listen[5:].rpartition(":")
            self._server = await asyncio.start_server(self._serve, host=host.strip("[]") or "127.0.0.1",
                                                      port=int(port))
        log.info("milter listening on %s", self.address)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        task = asyncio.current_task()
        assert task is not None
        session = Session(self, reader, writer)
        self._sessions.add(task)
        self._busy_sessions[task] = session
        self.stats.connections += 1
        try:
            await session.run()
        except p.ProtocolError as exc:
            log.warning("milter protocol error: %s", exc)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - closing the connection makes the MTA apply milter_default_action
            log.exception("milter session failed; the MTA applies its milter_default_action to this message")
        finally:
            self._sessions.discard(task)
            self._busy_sessions.pop(task, None)
            writer.close()

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop listening, let messages being scanned get their reply, then close every connection."""
        grace = self.settings.grace_seconds if grace is None else grace
        if self._server is not None:
            self._server.close()
        deadline = time.monotonic() + grace
        while self.in_flight and time.monotonic() < deadline:
            self.idle.clear()
            try:
                await asyncio.wait_for(self.idle.wait(), max(0.05, deadline - time.monotonic()))
            except TimeoutError:
                break
        await asyncio.sleep(0)  # let the last replies be written
        for task, session in list(self._busy_sessions.items()):
            if not session.busy:
                task.cancel()
        if self._sessions:
            await asyncio.wait(self._sessions, timeout=max(0.1, deadline - time.monotonic()))
        if self._server is not None:
            await self._server.wait_closed() if not self._sessions else None
        log.info("milter stopped after %d messages (%s failed); %s; actions %s", self.stats.messages,
                 self.stats.failures, self.stats.latency_summary(), self.stats.actions)

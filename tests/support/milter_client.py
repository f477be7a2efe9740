"""A minimal MTA side of the milter protocol, to drive the milter in tests without Postfix."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field

from mailwarden.frontends.milter import protocol as p

ALL_ACTIONS = 0x3F
ALL_PROTOCOL = 0x1FFFFF


@dataclass
class Result:
    replies: list[tuple[bytes, bytes]] = field(default_factory=list)  # (code, payload) for end-of-message

    @property
    def final(self) -> bytes:
        return self.replies[-1][0]

    @property
    def added_headers(self) -> list[tuple[str, str]]:
        out = []
        for code, data in self.replies:
            if code == p.SMFIR_ADDHEADER:
                name, value, _ = data.split(b"\0")
                out.append((name.decode(), value.decode()))
        return out

    def header(self, name: str) -> str | None:
        return next((v.strip() for n, v in self.added_headers if n.lower() == name.lower()), None)

    @property
    def changed_headers(self) -> list[tuple[int, str, str]]:
        out = []
        for code, data in self.replies:
            if code == p.SMFIR_CHGHEADER:
                idx = struct.unpack(">I", data[:4])[0]
                name, value, _ = data[4:].split(b"\0")
                out.append((idx, name.decode(), value.decode()))
        return out

    @property
    def new_body(self) -> bytes | None:
        chunks = [d for c, d in self.replies if c == p.SMFIR_REPLBODY]
        return b"".join(chunks) if chunks else None

    def payloads(self, code: bytes) -> list[bytes]:
        return [d for c, d in self.replies if c == code]


class FakeMTA:
    def __init__(self, host: str, port: int, actions: int = ALL_ACTIONS, protocol: int = ALL_PROTOCOL) -> None:
        self.host, self.port, self.actions, self.protocol = host, port, actions, protocol

    async def __aenter__(self) -> FakeMTA:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(p.packet(p.SMFIC_OPTNEG, struct.pack(">III", 6, self.actions, self.protocol)))
        code, data = await p.read_packet(self.reader)
        assert code == p.SMFIC_OPTNEG
        _, self.actions, self.protocol = struct.unpack(">III", data[:12])
        return self

    async def __aexit__(self, *exc) -> None:
        self.writer.write(p.packet(p.SMFIC_QUIT))
        self.writer.close()

    async def _send(self, cmd: bytes, data: bytes = b"") -> bytes | None:
        self.writer.write(p.packet(cmd, data))
        flag = p.NO_REPLY_FLAG.get(cmd)
        if flag and self.protocol & flag:
            return None
        code, _ = await p.read_packet(self.reader)
        return code

    async def send_message(self, raw: bytes, *, ip: str | None = "192.0.2.10", helo: str | None = "mx.example.net",
                           mail_from: str | None = "sender@example.net",
                           rcpts: tuple[str, ...] = ("user@example.org",), abort_first: bool = False,
                           macros: dict[bytes, dict[str, str]] | None = None) -> Result:
        """One SMTP transaction. ip=None connects as from a unix socket (no address); helo=None and
        mail_from=None skip those steps (as an MTA does when the milter asked it to). `macros` maps a
        command (p.SMFIC_CONNECT, p.SMFIC_MAIL, ...) to the macros sent just before it."""
        macros = macros or {}

        def define(cmd: bytes) -> None:
            if cmd in macros:
                items = b"".join(f"{k}\0{v}\0".encode() for k, v in macros[cmd].items())
                self.writer.write(p.packet(p.SMFIC_MACRO, cmd + items))
        define(p.SMFIC_CONNECT)
        if ip is None:
            await self._send(p.SMFIC_CONNECT, b"localhost\0" + b"U")
        else:
            await self._send(p.SMFIC_CONNECT, b"client.example.net\0" + (b"6" if ":" in ip else b"4")
                             + struct.pack(">H", 25000) + ip.encode() + b"\0")
        if helo is not None:
            define(p.SMFIC_HELO)
            await self._send(p.SMFIC_HELO, helo.encode() + b"\0")
        self.writer.write(p.packet(p.SMFIC_MACRO, b"M" + b"i\0TESTQID\0"))
        define(p.SMFIC_MAIL)
        if mail_from is not None:
            await self._send(p.SMFIC_MAIL, f"<{mail_from}>".encode() + b"\0")
        for r in rcpts:
            define(p.SMFIC_RCPT)
            await self._send(p.SMFIC_RCPT, f"<{r}>".encode() + b"\0")
        define(p.SMFIC_DATA)
        await self._send(p.SMFIC_DATA)
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        lines = head.split(b"\n")
        fields: list[bytes] = []
        for line in lines:
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1] += b"\n" + line
            else:
                fields.append(line)
        for f in fields:
            name, _, value = f.partition(b":")
            if self.protocol & p.SMFIP_HDR_LEADSPC:
                pass
            else:
                value = value.lstrip(b" ")
            await self._send(p.SMFIC_HEADER, name + b"\0" + value + b"\0")
        await self._send(p.SMFIC_EOH)
        body = body.replace(b"\n", b"\r\n")
        for i in range(0, len(body), 65535):
            await self._send(p.SMFIC_BODY, body[i:i + 65535])
        self.writer.write(p.packet(p.SMFIC_BODYEOB))
        result = Result()
        while True:
            code, data = await p.read_packet(self.reader)
            result.replies.append((code, data))
            if code in (p.SMFIR_ACCEPT, p.SMFIR_CONTINUE, p.SMFIR_REJECT, p.SMFIR_TEMPFAIL, p.SMFIR_REPLYCODE,
                        p.SMFIR_DISCARD):
                return result

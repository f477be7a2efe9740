"""The SMTP envelope (what the MTA saw) and how to derive it from a delivered message."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailwarden.message import Message

_FOR = re.compile(r"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?", re.I)


@dataclass
class Envelope:
    ip: str | None = None
    helo: str | None = None
    mail_from: str | None = None  # "" is the null reverse-path (bounces)
    rcpt: list[str] = field(default_factory=list)
    derived: bool = False
    # The SMTP AUTH identity the MTA verified (a milter's {auth_authen}), when the client logged in.
    # It drives the submission checks; the verdict's envelope object (CONTRACT) does not carry it.
    auth_user: str | None = None

    def to_dict(self) -> dict:
        return {"ip": self.ip, "helo": self.helo, "mail_from": self.mail_from, "rcpt": list(self.rcpt),
                "derived": self.derived}


def valid_ip(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def receiving_client(msg: Message) -> tuple[str | None, str | None]:
    """(IP, HELO) of the receiving hop, the topmost Received header that names the client at all;
    each None when that header does not give it (both None without such a header). These are
    what `derive_envelope(msg).ip` / `.helo` are when the caller gives neither."""
    i = 0
    while (hop := msg.received_hop(i)) is not None:
        i += 1
        helo, ip = hop.helo, hop.ip
        if ip or helo:
            return ip or None, helo or None
    return None, None


def derive_envelope(msg: Message, given: Envelope | None = None) -> Envelope:
    """Fill what the caller did not give from the receiving hop; mark the result derived."""
    env = Envelope(**given.__dict__) if given else Envelope()
    env.rcpt = list(env.rcpt)
    derived = False
    if env.ip is None or env.helo is None:
        ip, helo = receiving_client(msg)
        if env.ip is None and ip:
            env.ip, derived = ip, True
        if env.helo is None and helo:
            env.helo, derived = helo, True
    if env.mail_from is None:
        rp = msg.header("return-path")
        if rp is not None:
            env.mail_from = rp.strip().strip("<>").strip()
            derived = True
    if not env.rcpt:
        for name in ("x-original-to", "delivered-to"):
            v = msg.header(name)
            if v and "@" in v:
                env.rcpt = [v.strip().strip("<>")]
                derived = True
                break
        else:
            for h in msg.header_fields("received")[:1]:
                m = _FOR.search(h.value)
                if m:
                    env.rcpt = [m.group(1)]
                    derived = True
    env.derived = derived or (given.derived if given else False)
    return env

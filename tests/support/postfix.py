"""A private, loopback-only Postfix instance for end-to-end tests and the throughput benchmark.

Everything lives under one directory: config, queue, data, Maildirs, log. Mail for the
domain `mw.test` is delivered by Postfix's virtual(8) agent into `DIR/mail/<user>/` (Maildir);
nothing is relayed anywhere (`default_transport = error`), no DNS is used.
Needs root (Postfix's master runs as root) and the Debian `postfix` package.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

DOMAIN = "mw.test"
USERS = ("alice", "bob", "quarantine")


def postfix_available() -> str | None:
    """None when usable, else why not."""
    if shutil.which("postfix", path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
        return "the postfix package is not installed"
    if os.geteuid() != 0:
        return "Postfix's master must run as root"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "the postfix user does not exist"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postfix:
    def __init__(self, base: Path, milter: str | None, *, port: int | None = None, extra_main: str = "",
                 process_limit: int = 20) -> None:
        self.base = Path(base)
        self.milter = milter
        self.port = port or free_port()
        self.extra_main = extra_main
        self.process_limit = process_limit
        self.conf = self.base / "etc"
        self.mail = self.base / "mail"
        self.log = self.base / "maillog"

    def _cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        exe = shutil.which(args[0], path="/usr/sbin:/usr/bin") or args[0]
        return subprocess.run([exe, "-c", str(self.conf), *args[1:]], capture_output=True, text=True,
                              check=check, timeout=60)

    def write_config(self) -> None:
        nobody = pwd.getpwnam("nobody")
        # Postfix's daemons run as the postfix user and must traverse every directory above their files,
        # so the base must sit somewhere world-traversable (not under a 0700 temporary directory).
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        for d in (self.conf, self.base / "queue", self.base / "data", self.mail):
            d.mkdir(parents=True, exist_ok=True)
        os.chown(self.mail, nobody.pw_uid, nobody.pw_gid)
        # Postfix refuses a data directory not owned by its mail owner
        pf = pwd.getpwnam("postfix")
        os.chown(self.base / "data", pf.pw_uid, pf.pw_gid)
        (self.conf / "vmailbox").write_text("".join(f"{u}@{DOMAIN} {u}/\n" for u in USERS))
        milter_lines = ""
        if self.milter:
            milter_lines = (f"smtpd_milters = {self.milter}\nnon_smtpd_milters =\nmilter_protocol = 6\n"
                            "milter_default_action = tempfail\nmilter_connect_timeout = 5s\n"
                            "milter_command_timeout = 30s\nmilter_content_timeout = 60s\n"
                            "milter_connect_macros = j {daemon_name} {daemon_addr} v _ {client_addr} {client_name}\n"
                            "milter_end_of_data_macros = i {auth_authen}\n")
        (self.conf / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {self.base / 'queue'}
data_directory = {self.base / 'data'}
maillog_file_prefixes = {self.base}
maillog_file = {self.log}
myhostname = mx.{DOMAIN}
mydomain = {DOMAIN}
myorigin = $myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_host_lookup = native
disable_dns_lookups = yes
smtpd_peername_lookup = no
default_transport = error:outbound mail disabled in this instance
relay_transport = error:outbound mail disabled in this instance
local_transport = error:no local delivery in this instance
virtual_mailbox_domains = {DOMAIN}
virtual_mailbox_base = {self.mail}
virtual_mailbox_maps = texthash:{self.conf / 'vmailbox'}
virtual_uid_maps = static:{nobody.pw_uid}
virtual_gid_maps = static:{nobody.pw_gid}
virtual_minimum_uid = 1
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = {self.process_limit}
biff = no
queue_run_delay = 300s
minimal_backoff_time = 300s
alias_maps =
alias_database =
smtputf8_enable = no
{milter_lines}{self.extra_main}
""")
        (self.conf / "master.cf").write_text(f"""\
127.0.0.1:{self.port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
""")

    def start(self) -> None:
        self.write_config()
        self._cmd("postfix", "start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"postfix did not listen on 127.0.0.1:{self.port}; log:\n{self.log_text()}")

    def stop(self) -> None:
        self._cmd("postfix", "stop", check=False)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def queue(self) -> list[dict]:
        """`postqueue -j`: one dict per queued message (queue_name 'hold' for held ones)."""
        out = self._cmd("postqueue", "-j").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def flush_deferred(self) -> None:
        self._cmd("postqueue", "-f", check=False)

    def maildir(self, user: str) -> list[Path]:
        new = self.mail / user / "new"
        cur = self.mail / user / "cur"
        files = [p for d in (new, cur) if d.is_dir() for p in d.iterdir() if p.is_file()]
        return sorted(files, key=lambda p: p.stat().st_mtime)

    def messages(self, user: str) -> list[Message]:
        return [message_from_bytes(p.read_bytes()) for p in self.maildir(user)]

    def wait_for(self, user: str, count: int, timeout: float = 20.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.maildir(user)) >= count:
                return self.messages(user)
            time.sleep(0.05)
        raise AssertionError(f"{user} has {len(self.maildir(user))} messages, expected {count}; log tail:\n"
                             + "\n".join(self.log_text().splitlines()[-30:]))

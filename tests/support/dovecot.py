"""A private Dovecot IMAP server on loopback for the IMAP guard tests.

One passwd-file user with a Maildir under the instance directory, plaintext login allowed
(loopback only, non-standard port), no TLS. Needs root and the Debian `dovecot-imapd` package.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from support.postfix import free_port

USER, PASSWORD = "alice", "alice-password-123"


def dovecot_available() -> str | None:
    if shutil.which("dovecot", path="/usr/sbin:/usr/bin") is None:
        return "the dovecot-imapd package is not installed"
    if os.geteuid() != 0:
        return "the test Dovecot must start as root"
    for user in ("dovecot", "dovenull"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"the {user} user does not exist"
    return None


class Dovecot:
    def __init__(self, base: Path, port: int | None = None, auth_socket: Path | None = None) -> None:
        """`auth_socket`: also serve Dovecot's SASL authentication there (for Postfix's smtpd)."""
        self.base = Path(base)
        self.port = port or free_port()
        self.auth_socket = auth_socket
        self.proc: subprocess.Popen | None = None
        self.log = self.base / "dovecot.log"

    def write_config(self) -> Path:
        nobody = pwd.getpwnam("nobody")
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)  # login processes run as dovenull and must reach base_dir
        for d in ("run", "state", "mail"):
            (self.base / d).mkdir(exist_ok=True)
        os.chown(self.base / "mail", nobody.pw_uid, nobody.pw_gid)
        users = self.base / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{nobody.pw_uid}:{nobody.pw_gid}::{self.base / 'mail' / USER}::\n")
        conf = self.base / "dovecot.conf"
        auth_service = "" if self.auth_socket is None else f"""\
service auth {{
  unix_listener {self.auth_socket} {{
    mode = 0666
  }}
}}
"""
        conf.write_text(auth_service + f"""\
base_dir = {self.base / 'run'}
state_dir = {self.base / 'state'}
log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
""")
        return conf

    def start(self) -> None:
        conf = self.write_config()
        exe = shutil.which("dovecot", path="/usr/sbin:/usr/bin")
        self.proc = subprocess.Popen([exe, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.proc.stderr.read().decode(errors='replace')}"
                                   f"\n{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen on 127.0.0.1:{self.port}\n{self.log_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

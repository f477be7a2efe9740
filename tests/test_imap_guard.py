"""The IMAP guard against a real Dovecot: keywords, quarantine moves, never deletes, resumes, IDLE.

Dovecot runs from a private config on loopback. Under CI=true a missing Dovecot fails these tests.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient

from mailwarden.config import ConfigError
from mailwarden.frontends.imap import ImapGuard, ImapSettings
from mailwarden.frontends.pool import ScanPool
from support.dovecot import PASSWORD, USER, Dovecot, dovecot_available
from support.services import require
from support.stub_engine import StubEngine

from conftest import make_message

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def dovecot():
    require(dovecot_available(), "Dovecot")
    base = Path(tempfile.mkdtemp(prefix="mailwarden-dovecot-"))
    server = Dovecot(base)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def imap(dovecot) -> IMAPClient:
    c = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=10)
    c.login(USER, PASSWORD)
    return c


def guard_for(dovecot, state: Path, mailbox: str, engine=None, **extra) -> tuple[ImapGuard, StubEngine]:
    engine = engine or StubEngine()
    section = {"quarantine_folder": f"{mailbox}-Quarantine", "idle_seconds": 30.0, "reconnect_seconds": 0.2,
               **extra,
               "accounts": [{"name": "alice", "host": "127.0.0.1", "port": dovecot.port, "ssl": False,
                             "user": USER, "password": PASSWORD, "mailboxes": [mailbox]}]}
    settings = ImapSettings.from_section(section, state_dir=str(state))
    return ImapGuard(ScanPool(engine, workers=0, timeout=5), settings), engine


def mailbox_with(dovecot, mailbox: str, *subjects: str) -> IMAPClient:
    """A logged-in client, after creating `mailbox` and appending one message per subject."""
    c = imap(dovecot)
    c.create_folder(mailbox)
    for s in subjects:
        add(c, mailbox, s)
    return c


def add(c: IMAPClient, mailbox: str, subject: str) -> None:
    c.append(mailbox, make_message({"From": "Svc <svc@example.net>", "To": "alice@example.org",
                                    "Subject": subject, "Message-ID": f"<{time.time_ns()}@example.net>"}))


def contents(c: IMAPClient, mailbox: str) -> dict[str, set[bytes]]:
    c.select_folder(mailbox, readonly=True)
    data = c.fetch(c.search("ALL"), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    out = {}
    for d in data.values():
        subject = d[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().split(":", 1)[1].strip()
        out[subject] = set(d[b"FLAGS"])
    return out


def test_keywords_quarantine_and_nothing_deleted(dovecot, tmp_path):
    c = mailbox_with(dovecot, "t1", "clean one", "ACTION:tag two", "ACTION:quarantine three", "ACTION:reject four",
                     "ACTION:crash five")
    guard, engine = guard_for(dovecot, tmp_path, "t1")
    guard.run_once()
    inbox, quarantine = contents(c, "t1"), contents(c, "t1-Quarantine")
    assert set(inbox) == {"clean one", "ACTION:tag two", "ACTION:crash five"}
    assert set(quarantine) == {"ACTION:quarantine three", "ACTION:reject four"}
    assert b"$MailwardenScanned" in inbox["clean one"] and b"$MailwardenTag" not in inbox["clean one"]
    assert {b"$MailwardenScanned", b"$MailwardenTag"} <= inbox["ACTION:tag two"]
    # the engine crashed on it: failure_action tempfail leaves it unmarked, for the next round
    assert not {f for f in inbox["ACTION:crash five"] if f.startswith(b"$")}
    assert all(b"$Phishing" in flags for flags in quarantine.values())
    assert not any(b"\\Deleted" in f for f in [*inbox.values(), *quarantine.values()])
    assert len(engine.seen) == 5
    c.logout()


class FlakyEngine(StubEngine):
    """Crashes on FLAKY messages while `broken` is set, like a worker dying or an analyzer bug."""

    broken = True

    def scan(self, raw, envelope=None, file=None):
        if self.broken and b"FLAKY" in raw:
            self.seen.append((raw, envelope))
            raise RuntimeError("worker died")
        return super().scan(raw, envelope, file)


def test_a_failed_scan_leaves_the_message_for_the_next_round(dovecot, tmp_path):
    c = mailbox_with(dovecot, "t7", "before", "ACTION:quarantine FLAKY one", "after")
    engine = FlakyEngine()
    guard, _ = guard_for(dovecot, tmp_path, "t7", engine=engine)
    guard.run_once()
    inbox = contents(c, "t7")
    assert not {f for f in inbox["ACTION:quarantine FLAKY one"] if f.startswith(b"$")}  # not marked done
    assert b"$MailwardenScanned" in inbox["before"] and b"$MailwardenScanned" in inbox["after"]
    assert '"last_uid": 1' in (tmp_path / "imap-state.json").read_text()  # never past the failed one
    assert guard.watchers[0].retry_pending
    # a restart (only the state file carries over) tries it again, and only it: "after" was marked
    engine2 = FlakyEngine()
    engine2.broken = False
    guard2, _ = guard_for(dovecot, tmp_path, "t7", engine=engine2)
    guard2.run_once()
    assert [b"FLAKY" in raw for raw, _ in engine2.seen] == [True]
    assert set(contents(c, "t7")) == {"before", "after"}
    assert b"$Phishing" in contents(c, "t7-Quarantine")["ACTION:quarantine FLAKY one"]
    assert '"last_uid": 3' in (tmp_path / "imap-state.json").read_text()
    assert not guard2.watchers[0].retry_pending
    c.logout()


@pytest.mark.parametrize("failure_action", ["accept", "tag"])
def test_failure_action_accept_or_tag_marks_the_message_and_moves_on(dovecot, tmp_path, failure_action):
    folder = f"t6{failure_action}"
    c = mailbox_with(dovecot, folder, "FLAKY one")
    engine = FlakyEngine()
    # the pool's own failure action stays tempfail: the guard's [imap] failure_action decides
    guard, _ = guard_for(dovecot, tmp_path, folder, engine=engine, failure_action=failure_action)
    assert guard.pool.failure_action == "tempfail"
    guard.run_once()
    guard.run_once()
    flags = contents(c, folder)["FLAKY one"]
    assert {b"$MailwardenScanned", b"$MailwardenError"} <= flags
    assert (b"$MailwardenTag" in flags) == (failure_action == "tag")
    assert len(engine.seen) == 1  # not retried
    c.logout()


def test_resumes_after_restart_and_after_uidvalidity_change(dovecot, tmp_path):
    c = mailbox_with(dovecot, "t2", "first")
    guard, engine = guard_for(dovecot, tmp_path, "t2")
    guard.run_once()
    assert len(engine.seen) == 1
    add(c, "t2", "second")
    guard2, engine2 = guard_for(dovecot, tmp_path, "t2")  # a new process: only the state file carries over
    guard2.run_once()
    assert [b"second" in raw for raw, _ in engine2.seen] == [True]
    state = (tmp_path / "imap-state.json").read_text()
    assert '"alice|t2"' in state and '"last_uid": 2' in state
    # the server renumbered the mailbox: everything is looked at again, already-marked messages are skipped
    (tmp_path / "imap-state.json").write_text(state.replace('"uidvalidity": ', '"uidvalidity": 1'))
    guard3, engine3 = guard_for(dovecot, tmp_path, "t2")
    guard3.run_once()
    assert engine3.seen == []
    c.logout()


def test_start_new_skips_existing_messages(dovecot, tmp_path):
    c = mailbox_with(dovecot, "t3", "old")
    guard, engine = guard_for(dovecot, tmp_path, "t3", start="new")
    guard.run_once()
    add(c, "t3", "ACTION:tag new")
    guard.run_once()
    assert [b"new" in raw for raw, _ in engine.seen] == [True]
    c.logout()


@pytest.mark.parametrize("mode", ["idle", "poll"])
def test_new_mail_is_picked_up_and_stop_is_graceful(dovecot, tmp_path, mode):
    folder = f"t4{mode}"
    c = mailbox_with(dovecot, folder)
    extra = {"use_idle": False, "poll_seconds": 0.2} if mode == "poll" else {}
    guard, engine = guard_for(dovecot, tmp_path, folder, **extra)
    thread = threading.Thread(target=guard.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not (tmp_path / "imap-state.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # let the watcher enter IDLE
        add(c, folder, "ACTION:quarantine pushed")
        while time.monotonic() < deadline and "ACTION:quarantine pushed" not in contents(c, f"{folder}-Quarantine"):
            time.sleep(0.1)
        assert "ACTION:quarantine pushed" in contents(c, f"{folder}-Quarantine")
    finally:
        guard.stop()
        thread.join(10)
    assert not thread.is_alive()
    c.logout()


def test_bad_imap_settings(tmp_path):
    acc = {"user": "u", "password": "p"}
    with pytest.raises(ConfigError, match="needs state_dir"):
        ImapSettings.from_section({"accounts": [acc]})
    with pytest.raises(ConfigError, match="at least one"):
        ImapSettings.from_section({}, state_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="password"):
        ImapSettings.from_section({"accounts": [{"user": "u"}]}, state_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="port must be a whole number"):
        ImapSettings.from_section({"accounts": [{**acc, "port": "993"}]}, state_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="start must be"):
        ImapSettings.from_section({"start": "later", "accounts": [acc]}, state_dir=str(tmp_path))


def test_serve_imap_process_marks_new_mail_and_exits_on_sigterm(dovecot, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    c = mailbox_with(dovecot, "t5", "waiting before start")
    src = Path(__file__).resolve().parent.parent / "src"
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text(f"""state_dir = "{tmp_path / 'state'}"
[imap]
idle_seconds = 30
[[imap.accounts]]
name = "alice"
host = "127.0.0.1"
port = {dovecot.port}
ssl = false
user = "{USER}"
password = "{PASSWORD}"
mailboxes = ["t5"]
""")
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen([sys.executable, "-m", "mailwarden", "serve", "imap", "--config", str(cfg)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            flags = contents(c, "t5").get("waiting before start", set())
            if b"$MailwardenScanned" in flags:
                break
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.2)
        assert b"$MailwardenScanned" in contents(c, "t5")["waiting before start"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in proc.stderr.read()
    assert (tmp_path / "state" / "imap-state.json").exists()
    c.logout()

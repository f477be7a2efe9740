"""The IMAP mailbox guard: `mailwarden serve imap --config FILE`.

Watches mailboxes (IDLE when the server offers it, polling otherwise), scans every new
message with the engine, and acts on the verdict without ever deleting anything:

- every scanned message gets the keyword `$MailwardenScanned`, plus `$MailwardenTag` for
  `tag`, `$Phishing` for `quarantine`/`reject`;
- a message the engine could not judge (timeout, crashed worker, internal error) gets the
  configured failure action. `tempfail` (the default) leaves it untouched -- no keyword, not
  counted as handled -- and it is scanned again in the next round (after at most
  `retry_seconds`); `accept` and `tag` mark it `$MailwardenScanned` + `$MailwardenError`
  (`tag` also `$MailwardenTag`) and it is not retried;
- messages whose action is in `quarantine_actions` are moved (IMAP MOVE; COPY when the server
  has no MOVE, leaving the original in place) to the account's quarantine folder.

Resuming: the last handled UID and the mailbox's UIDVALIDITY are kept per account and mailbox
in `<state_dir>/imap-state.json`; it never moves past a message waiting for a retry, so a
restart retries it too. A restart continues after the last UID; a changed
UIDVALIDITY (the server renumbered the mailbox) rescans it, skipping messages that already
carry `$MailwardenScanned`.

Config (`[imap]` and one `[[imap.accounts]]` table per account):
    [imap]
    quarantine_folder = "Quarantine"     # or "Junk"
    start = "all"                        # first run: "all" existing messages, or only "new" ones
    [[imap.accounts]]
    name = "alice"  host = "imap.example.org"  port = 993  ssl = true
    user = "alice@example.org"  password_file = "/etc/mailwarden/alice.pass"
    mailboxes = ["INBOX"]
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import ssl as ssl_module
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailwarden.config import ConfigError
from mailwarden.frontends.pool import ScanPool
from mailwarden.frontends.settings import apply_section
from mailwarden.verdict import Verdict

log = logging.getLogger(__name__)

KW_SCANNED = b"$MailwardenScanned"
KW_TAG = b"$MailwardenTag"
KW_PHISHING = b"$Phishing"
KW_ERROR = b"$MailwardenError"


@dataclass
class Account:
    name: str = ""
    host: str = "127.0.0.1"
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    verify_tls: bool = True
    user: str = ""
    password: str = ""
    password_file: str = ""
    mailboxes: list[str] = field(default_factory=lambda: ["INBOX"])
    quarantine_folder: str = ""  # empty: the [imap] default

    @property
    def key(self) -> str:
        return self.name or f"{self.user}@{self.host}:{self.port}"


@dataclass
class ImapSettings:
    state_dir: str = ""
    workers: int = 0
    timeout: float = 20.0
    failure_action: str = "tempfail"
    quarantine_folder: str = "Quarantine"
    quarantine_actions: list[str] = field(default_factory=lambda: ["quarantine", "reject"])
    start: str = "all"
    batch: int = 50
    poll_seconds: float = 60.0  # when the server has no IDLE (or use_idle = false)
    use_idle: bool = True  # false: always poll (servers whose IDLE misbehaves)
    idle_seconds: float = 600.0  # re-issue IDLE at least this often (RFC 2177: under 29 minutes)
    reconnect_seconds: float = 10.0
    retry_seconds: float = 60.0  # a message whose scan failed with tempfail is tried again this soon
    accounts: list[Account] = field(default_factory=list)

    @classmethod
    def from_section(cls, section: dict, *, state_dir: str | None = None, failure_action: str = "tempfail",
                     source: str = "config") -> ImapSettings:
        s = cls(state_dir=state_dir or "", failure_action=failure_action)
        apply_section(s, section, "imap", source, skip=("accounts",))
        if not s.state_dir:
            raise ConfigError(f"{source}: the IMAP guard needs state_dir (top level or [imap] state_dir) "
                              "to remember where it stopped")
        if s.start not in ("all", "new"):
            raise ConfigError(f"{source}: [imap] start must be \"all\" or \"new\"")
        bad = set(s.quarantine_actions) - {"tag", "quarantine", "reject"}
        if bad:
            raise ConfigError(f"{source}: [imap] quarantine_actions: unknown action(s) {', '.join(sorted(bad))}")
        if s.batch < 1 or min(s.timeout, s.poll_seconds, s.idle_seconds, s.retry_seconds) <= 0:
            raise ConfigError(f"{source}: [imap] batch, timeout, poll_seconds, idle_seconds and retry_seconds "
                              "must be positive")
        accounts = section.get("accounts")
        if not isinstance(accounts, list) or not accounts:
            raise ConfigError(f"{source}: [imap] needs at least one [[imap.accounts]] table")
        for i, entry in enumerate(accounts):
            if not isinstance(entry, dict):
                raise ConfigError(f"{source}: [[imap.accounts]] #{i + 1} must be a table")
            acc = Account()
            apply_section(acc, entry, f"imap.accounts #{i + 1}", source)
            if not acc.user:
                raise ConfigError(f"{source}: [[imap.accounts]] #{i + 1} needs user")
            if acc.password_file:
                try:
                    acc.password = Path(acc.password_file).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ConfigError(f"{source}: [[imap.accounts]] #{i + 1}: cannot read password_file "
                                      f"{acc.password_file}: {exc.strerror or exc}") from None
            if not acc.password:
                raise ConfigError(f"{source}: [[imap.accounts]] #{i + 1} needs password or password_file")
            if not acc.mailboxes:
                raise ConfigError(f"{source}: [[imap.accounts]] #{i + 1} watches no mailboxes")
            s.accounts.append(acc)
        keys = [a.key for a in s.accounts]
        if len(set(keys)) != len(keys):
            raise ConfigError(f"{source}: [[imap.accounts]] names must be unique")
        return s


class StateFile:
    """UIDVALIDITY and last handled UID per account and mailbox, written atomically after every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self.data: dict[str, dict] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.data = {}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"IMAP state file {path} is unreadable: {exc}") from None

    def get(self, key: str) -> dict | None:
        with self._lock:
            entry = self.data.get(key)
            return dict(entry) if entry else None

    def set(self, key: str, uidvalidity: int, last_uid: int) -> None:
        with self._lock:
            self.data[key] = {"uidvalidity": uidvalidity, "last_uid": last_uid}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)


def must_retry(verdict: Verdict) -> bool:
    """A failure verdict under failure_action = tempfail: the message was not judged, so it is not handled."""
    return "engine_error" in verdict.limits and verdict.action == "tempfail"


def keywords_for(verdict: Verdict) -> list[bytes]:
    kws = [KW_SCANNED]
    if "engine_error" in verdict.limits:
        kws.append(KW_ERROR)
    if verdict.action == "tag":
        kws.append(KW_TAG)
    elif verdict.action in ("quarantine", "reject"):
        kws.append(KW_PHISHING)
    return kws


class MailboxWatcher:
    """One account + one mailbox, on its own connection and thread."""

    def __init__(self, guard: ImapGuard, account: Account, mailbox: str) -> None:
        self.guard, self.account, self.mailbox = guard, account, mailbox
        self.key = f"{account.key}|{mailbox}"
        self.quarantine = account.quarantine_folder or guard.settings.quarantine_folder
        self.client: IMAPClient | None = None
        self.scanned = 0
        self.retry_pending = False  # a message of the last round failed with tempfail and waits for a retry

    def connect(self) -> IMAPClient:
        acc = self.account
        context = ssl_module.create_default_context()
        if not acc.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl_module.CERT_NONE
        client = IMAPClient(acc.host, port=acc.port, ssl=acc.ssl, ssl_context=context if acc.ssl else None,
                            timeout=30)
        if acc.starttls and not acc.ssl:
            client.starttls(context)
        client.login(acc.user, acc.password)
        if self.quarantine and not client.folder_exists(self.quarantine):
            try:
                client.create_folder(self.quarantine)
            except IMAPClientError:
                if not client.folder_exists(self.quarantine):  # another watcher may have created it meanwhile
                    raise
        return client

    def run(self) -> None:
        stop = self.guard.stopping
        while not stop.is_set():
            try:
                self.client = self.connect()
                self.watch(self.client)
            except (IMAPClientError, OSError, ssl_module.SSLError) as exc:
                if stop.is_set():
                    break
                log.warning("%s: %s; reconnecting in %gs", self.key, exc, self.guard.settings.reconnect_seconds)
                stop.wait(self.guard.settings.reconnect_seconds)
            finally:
                if self.client is not None:
                    try:
                        self.client.logout()
                    except Exception:  # noqa: BLE001 - the connection may already be gone
                        pass
                    self.client = None

    def watch(self, client: IMAPClient) -> None:
        settings, stop = self.guard.settings, self.guard.stopping
        info = client.select_folder(self.mailbox)
        uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        state = self.guard.state.get(self.key)
        if state is None or state.get("uidvalidity") != uidvalidity:
            if state is not None:
                log.warning("%s: UIDVALIDITY changed (%s -> %s); rescanning, skipping messages already marked",
                            self.key, state.get("uidvalidity"), uidvalidity)
                last = 0
            else:
                last = int(info.get(b"UIDNEXT", 1)) - 1 if settings.start == "new" else 0
            self.guard.state.set(self.key, uidvalidity, last)
        idle = settings.use_idle and b"IDLE" in client.capabilities()
        while not stop.is_set():
            self.process_new(client, uidvalidity)
            if self.guard.once:
                return
            if idle:
                self.wait_idle(client)
            else:
                stop.wait(min(settings.poll_seconds, settings.retry_seconds) if self.retry_pending
                          else settings.poll_seconds)
                client.noop()

    def wait_idle(self, client: IMAPClient) -> None:
        stop, settings = self.guard.stopping, self.guard.settings
        client.idle()
        try:
            wait = min(settings.idle_seconds, settings.retry_seconds) if self.retry_pending else settings.idle_seconds
            deadline = time.monotonic() + wait
            while not stop.is_set() and time.monotonic() < deadline:
                responses = client.idle_check(timeout=1)
                if any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    return
        finally:
            client.idle_done()

    def process_new(self, client: IMAPClient, uidvalidity: int) -> None:
        settings = self.guard.settings
        state = self.guard.state.get(self.key) or {"last_uid": 0}
        last = int(state["last_uid"])
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        # The state only advances past handled messages. After a message that must be retried it stays put
        # for the rest of the round; the messages after it are still scanned and marked, and the next round
        # skips them by their $MailwardenScanned keyword (looked up before their bodies are fetched).
        retry_from: int | None = None
        for i in range(0, len(uids), settings.batch):
            if self.guard.stopping.is_set():
                break  # finish nothing half-way
            chunk = uids[i:i + settings.batch]
            flags = client.fetch(chunk, ["FLAGS"])
            todo = [u for u in chunk if u in flags and KW_SCANNED not in flags[u].get(b"FLAGS", ())]
            bodies = client.fetch(todo, ["BODY.PEEK[]"]) if todo else {}
            for uid in chunk:
                data = bodies.get(uid)
                if data is not None and not self.handle(client, uid, data.get(b"BODY[]") or b""):
                    retry_from = uid if retry_from is None else retry_from
                if retry_from is None:
                    self.guard.state.set(self.key, uidvalidity, uid)
        self.retry_pending = retry_from is not None

    def handle(self, client: IMAPClient, uid: int, raw: bytes) -> bool:
        """Scan one message and act on the verdict; False when it was left untouched for a retry."""
        settings = self.guard.settings
        verdict = self.guard.pool.scan_sync(raw, None, file=f"imap:{self.account.key}/{self.mailbox}/{uid}")
        if "engine_error" in verdict.limits and verdict.action != settings.failure_action:
            # the guard's failure policy, whatever the engine's own config says (as the milter does)
            verdict = dataclasses.replace(verdict, action=settings.failure_action)
        self.guard.count(verdict)
        if must_retry(verdict):
            reason = next((f.evidence[0] for f in verdict.findings if f.evidence), "engine error")
            log.warning("%s uid %d: could not be scanned (%s); left untouched, retried in the next round",
                        self.key, uid, reason)
            return False
        self.scanned += 1
        client.add_flags([uid], keywords_for(verdict))
        if verdict.action in settings.quarantine_actions and self.quarantine and self.quarantine != self.mailbox:
            if client.has_capability("MOVE"):
                client.move([uid], self.quarantine)
            else:
                client.copy([uid], self.quarantine)  # never delete: the original stays, marked
        log.info("%s uid %d: %s score=%.2f %s", self.key, uid, verdict.action, verdict.score,
                 ",".join(f.symbol for f in verdict.reasons(3)))
        return True


class ImapGuard:
    def __init__(self, pool: ScanPool, settings: ImapSettings) -> None:
        self.pool, self.settings = pool, settings
        self.stopping = threading.Event()
        self.state = StateFile(Path(settings.state_dir) / "imap-state.json")
        self.once = False
        self.actions: dict[str, int] = {}
        self._lock = threading.Lock()
        self.watchers = [MailboxWatcher(self, acc, mb) for acc in settings.accounts for mb in acc.mailboxes]

    def count(self, verdict: Verdict) -> None:
        with self._lock:
            self.actions[verdict.action] = self.actions.get(verdict.action, 0) + 1

    def stop(self) -> None:
        """Finish the message being handled, then return from run()."""
        self.stopping.set()

    def run_once(self) -> None:
        """Scan what is new in every mailbox now, then return (tests, cron-style use)."""
        self.once = True
        try:
            for w in self.watchers:
                client = w.connect()
                try:
                    w.watch(client)
                finally:
                    client.logout()
        finally:
            self.once = False

    def run(self) -> None:
        threads = [threading.Thread(target=w.run, name=f"imap:{w.key}", daemon=True) for w in self.watchers]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.5)
            if self.stopping.is_set():
                for t in threads:
                    t.join(self.settings.timeout + 5)
                break

"""The history store: one implementation over a tiny database port (SQLite or PostgreSQL).

SQL here is written once with `?` placeholders and portable syntax (`ON CONFLICT`, `RETURNING`);
the back ends translate placeholders and types. Writes happen in short transactions that take the
write lock first (SQLite `BEGIN IMMEDIATE`, PostgreSQL row locks plus an advisory lock for campaign
assignment), so several scanner processes can record into one store at once.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from mailwarden.store.migrations import MIGRATIONS, statements

MALICIOUS_ACTIONS = ("quarantine", "reject")


class StoreError(ValueError):
    """The store cannot be opened or used."""


class Database(Protocol):
    dialect: str

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]: ...

    def execute(self, sql: str, params: tuple | list = ()) -> None: ...

    def executemany(self, sql: str, rows: list[tuple]) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def campaign_lock(self) -> None: ...

    def size_bytes(self) -> int: ...

    def close(self) -> None: ...


@dataclass
class Settings:
    """`[history]` in the config file. Defaults keep what detection needs for about three months."""

    retention_days: float = 90.0  # messages, indicators, fingerprints, samples
    contact_retention_days: float = 400.0  # "has this sender written before" outlives messages
    campaign_retention_days: float = 365.0  # analyst-marked campaigns without members
    store_subjects: bool = True  # subject variants shown in campaigns; false keeps only a hash
    similarity: float = 0.5  # estimated Jaccard needed to call two texts near-duplicates
    max_pivot_messages: int = 1000  # a pivot value shared by more messages is infrastructure, not a lure
    burst_window_minutes: float = 60.0
    burst_senders: int = 4  # distinct senders sending the same landing page or phone inside the window
    burst_subjects: int = 0  # or this many subject variants from 3+ senders (0: off; list footers trip it)
    first_contact_warmup: int = 200  # messages recorded before "never seen" means anything
    sender_known_after: int = 3  # messages before a sender's usual link domains are known
    template_samples_per_key: int = 50

    @classmethod
    def from_mapping(cls, data: dict) -> Settings:
        s = cls()
        for key, value in data.items():
            if not hasattr(s, key):
                raise ValueError(f"[history] unknown key {key!r}")
            current = getattr(s, key)
            setattr(s, key, type(current)(value))
        return s


@dataclass
class MessageRecord:
    seen: float
    score: float
    action: str
    symbols: list[str] = field(default_factory=list)
    date_header: str | None = None
    message_id: str | None = None
    file: str | None = None
    subject: str | None = None
    from_addr: str | None = None
    from_domain: str | None = None
    auth_domain: str | None = None
    reply_to: str | None = None
    return_path: str | None = None
    platform: str | None = None
    tenant: str | None = None
    signature: bytes | None = None
    html_hash: str | None = None
    bands: list[int] = field(default_factory=list)
    indicators: list[tuple[str, str]] = field(default_factory=list)  # hunt keys
    pivots: list[tuple[str, str]] = field(default_factory=list)  # campaign links (subset of indicators)
    contacts: list[tuple[str, str, str]] = field(default_factory=list)
    link_domains: list[str] = field(default_factory=list)  # foreign registrable domains linked to


@dataclass
class Link:
    msg: int
    campaign: str | None
    kind: str
    value: str
    similarity: float = 1.0


def sending_orgs(return_path: str | None, from_domain: str | None) -> tuple[str | None, str | None]:
    """(organisation of the From domain, organisation of the return path, else of the From domain)."""
    from mailwarden.psl import registrable_domain

    by_from = registrable_domain(from_domain) if from_domain else None
    path = return_path.rsplit("@", 1)[-1] if return_path and "@" in return_path else None
    return by_from, (registrable_domain(path) if path else by_from)


def independent_senders(pairs: set[tuple[str | None, str | None]], enough: int = 64) -> int:
    """Size of a maximum matching between From and return-path organisations (Kuhn's algorithm),
    stopping at `enough`."""
    adj: dict[str, list[str]] = {}
    for a, b in pairs:
        if a and b:
            adj.setdefault(a, []).append(b)
    owner: dict[str, str] = {}

    def augment(a: str, seen: set[str]) -> bool:
        for b in adj[a]:
            if b in seen:
                continue
            seen.add(b)
            if b not in owner or augment(owner[b], seen):
                owner[b] = a
                return True
        return False

    size = 0
    for a in adj:
        if augment(a, set()):
            size += 1
            if size >= enough:
                break
    return size


def _ph(n: int) -> str:
    return ",".join("?" * n)


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class HistoryStore:
    """History, campaigns, sender contacts and template samples behind one interface."""

    def __init__(self, db: Database, settings: Settings | None = None) -> None:
        self.db = db
        self.settings = settings or Settings()
        self.readonly = False  # set while the engine scans without recording (eval, bench)
        self.migrate()

    # --- lifecycle ------------------------------------------------------------------------------------
    def migrate(self) -> None:
        with self.db.transaction():
            self.db.campaign_lock()
            have = self.db.query("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='meta'") \
                if self.db.dialect == "sqlite" else \
                self.db.query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                              "AND table_name='meta'")
            version = 0
            if have[0][0]:
                row = self.db.query("SELECT value FROM meta WHERE key='schema_version'")
                version = int(row[0][0]) if row else 0
            for number, _title, stmts in MIGRATIONS:
                if number <= version:
                    continue
                for sql in statements(self.db.dialect, stmts):
                    self.db.execute(sql)
                self._set_meta("schema_version", str(number))

    def schema_version(self) -> int:
        row = self.db.query("SELECT value FROM meta WHERE key='schema_version'")
        return int(row[0][0]) if row else 0

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                        "excluded.value", (key, value))

    def _meta(self, key: str) -> str | None:
        row = self.db.query("SELECT value FROM meta WHERE key=?", (key,))
        return row[0][0] if row else None

    def close(self) -> None:
        self.db.close()

    def size_bytes(self) -> int:
        return self.db.size_bytes()

    def message_count(self) -> int:
        return int(self.db.query("SELECT COUNT(*) FROM messages")[0][0])

    def max_message_id(self) -> int:
        """How many messages were ever recorded (ids only grow): cheap, unlike COUNT(*)."""
        return int(self.db.query("SELECT COALESCE(MAX(id), 0) FROM messages")[0][0] or 0)

    # --- reading for detection -----------------------------------------------------------------------
    def find_links(self, signature: bytes | None, bands: list[int], pivots: list[tuple[str, str]],
                   per_band: int = 8, hits: dict[tuple[str, str], int] | None = None) -> list[Link]:
        """Earlier messages this one is linked to: near-duplicate text, or a shared exact pivot.
        `hits`, when given, receives how many earlier messages carried each pivot (capped)."""
        from mailwarden.campaigns import signature_id, similarity

        links: list[Link] = []
        if signature is not None and bands:
            # One round trip; each band contributes only its most recent messages, so a huge benign
            # cluster (a newsletter) costs the same as a small one.
            sql = " UNION ALL ".join(f"SELECT msg FROM (SELECT msg FROM lsh_bands WHERE band=? ORDER BY msg DESC "
                                     f"LIMIT {int(per_band)}) b{i}" for i in range(len(bands)))
            cand = {int(r[0]) for r in self.db.query(sql, list(bands))}
            if cand:
                rows = self.db.query(f"SELECT id, campaign, signature FROM messages WHERE id IN ({_ph(len(cand))})",
                                     sorted(cand))
                for mid, camp, sig in rows:
                    if sig is None:
                        continue
                    sim = similarity(signature, bytes(sig))
                    if sim >= self.settings.similarity:
                        links.append(Link(int(mid), camp, "text", signature_id(bytes(sig)), sim))
        cap = self.settings.max_pivot_messages
        # Every pivot in one round trip: a UNION ALL of the per-pivot queries, each tagged with its
        # position and keeping its own ORDER BY ... LIMIT; rows are regrouped per pivot, newest first.
        found: dict[int, list[tuple[float, int, str | None]]] = {}
        for start in range(0, len(pivots), 100):
            chunk = pivots[start:start + 100]
            sql = " UNION ALL ".join(
                f"SELECT {start + j}, msg, campaign, seen FROM (SELECT i.msg, m.campaign, i.seen FROM indicators i "
                f"JOIN messages m ON m.id = i.msg WHERE i.kind=? AND i.value=? ORDER BY i.seen DESC LIMIT ?) p{j}"
                for j in range(len(chunk)))
            params: list = []
            for kind, value in chunk:
                params += [kind, value, cap + 1]
            for pos, mid, camp, seen in self.db.query(sql, params):
                found.setdefault(int(pos), []).append((seen, mid, camp))
        for pos, (kind, value) in enumerate(pivots):
            # Newest first, as each subquery returned them (a stable sort keeps the database's order on ties).
            rows = [(mid, camp) for _seen, mid, camp in sorted(found.get(pos, ()), key=lambda r: -r[0])]
            if hits is not None:
                hits[(kind, value)] = len(rows)
            if len(rows) > cap:
                continue  # shared by too many messages to say anything about this one
            # Members of one campaign share the pivot: a handful of rows names every campaign involved.
            seen_campaigns: set[str | None] = set()
            for mid, camp in rows:
                if camp in seen_campaigns and camp is not None:
                    continue
                seen_campaigns.add(camp)
                links.append(Link(int(mid), camp, kind, value))
        return links

    def resolve(self, campaign: str) -> str:
        for _ in range(20):  # merges chain; a bounded walk
            row = self.db.query("SELECT new FROM campaign_aliases WHERE old=?", (campaign,))
            if not row:
                return campaign
            campaign = row[0][0]
        return campaign

    def campaign_info(self, campaign: str) -> dict | None:
        cid = self.resolve(campaign)
        row = self.db.query("SELECT id, first_seen, last_seen, size, verdict, verdict_source FROM campaigns "
                            "WHERE id=?", (cid,))
        if not row:
            return None
        cid, first, last, size, verdict, source = row[0]
        return {"id": cid, "first_seen": first, "last_seen": last, "size": int(size), "verdict": verdict,
                "verdict_source": source}

    def burst(self, kind: str, value: str, since: float, org: tuple[str | None, str | None] | None = None,
              subject: str | None = None) -> tuple[int, int, int]:
        """(distinct sending organisations, distinct subjects, earlier messages) carrying this indicator
        since `since`, counting the current message's organisation and subject in.

        Each message is a pair (From organisation, return-path organisation); independent senders are
        the largest set of messages that share neither (a bipartite matching). A mailing list (many
        authors, one list server) and a newsletter (one brand, bounce domains per recipient) count
        once; a campaign through many hijacked mailboxes counts each of them.
        `org` is the current message's `sending_orgs(...)`.
        """
        rows = self.db.query(
            "SELECT DISTINCT m.return_path, m.from_domain, m.subject FROM indicators i "
            "JOIN messages m ON m.id = i.msg WHERE i.kind=? AND i.value=? AND i.seen >= ? LIMIT 5000",
            (kind, value, since))
        pairs = {sending_orgs(r[0], r[1]) for r in rows} | ({org} if org else set())
        subject = self._subject(subject)
        subjects = {r[2] for r in rows if r[2]} | ({subject} if subject else set())
        n = self.db.query("SELECT COUNT(*) FROM indicators WHERE kind=? AND value=? AND seen >= ?",
                          (kind, value, since))[0][0]
        return independent_senders(pairs), len(subjects), int(n or 0)

    def contact_count(self, kind: str, a: str, b: str = "") -> int:
        row = self.db.query("SELECT n FROM contacts WHERE kind=? AND a=? AND b=?", (kind, a, b))
        return int(row[0][0]) if row else 0

    def contact_values(self, kind: str, a: str, limit: int = 200) -> list[str]:
        return [r[0] for r in self.db.query("SELECT b FROM contacts WHERE kind=? AND a=? ORDER BY n DESC LIMIT ?",
                                            (kind, a, limit))]

    # --- template samples (platform analyzer) --------------------------------------------------------
    def template_samples(self, key: str, limit: int = 20) -> list[dict]:
        rows = self.db.query("SELECT sample FROM template_samples WHERE key=? ORDER BY id DESC LIMIT ?",
                             (key, limit))
        return [json.loads(r[0]) for r in rows]

    def add_template_sample(self, key: str, sample: dict) -> None:
        if self.readonly:
            return
        keep = self.settings.template_samples_per_key
        with self.db.transaction():
            self.db.execute("INSERT INTO template_samples (key, seen, sample) VALUES (?, ?, ?)",
                            (key, time.time(), json.dumps(sample, ensure_ascii=False, default=str)))
            self.db.execute("DELETE FROM template_samples WHERE key=? AND id NOT IN (SELECT id FROM "
                            "template_samples WHERE key=? ORDER BY id DESC LIMIT ?)", (key, key, keep))

    # --- recording -------------------------------------------------------------------------------------
    def record(self, rec: MessageRecord, links: list[Link]) -> tuple[int, str | None]:
        """Store one verdict and join (or found) its campaign. Returns (message row id, campaign id)."""
        subject = self._subject(rec.subject)
        with self.db.transaction():
            mid = self.db.query(
                "INSERT INTO messages (seen, date_header, message_id, file, subject, from_addr, from_domain, "
                "auth_domain, reply_to, return_path, platform, tenant, score, action, symbols, signature, "
                "html_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (rec.seen, rec.date_header, rec.message_id, rec.file, subject, rec.from_addr, rec.from_domain,
                 rec.auth_domain, rec.reply_to, rec.return_path, rec.platform, rec.tenant, rec.score, rec.action,
                 json.dumps(rec.symbols), rec.signature, rec.html_hash))[0][0]
            mid = int(mid)
            if rec.indicators:
                self.db.executemany("INSERT INTO indicators (msg, kind, value, seen) VALUES (?,?,?,?)",
                                    [(mid, k, v, rec.seen) for k, v in dict.fromkeys(rec.indicators)])
            if rec.bands:
                self.db.executemany("INSERT INTO lsh_bands (band, msg) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                    [(b, mid) for b in rec.bands])
            if rec.contacts:
                self.db.executemany("INSERT INTO contacts (kind, a, b, first_seen, last_seen, n) "
                                    "VALUES (?,?,?,?,?,1) ON CONFLICT (kind, a, b) DO UPDATE SET "
                                    "last_seen = excluded.last_seen, n = contacts.n + 1",
                                    [(k, a, b, rec.seen, rec.seen) for k, a, b in dict.fromkeys(rec.contacts)])
            campaign = self._assign(mid, rec, links) if links else None
        return mid, campaign

    def _subject(self, subject: str | None) -> str | None:
        if subject is None or self.settings.store_subjects:
            return subject
        import xxhash

        return "#" + xxhash.xxh3_64_hexdigest(subject.encode("utf-8"))

    def _assign(self, mid: int, rec: MessageRecord, links: list[Link]) -> str | None:
        self.db.campaign_lock()  # campaign creation and merges are serialised across processes
        ids = sorted({lk.msg for lk in links})
        # Re-read: another process may have assigned these messages since we looked.
        current = {int(r[0]): r[1] for r in self.db.query(
            f"SELECT id, campaign FROM messages WHERE id IN ({_ph(len(ids))})", ids)}
        if not current:
            return None  # linked messages expired meanwhile
        camps = {self.resolve(c) for c in current.values() if c}
        rows = self.db.query(f"SELECT id, created FROM campaigns WHERE id IN ({_ph(len(camps))})",
                             sorted(camps)) if camps else []
        existing = sorted(rows, key=lambda r: (r[1], r[0]))
        if existing:
            target = existing[0][0]
            for other, _created in existing[1:]:
                self._merge(other, target)
        else:
            target = "cmp-" + secrets.token_hex(6)
            self.db.execute("INSERT INTO campaigns (id, created, first_seen, last_seen, size) VALUES (?,?,?,?,0)",
                            (target, rec.seen, rec.seen, rec.seen))
        loose = [i for i, c in current.items() if not c or self.resolve(c) != target]
        for i in loose + [mid]:
            self.db.execute("UPDATE messages SET campaign=? WHERE id=?", (target, i))
        pivots = list(dict.fromkeys((lk.kind, lk.value) for lk in links if lk.msg in current))
        if any(k == "text" for k, _ in pivots) and self.db.query(
                "SELECT 1 FROM campaign_pivots WHERE campaign=? AND kind='text' LIMIT 1", (target,)):
            # One text fingerprint names the campaign's wording; more would only list its members.
            pivots = [(k, v) for k, v in pivots if k != "text"]
        else:
            texts = [p for p in pivots if p[0] == "text"]
            pivots = [p for p in pivots if p[0] != "text"] + texts[:1]
        self.db.executemany("INSERT INTO campaign_pivots (campaign, kind, value) VALUES (?,?,?) "
                            "ON CONFLICT DO NOTHING", [(target, k, v) for k, v in pivots])
        # Counted incrementally: a recount per message would read the whole campaign every time.
        seen = [r[0] for r in self.db.query(f"SELECT seen FROM messages WHERE id IN ({_ph(len(loose) + 1)})",
                                            loose + [mid])]
        self.db.execute("UPDATE campaigns SET size = size + ?, first_seen = CASE WHEN first_seen < ? THEN "
                        "first_seen ELSE ? END, last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END "
                        "WHERE id=?", (len(seen), min(seen), min(seen), max(seen), max(seen), target))
        if rec.action in MALICIOUS_ACTIONS:
            self.db.execute("UPDATE campaigns SET verdict='malicious', verdict_source='auto', verdict_at=? "
                            "WHERE id=? AND verdict='unknown'", (rec.seen, target))
        return target

    def _merge(self, other: str, target: str) -> None:
        self.db.execute("UPDATE messages SET campaign=? WHERE campaign=?", (target, other))
        self.db.execute("INSERT INTO campaign_pivots (campaign, kind, value) SELECT ?, kind, value FROM "
                        "campaign_pivots WHERE campaign=? ON CONFLICT DO NOTHING", (target, other))
        self.db.execute("DELETE FROM campaign_pivots WHERE campaign=?", (other,))
        row = self.db.query("SELECT verdict, verdict_source, verdict_at FROM campaigns WHERE id=?", (other,))
        if row and row[0][0] == "malicious":
            # A malicious half makes the whole malicious; an analyst's word outranks the automatic one.
            self.db.execute("UPDATE campaigns SET verdict='malicious', verdict_source=?, verdict_at=? WHERE id=? "
                            "AND (verdict <> 'malicious' OR verdict_source <> 'analyst')",
                            (row[0][1], row[0][2], target))
        self.db.execute("UPDATE campaigns SET size = size + (SELECT size FROM campaigns WHERE id=?), "
                        "first_seen = CASE WHEN first_seen < (SELECT first_seen FROM campaigns WHERE id=?) THEN "
                        "first_seen ELSE (SELECT first_seen FROM campaigns WHERE id=?) END, "
                        "last_seen = CASE WHEN last_seen > (SELECT last_seen FROM campaigns WHERE id=?) THEN "
                        "last_seen ELSE (SELECT last_seen FROM campaigns WHERE id=?) END WHERE id=?",
                        (other, other, other, other, other, target))
        self.db.execute("DELETE FROM campaigns WHERE id=?", (other,))
        self.db.execute("UPDATE campaign_aliases SET new=? WHERE new=?", (target, other))
        self.db.execute("INSERT INTO campaign_aliases (old, new) VALUES (?, ?) ON CONFLICT (old) DO UPDATE "
                        "SET new = excluded.new", (other, target))

    def _refresh(self, campaign: str) -> None:
        n, first, last = self.db.query("SELECT COUNT(*), MIN(seen), MAX(seen) FROM messages WHERE campaign=?",
                                       (campaign,))[0]
        if n:
            self.db.execute("UPDATE campaigns SET size=?, first_seen=?, last_seen=? WHERE id=?",
                            (int(n), first, last, campaign))
        else:
            self.db.execute("UPDATE campaigns SET size=0 WHERE id=?", (campaign,))

    # --- analyst actions -------------------------------------------------------------------------------
    def mark_campaign(self, campaign: str, verdict: str, added_weight: float, action_for: Any,
                      reason: str) -> tuple[str, int]:
        """Judge a campaign and re-score its members. Earlier scores stay; each re-score is a new row."""
        if verdict not in ("malicious", "benign"):
            raise ValueError("verdict must be malicious or benign")
        cid = self.resolve(campaign)
        now = time.time()
        with self.db.transaction():
            self.db.campaign_lock()
            if not self.db.query("SELECT 1 FROM campaigns WHERE id=?", (cid,)):
                raise KeyError(campaign)
            self.db.execute("UPDATE campaigns SET verdict=?, verdict_source='analyst', verdict_at=? WHERE id=?",
                            (verdict, now, cid))
            members = self.db.query("SELECT id, score, symbols FROM messages WHERE campaign=?", (cid,))
            for mid, score, symbols in members:
                already = "CAMPAIGN_MARKED_MALICIOUS" in json.loads(symbols)
                new = float(score) + (added_weight if verdict == "malicious" and not already else 0.0)
                self.db.execute("INSERT INTO rescores (msg, at, score, action, reason) VALUES (?,?,?,?,?)",
                                (mid, now, new, action_for(new), reason))
        return cid, len(members)

    # --- listing and hunting --------------------------------------------------------------------------
    def campaigns(self, limit: int = 1000, min_size: int = 2) -> list[dict]:
        rows = self.db.query("SELECT id FROM campaigns WHERE size >= ? ORDER BY last_seen DESC LIMIT ?",
                             (min_size, limit))
        return [self.campaign(r[0]) for r in rows]

    def campaign(self, campaign: str, max_members: int = 500) -> dict | None:
        info = self.campaign_info(campaign)
        if info is None:
            return None
        cid = info["id"]
        order = {"url": 0, "phone": 1, "reply_to": 2, "attachment": 3, "text": 4}
        pivots = [{"kind": k, "value": v} for k, v in sorted(self.db.query(
            "SELECT kind, value FROM campaign_pivots WHERE campaign=?", (cid,)),
            key=lambda kv: (order.get(kv[0], 9), kv[1]))]
        members = self.db.query("SELECT message_id, file, seen, subject, from_addr, date_header FROM messages "
                                "WHERE campaign=? ORDER BY seen, id LIMIT ?", (cid, max_members))
        subjects = list(dict.fromkeys(m[3] for m in members if m[3]))
        senders = list(dict.fromkeys(m[4] for m in members if m[4]))
        return {"id": cid, "size": info["size"], "first_seen": _iso(info["first_seen"]),
                "last_seen": _iso(info["last_seen"]), "verdict": info["verdict"],
                "verdict_source": info["verdict_source"], "pivots": pivots, "subjects": subjects,
                "senders": senders,
                "members": [{"message_id": m[0], "file": m[1], "seen": _iso(m[2]), "date": m[5]} for m in members]}

    def hunt(self, kind: str, value: str, limit: int = 1000) -> list[dict]:
        if kind == "campaign":
            where, params = "m.campaign=?", [self.resolve(value)]
        elif kind == "sender":
            v = value.lower()
            if "@" in v:
                where, params = "(m.from_addr=? OR m.reply_to=? OR m.return_path=?)", [v, v, v]
            else:
                where, params = "(m.from_domain=? OR m.auth_domain=?)", [v, v]
        else:
            where = "m.id IN (SELECT msg FROM indicators WHERE kind=? AND value=?)"
            params = [kind, value]
        rows = self.db.query(
            "SELECT m.id, m.seen, m.message_id, m.file, m.subject, m.from_addr, m.reply_to, m.score, m.action, "
            f"m.campaign FROM messages m WHERE {where} ORDER BY m.seen DESC, m.id DESC LIMIT ?", params + [limit])
        out = []
        for mid, seen, msgid, file, subject, from_addr, reply_to, score, action, camp in rows:
            history = [{"at": _iso(at), "score": round(float(s), 3), "action": a, "reason": r}
                       for at, s, a, r in self.db.query("SELECT at, score, action, reason FROM rescores WHERE msg=? "
                                                        "ORDER BY id", (mid,))]
            out.append({"seen": _iso(seen), "message_id": msgid, "file": file, "subject": subject,
                        "from": from_addr, "reply_to": reply_to, "score": round(float(score), 3), "action": action,
                        "current_action": history[-1]["action"] if history else action,
                        "campaign": self.resolve(camp) if camp else None, "rescores": history})
        return out

    # --- retention ------------------------------------------------------------------------------------
    def expire(self, now: float | None = None) -> dict[str, int]:
        """Delete what is older than the retention settings. Returns counts per table."""
        now = time.time() if now is None else now
        s = self.settings
        cutoff = now - s.retention_days * 86400
        counts: dict[str, int] = {}
        with self.db.transaction():
            self.db.campaign_lock()
            from mailwarden.campaigns import lsh_bands

            old = self.db.query("SELECT id, signature FROM messages WHERE seen < ?", (cutoff,))
            counts["messages"] = len(old)
            touched: set[str] = set()
            for i in range(0, len(old), 500):
                chunk = [int(r[0]) for r in old[i:i + 500]]
                ph = _ph(len(chunk))
                touched.update(r[0] for r in self.db.query(
                    f"SELECT DISTINCT campaign FROM messages WHERE id IN ({ph}) AND campaign IS NOT NULL", chunk))
                self.db.executemany("DELETE FROM lsh_bands WHERE band=? AND msg=?",
                                    [(b, int(mid)) for mid, sig in old[i:i + 500] if sig is not None
                                     for b in lsh_bands(bytes(sig))])
                for table, col in (("indicators", "msg"), ("rescores", "msg"), ("messages", "id")):
                    self.db.execute(f"DELETE FROM {table} WHERE {col} IN ({ph})", chunk)
            for cid in touched:
                self._refresh(cid)
            keep_marked = now - s.campaign_retention_days * 86400
            gone = [r[0] for r in self.db.query(
                "SELECT id FROM campaigns WHERE size = 0 AND (verdict_source IS NULL OR verdict_source <> 'analyst' "
                "OR verdict_at < ?)", (keep_marked,))]
            for cid in gone:
                self.db.execute("DELETE FROM campaign_pivots WHERE campaign=?", (cid,))
                self.db.execute("DELETE FROM campaigns WHERE id=?", (cid,))
                self.db.execute("DELETE FROM campaign_aliases WHERE new=?", (cid,))
            counts["campaigns"] = len(gone)
            ccut = now - s.contact_retention_days * 86400
            counts["contacts"] = len(self.db.query("SELECT 1 FROM contacts WHERE last_seen < ?", (ccut,)))
            self.db.execute("DELETE FROM contacts WHERE last_seen < ?", (ccut,))
            counts["template_samples"] = len(self.db.query("SELECT 1 FROM template_samples WHERE seen < ?",
                                                           (cutoff,)))
            self.db.execute("DELETE FROM template_samples WHERE seen < ?", (cutoff,))
            self._set_meta("last_expiry", repr(now))
        return counts

    def expire_if_due(self, every_seconds: float = 3600.0) -> None:
        last = self._meta("last_expiry")
        if last is None or time.time() - float(last) >= every_seconds:
            self.expire()

    def rows(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        """Read-only access for tools and tests."""
        yield from self.db.query(sql, params)

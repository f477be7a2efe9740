"""Schema migrations, one list for both back ends.

Each migration is a list of statements with dialect placeholders: {ID} (auto-increment primary key),
{BLOB}, {REAL}, {BIGINT}, {CLUSTERED} (SQLite WITHOUT ROWID: the primary key is the table). Migrations run in one locked transaction, so several scanner processes
opening a fresh store at once apply each migration exactly once. Never edit a released migration:
append a new one.
"""

from __future__ import annotations

DIALECTS = {
    "sqlite": {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB": "BLOB", "REAL": "REAL", "BIGINT": "INTEGER",
               "CLUSTERED": "WITHOUT ROWID"},
    "postgresql": {"ID": "BIGSERIAL PRIMARY KEY", "BLOB": "BYTEA", "REAL": "DOUBLE PRECISION",
                   "BIGINT": "BIGINT", "CLUSTERED": ""},
}

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "history, indicators, LSH bands, campaigns, contacts, template samples, rescores", [
        # One row per scanned message: what detection needs, no bodies.
        """CREATE TABLE messages (
            id {ID},
            seen {REAL} NOT NULL,
            date_header TEXT,
            message_id TEXT,
            file TEXT,
            subject TEXT,
            from_addr TEXT,
            from_domain TEXT,
            auth_domain TEXT,
            reply_to TEXT,
            return_path TEXT,
            platform TEXT,
            tenant TEXT,
            score {REAL} NOT NULL,
            action TEXT NOT NULL,
            symbols TEXT NOT NULL,
            signature {BLOB},
            html_hash TEXT,
            campaign TEXT)""",
        "CREATE INDEX messages_seen ON messages (seen)",
        "CREATE INDEX messages_campaign ON messages (campaign)",
        "CREATE INDEX messages_from ON messages (from_addr)",
        "CREATE INDEX messages_reply_to ON messages (reply_to)",
        # Pivots and hunt keys: url (landing key), domain, phone, reply_to, attachment, sender.
        """CREATE TABLE indicators (
            msg {BIGINT} NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            seen {REAL} NOT NULL)""",
        "CREATE INDEX indicators_kv ON indicators (kind, value, seen)",
        "CREATE INDEX indicators_msg ON indicators (msg)",
        # The shared LSH index: one row per (band key, message), clustered on the key. Expiry recomputes
        # a message's band keys from its signature, so no second index is needed.
        "CREATE TABLE lsh_bands (band {BIGINT} NOT NULL, msg {BIGINT} NOT NULL, PRIMARY KEY (band, msg)) {CLUSTERED}",
        """CREATE TABLE campaigns (
            id TEXT PRIMARY KEY,
            created {REAL} NOT NULL,
            first_seen {REAL} NOT NULL,
            last_seen {REAL} NOT NULL,
            size {BIGINT} NOT NULL DEFAULT 0,
            verdict TEXT NOT NULL DEFAULT 'unknown',
            verdict_source TEXT,
            verdict_at {REAL})""",
        """CREATE TABLE campaign_pivots (
            campaign TEXT NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (campaign, kind, value)) {CLUSTERED}""",
        # Merged campaigns keep answering to their old id.
        "CREATE TABLE campaign_aliases (old TEXT PRIMARY KEY, new TEXT NOT NULL)",
        # Who has written before: (addr, address, ''), (link, sender, domain), (platform_rt, key, reply_to).
        """CREATE TABLE contacts (
            kind TEXT NOT NULL,
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            first_seen {REAL} NOT NULL,
            last_seen {REAL} NOT NULL,
            n {BIGINT} NOT NULL,
            PRIMARY KEY (kind, a, b)) {CLUSTERED}""",
        "CREATE INDEX contacts_last_seen ON contacts (last_seen)",
        """CREATE TABLE template_samples (
            id {ID},
            key TEXT NOT NULL,
            seen {REAL} NOT NULL,
            sample TEXT NOT NULL)""",
        "CREATE INDEX template_samples_key ON template_samples (key, id)",
        # Later judgements of a message (a campaign marked malicious); the original row is never changed.
        """CREATE TABLE rescores (
            id {ID},
            msg {BIGINT} NOT NULL,
            at {REAL} NOT NULL,
            score {REAL} NOT NULL,
            action TEXT NOT NULL,
            reason TEXT NOT NULL)""",
        "CREATE INDEX rescores_msg ON rescores (msg)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]),
]


def statements(dialect: str, stmts: list[str]) -> list[str]:
    subst = DIALECTS[dialect]
    return [s.format(**subst) for s in stmts]


LATEST = MIGRATIONS[-1][0]

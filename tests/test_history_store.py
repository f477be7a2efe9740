"""The history store behaves the same on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

from mailwarden.campaigns import lsh_bands, text_minhash
from mailwarden.store import HistoryStore, MessageRecord, Settings, open_store
from mailwarden.store.migrations import LATEST

TEXT = ("We noticed that your mailbox has reached ninety percent of its storage quota and incoming "
        "messages are being held on the server until you confirm your account at the secure portal.")


def _pg_dsn() -> str | None:
    dsn = os.environ.get("MAILWARDEN_TEST_PG_DSN")
    if not dsn:
        env = Path(__file__).resolve().parent.parent / ".services" / "postgresql.env"
        if env.exists():
            for line in env.read_text().splitlines():
                if line.startswith("MAILWARDEN_TEST_PG_DSN="):
                    dsn = line.split("=", 1)[1].strip()
    return dsn


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store(request, tmp_path):
    settings = Settings(first_contact_warmup=0)
    if request.param == "sqlite":
        from mailwarden.store.sqlite import SQLiteDatabase

        s = HistoryStore(SQLiteDatabase(str(tmp_path / "h.sqlite3")), settings)
        yield s
        s.close()
        return
    dsn = _pg_dsn()
    if not dsn:
        _pg_unavailable("MAILWARDEN_TEST_PG_DSN is not set (start .ci/services/postgresql.sh)")
    import psycopg

    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _pg_unavailable(str(exc))
    schema = "t_" + secrets.token_hex(6)  # a schema per test: tests never see each other's rows
    admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in dsn else "?"
    from mailwarden.store.postgresql import PostgresDatabase

    s = HistoryStore(PostgresDatabase(f"{dsn}{sep}options=-csearch_path%3D{schema}"), settings)
    yield s
    s.close()
    admin.execute(f"DROP SCHEMA {schema} CASCADE")
    admin.close()


def rec(text: str = TEXT, *, seen: float | None = None, pivots=(), action: str = "accept", score: float = 1.0,
        sender: str = "a@one.test", subject: str = "s") -> MessageRecord:
    sig = text_minhash(text)
    r = MessageRecord(seen=seen or time.time(), score=score, action=action, from_addr=sender, subject=subject,
                      from_domain=sender.split("@")[1],
                      signature=sig, bands=lsh_bands(sig) if sig else [], message_id=f"<{secrets.token_hex(4)}@t>")
    r.pivots = list(pivots)
    r.indicators = list(pivots) + [("sender", sender)]
    return r


def add(store: HistoryStore, r: MessageRecord) -> tuple[int, str | None]:
    return store.record(r, store.find_links(r.signature, r.bands, r.pivots))


def test_migrations_are_applied_once(store):
    assert store.schema_version() == LATEST
    store.migrate()  # a second process opening the same store
    assert store.schema_version() == LATEST


def test_near_duplicates_join_one_campaign_and_strangers_do_not(store):
    _, c1 = add(store, rec(TEXT.replace("ninety", "ninety-five")))
    assert c1 is None  # alone: no campaign yet
    _, c2 = add(store, rec(TEXT.replace("secure", "protected"), sender="b@two.test"))
    assert c2 is not None
    _, c3 = add(store, rec("an entirely different note about lunch on friday with the whole team at noon "
                           "in the usual place near the office, bring your own drinks please"))
    assert c3 is None
    info = store.campaign(c2)
    assert info["size"] == 2
    assert info["pivots"][0]["kind"] == "text"
    assert set(info["senders"]) == {"a@one.test", "b@two.test"}


def test_exact_pivot_links_different_texts_and_merges_campaigns(store):
    url = ("url", "evil.example/login")
    _, a = add(store, rec("first text " * 3 + TEXT, pivots=[("phone", "+18005550100")]))
    _, b = add(store, rec("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
                          "incididunt ut labore et dolore magna aliqua", pivots=[("phone", "+18005550100"), url]))
    assert b is not None
    _, c = add(store, rec("ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip "
                          "ex ea commodo consequat duis aute irure", pivots=[("reply_to", "x@evil.test")]))
    _, d = add(store, rec("duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu "
                          "fugiat nulla pariatur excepteur sint occaecat", pivots=[("reply_to", "x@evil.test")]))
    assert d is not None and d != b
    # One message sharing a pivot with each campaign merges them; the old id keeps answering.
    _, e = add(store, rec("sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium "
                          "doloremque laudantium totam rem aperiam", pivots=[url, ("reply_to", "x@evil.test")]))
    assert e == b
    assert store.resolve(d) == b
    assert store.campaign(d)["size"] == 5
    assert {p["kind"] for p in store.campaign(b)["pivots"]} == {"phone", "url", "reply_to"}


def test_quarantined_member_makes_campaign_malicious(store):
    add(store, rec(pivots=[("url", "x.example/a")]))
    _, c = add(store, rec(pivots=[("url", "x.example/a")], action="quarantine", score=12))
    assert store.campaign_info(c)["verdict"] == "malicious"
    assert store.campaign_info(c)["verdict_source"] == "auto"


def test_marking_rescores_members_and_keeps_history(store):
    add(store, rec(pivots=[("url", "x.example/a")], score=3.0))
    _, c = add(store, rec(pivots=[("url", "x.example/a")], score=4.0))
    cid, n = store.mark_campaign(c, "malicious", 10.0, lambda s: "quarantine" if s >= 9 else "accept", "analyst")
    assert (cid, n) == (c, 2)
    rows = store.hunt("campaign", c)
    assert {r["action"] for r in rows} == {"accept"}  # what was decided then is never overwritten
    assert {r["current_action"] for r in rows} == {"quarantine"}
    assert sorted(r["rescores"][0]["score"] for r in rows) == [13.0, 14.0]
    store.mark_campaign(c, "benign", 10.0, lambda s: "quarantine" if s >= 9 else "accept", "analyst")
    rows = store.hunt("campaign", c)
    assert all(len(r["rescores"]) == 2 for r in rows)
    assert store.campaign_info(c)["verdict"] == "benign"
    with pytest.raises(KeyError):
        store.mark_campaign("cmp-nope", "malicious", 1.0, lambda s: "accept", "x")


def test_hunt_by_indicator_and_sender(store):
    add(store, rec(pivots=[("phone", "+18005550100")], sender="bad@evil.test"))
    add(store, rec("a message about something else entirely, with enough words to be fingerprinted "
                   "and compared to the others in this store", sender="good@fine.test"))
    assert [r["from"] for r in store.hunt("phone", "+18005550100")] == ["bad@evil.test"]
    assert len(store.hunt("sender", "bad@evil.test")) == 1
    assert store.hunt("phone", "+18005550199") == []


def test_burst_counts_senders_and_subjects_in_window(store):
    now = time.time()
    for i in range(3):
        add(store, rec(pivots=[("url", "x.example/a")], sender=f"s@t{i}.test", subject=f"subj {i}", seen=now - 60))
    # A mailing list: many authors, one return path (the list server) - one sending organisation.
    for i in range(3):
        r = rec(pivots=[("url", "x.example/a")], sender=f"a{i}@author{i}.test", subject=f"list {i}", seen=now - 30)
        r.return_path = "bounces@lists.example"
        add(store, r)
    add(store, rec(pivots=[("url", "x.example/a")], sender="old@t9.test", subject="old", seen=now - 7200))
    # A newsletter: one brand, a bounce address per recipient - one sending organisation too.
    for i in range(3):
        r = rec(pivots=[("url", "x.example/a")], sender="news@brand.test", subject=f"issue {i}", seen=now - 20)
        r.return_path = f"b-{i}@bounce{i}.test"
        add(store, r)
    orgs, subjects, n = store.burst("url", "x.example/a", now - 3600, ("new.test", "new.test"), "subj new")
    assert (orgs, subjects, n) == (6, 10, 9)


def test_retention_expires_old_messages_and_their_traces(store):
    old = time.time() - 200 * 86400
    add(store, rec(pivots=[("url", "x.example/a")], seen=old))
    add(store, rec(pivots=[("url", "x.example/a")], seen=old + 1))
    add(store, rec("a recent and unrelated message with enough words to have a fingerprint of its own "
                   "in the history store for this test", pivots=[("phone", "+18005550100")]))
    store.record(MessageRecord(seen=old, score=0, action="accept", contacts=[("from", "gone@old.test", "")]), [])
    counts = store.expire()
    assert counts["messages"] == 3
    assert store.message_count() == 1
    assert store.hunt("url", "x.example/a") == []
    assert store.contact_count("from", "gone@old.test") == 1  # contacts live longer than messages
    assert counts["campaigns"] == 1
    assert store.campaigns() == []
    assert [r[0] for r in store.rows("SELECT COUNT(*) FROM lsh_bands")] == [16]


def test_template_samples_are_bounded_per_key(store):
    store.settings.template_samples_per_key = 3
    for i in range(5):
        store.add_template_sample("microsoft:tenant", {"i": i, "fields": ["a", "b"]})
    got = store.template_samples("microsoft:tenant")
    assert [s["i"] for s in got] == [4, 3, 2]
    assert store.template_samples("microsoft:tenant", limit=1) == [{"i": 4, "fields": ["a", "b"]}]
    assert store.template_samples("other") == []
    store.readonly = True
    store.add_template_sample("microsoft:tenant", {"i": 9})
    assert store.template_samples("microsoft:tenant", limit=1)[0]["i"] == 4


def test_open_store_is_stateless_without_state(tmp_path):
    assert open_store(None) is None
    s = open_store(str(tmp_path / "state"))
    assert (tmp_path / "state" / "history.sqlite3").exists()
    assert s.db.query("PRAGMA journal_mode")[0][0] == "wal"
    s.close()


def test_subjects_can_be_kept_as_hashes_only(store):
    store.settings.store_subjects = False
    now = time.time()
    add(store, rec(pivots=[("url", "x.example/a")], subject="Your invoice 42", seen=now))
    row = list(store.rows("SELECT subject FROM messages"))
    assert row[0][0].startswith("#") and "invoice" not in row[0][0]
    _, subjects, _ = store.burst("url", "x.example/a", now - 60, ("t.test", "t.test"), "Your invoice 42")
    assert subjects == 1


@pytest.mark.services
def test_engine_records_into_postgresql_from_config():
    dsn = _pg_dsn()
    if not dsn:
        _pg_unavailable("MAILWARDEN_TEST_PG_DSN is not set (start .ci/services/postgresql.sh)")
    import random

    import psycopg

    from history_mailgen import campaign_variant
    from mailwarden.config import config_from_dict
    from mailwarden.engine import Engine

    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _pg_unavailable(str(exc))
    schema = "t_" + secrets.token_hex(6)
    admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in dsn else "?"
    try:
        cfg = config_from_dict({"store": {"dsn": f"{dsn}{sep}options=-csearch_path%3D{schema}"}})
        engines = [Engine(config=cfg), Engine(config=cfg)]  # two nodes, one database
        assert engines[0].store.db.dialect == "postgresql"
        rng = random.Random(4)
        verdicts = [engines[i % 2].scan(campaign_variant(i, rng)) for i in range(6)]
        cids = {v.campaign for v in verdicts[1:]}
        assert len(cids) == 1 and None not in cids
        assert engines[1].store.campaign(cids.pop())["size"] == 6
        for e in engines:
            e.store.close()
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()

"""Per-message cost of history (recording, campaign matching, first contact) against the stateless engine.

    python bench/store_bench.py [--records 1000000] [--messages 2000] [--state DIR] [--dsn postgresql://…]

Fills a store directly with --records generated records (bench/store_fill.py; skipped when --state
already holds them), then scans the same --messages generated messages (a campaign mixed into
unrelated mail) with a stateless engine and with the engine recording into the filled store.
Prints one JSON object: ms per message for both, their ratio, added ms, store bytes per record.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from store_fill import fill  # noqa: E402

from history_mailgen import campaign_variant, unrelated  # noqa: E402
from mailwarden.config import Config  # noqa: E402
from mailwarden.engine import Engine  # noqa: E402
from mailwarden.store import open_store  # noqa: E402


def cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def checkpoint(store) -> None:
    """Fold the SQLite WAL into the database file so sizes are the store's, not the journal's."""
    if store.db.dialect == "sqlite":
        store.db.query("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(engine: Engine, msgs: list[bytes]) -> tuple[float, float, list[float]]:
    lat = []
    c0, t0 = cpu(), time.perf_counter()
    for raw in msgs:
        t = time.perf_counter()
        engine.scan(raw)
        lat.append((time.perf_counter() - t) * 1000)
    wall, used = time.perf_counter() - t0, cpu() - c0
    return wall * 1000 / len(msgs), used * 1000 / len(msgs), sorted(lat)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--state")
    ap.add_argument("--dsn")
    ap.add_argument("--dns-zone", help="answer DNS from this zone file (an empty {} makes every name NXDOMAIN)")
    args = ap.parse_args()
    resolver = None
    if args.dns_zone:
        from mailwarden.dns import load_zone

        resolver = load_zone(args.dns_zone)
    state = args.state or tempfile.mkdtemp(prefix="mw-bench-")
    store = open_store(state, dsn=args.dsn)
    out: dict = {"backend": store.db.dialect}
    have = store.max_message_id()
    if have < args.records:
        out.update(fill(store, args.records - have))
    out["records"] = store.max_message_id()
    checkpoint(store)
    out["store_bytes"] = store.size_bytes()
    out["store_bytes_per_record"] = round(out["store_bytes"] / max(1, out["records"]), 1)
    store.close()

    rng = random.Random(out["records"])  # fresh messages on every run against the same store
    msgs = [campaign_variant(i, rng) if i % 20 == 0 else unrelated(i, rng) for i in range(args.messages)]
    stateless = Engine(resolver=resolver)
    timed(stateless, msgs[:50])  # warm caches and imports
    s_wall, s_cpu, s_lat = timed(stateless, msgs)
    cfg = Config(sections={"store": {"dsn": args.dsn}} if args.dsn else {})
    stateful = Engine(config=cfg, state_dir=state, resolver=resolver)
    checkpoint(stateful.store)
    before = stateful.store.size_bytes()
    h_wall, h_cpu, h_lat = timed(stateful, msgs)
    checkpoint(stateful.store)
    added = stateful.store.size_bytes() - before
    out.update({
        "messages": len(msgs),
        "stateless_ms_per_msg": round(s_wall, 3), "stateless_cpu_ms_per_msg": round(s_cpu, 3),
        "history_ms_per_msg": round(h_wall, 3), "history_cpu_ms_per_msg": round(h_cpu, 3),
        "history_p95_ms": round(h_lat[int(len(h_lat) * 0.95)], 3),
        "added_ms_per_msg": round(h_wall - s_wall, 3),
        "ratio": round(h_wall / s_wall, 2),
        "bytes_added_per_scanned_msg": round(added / len(msgs), 1),
        "analyzers": [a.name for a in stateful.analyzers],
    })
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()

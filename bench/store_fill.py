"""Fill a history store directly with generated records (no scanning), for the store benchmark.

    python bench/store_fill.py STATE_DIR [--records 1000000] [--dsn postgresql://…]

Each record looks like a recorded verdict: a MinHash signature with its 16 LSH band keys, 2–6
indicators (landing URL and domain, sender, sometimes a phone or Reply-To), a sender contact and a
link-domain contact. 2 % of records belong to campaigns of 30 near-duplicates sharing a landing page.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

import numpy as np

from mailwarden.campaigns import NUM_PERM, lsh_bands
from mailwarden.store import open_store


def fill(store, n: int, seed: int = 1, now: float | None = None, batch: int = 20_000) -> dict:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    now = time.time() if now is None else now
    db = store.db
    t0 = time.perf_counter()
    start_id = store.max_message_id() + 1
    camp_base = None
    done = 0
    while done < n:
        k = min(batch, n - done)
        sigs = nrng.integers(0, 2**32, size=(k, NUM_PERM), dtype=np.uint64).astype("<u4")
        msgs, inds, bands, contacts = [], [], [], []
        for j in range(k):
            mid = start_id + done + j
            seen = now - rng.random() * 60 * 86400
            in_campaign = rng.random() < 0.02
            if in_campaign:
                if camp_base is None or rng.random() < 1 / 30:
                    camp_base = sigs[j].copy()
                    camp_url = f"lure{rng.randrange(10**9)}.example/login"
                sig = camp_base.copy()
                flip = nrng.integers(0, NUM_PERM, size=12)
                sig[flip] = nrng.integers(0, 2**32, size=12, dtype=np.uint64).astype("<u4")
                url = camp_url
            else:
                sig = sigs[j]
                url = f"site{rng.randrange(200_000)}.example/p/{rng.randrange(1000)}"
            sb = sig.tobytes()
            sender = f"user{rng.randrange(300_000)}@dom{rng.randrange(50_000)}.example"
            dom = url.split("/", 1)[0]
            msgs.append((mid, seen, f"<{mid}@gen>", f"subject {rng.randrange(10**6)}", sender,
                         sender.split("@")[1], 1.0, "accept", "[]", sb))
            inds += [(mid, "url", url, seen), (mid, "domain", dom, seen), (mid, "sender", sender, seen)]
            if rng.random() < 0.05:
                inds.append((mid, "phone", f"+1800{rng.randrange(10**7):07d}", seen))
            if rng.random() < 0.1:
                inds.append((mid, "reply_to", f"r{rng.randrange(10**6)}@free.example", seen))
            bands += [(b, mid) for b in lsh_bands(sb)]
            contacts += [("from", sender, "", seen, seen), ("link", sender, dom, seen, seen)]
        with db.transaction():
            cur = db.conn.cursor() if db.dialect == "sqlite" else db.conn.cursor()
            ph = "?" if db.dialect == "sqlite" else "%s"

            def many(sql: str, rows: list, cur=cur, ph=ph) -> None:
                cur.executemany(sql.replace("?", ph), rows)

            many("INSERT INTO messages (id, seen, message_id, subject, from_addr, from_domain, score, action, "
                 "symbols, signature) VALUES (?,?,?,?,?,?,?,?,?,?)", msgs)
            many("INSERT INTO indicators (msg, kind, value, seen) VALUES (?,?,?,?)", inds)
            many("INSERT INTO lsh_bands (band, msg) VALUES (?,?)", bands)
            many("INSERT INTO contacts (kind, a, b, first_seen, last_seen, n) VALUES (?,?,?,?,?,1) "
                 "ON CONFLICT (kind, a, b) DO UPDATE SET n = contacts.n + 1", contacts)
        done += k
    if db.dialect == "postgresql":
        db.execute("SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT MAX(id) FROM messages))")
        db.execute("ANALYZE")
    # SQLite: no ANALYZE. With most messages outside any campaign its statistics would make the
    # campaign index look useless; without them the planner uses it, as a fresh store does.
    return {"records": n, "fill_seconds": round(time.perf_counter() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("state")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--dsn")
    args = ap.parse_args()
    store = open_store(args.state, dsn=args.dsn)
    out = fill(store, args.records)
    out["store_bytes"] = store.size_bytes()
    out["bytes_per_record"] = round(out["store_bytes"] / max(1, store.max_message_id()), 1)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()

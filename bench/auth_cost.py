"""Cost of the auth analyzer per message, in process (never run as a test).

Scans a folder with the `headers` analyzer alone and with `headers,auth`, once with DNS disabled
(the no-network path must stay well under a millisecond) and once with the given zone file, and
prints one JSON object per configuration:  python bench/auth_cost.py [DIR] [--dns-zone FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def measure(raws: list[bytes], analyzers: list[str], resolver: object, providers: list[str]) -> dict:
    from mailwarden.config import config_from_dict
    from mailwarden.engine import Engine

    eng = Engine(config=config_from_dict({"trusted_upstream": providers}), resolver=resolver, analyzers=analyzers)
    for raw in raws[:20]:  # warm caches and lazy imports
        eng.scan(raw)
    t0, c0 = time.perf_counter(), time.process_time()
    for raw in raws:
        eng.scan(raw)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"analyzers": ",".join(analyzers), "messages": len(raws), "wall_ms_per_msg": round(wall * 1000 / len(raws), 3),
            "cpu_ms_per_msg": round(cpu * 1000 / len(raws), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--dns-zone", help="zone file for the with-DNS run (default: DNS disabled only)")
    ap.add_argument("--trust-upstream", default="", help="comma list of providers")
    ap.add_argument("--limit", type=int, default=3000)
    args = ap.parse_args()
    folder = Path(args.directory)
    if not folder.exists():
        sys.exit(f"no such folder: {folder}")
    sys.path.insert(0, str(REPO / "src"))
    from mailwarden.dns import NullResolver, load_zone

    raws = [p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in (".eml", "")][: args.limit]
    providers = [p for p in args.trust_upstream.split(",") if p]
    runs = [("no-dns", NullResolver())]
    if args.dns_zone:
        runs.append((f"zone:{args.dns_zone}", load_zone(args.dns_zone)))
    for label, resolver in runs:
        base = measure(raws, ["headers"], resolver, providers)
        full = measure(raws, ["headers", "auth"], resolver, providers)
        print(json.dumps({"dns": label, "trust_upstream": providers, "baseline": base, "with_auth": full,
                          "auth_cpu_ms_per_msg": round(full["cpu_ms_per_msg"] - base["cpu_ms_per_msg"], 3)}))


if __name__ == "__main__":
    main()

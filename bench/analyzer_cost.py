"""Per-analyzer CPU cost over a folder of messages (thread time, so a busy machine inflates it less).

Scans every message with the full engine (DNS off unless --dns), timing message parsing, each
analyzer's analyze() and the verdict/finalize step separately. The first pass warms caches as a
long-running engine would; the second is reported.

Usage: PYTHONPATH=src python bench/analyzer_cost.py [DIR] [--trust-upstream microsoft,google,proton]
  -> a table of ms per message, largest first, and the total
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mailwarden.config import load_config
from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.message import Message

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--trust-upstream", default="microsoft,google,proton")
    ap.add_argument("--state", default=None)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    if not Path(args.directory).is_dir():
        sys.exit(f"no such folder: {args.directory} (give the corpus folder as the first argument)")
    cfg = load_config(None)
    cfg.sections["dns"] = {**cfg.section("dns"), "enabled": False}
    eng = Engine(config=cfg, trusted_upstream=args.trust_upstream.split(",") if args.trust_upstream else [],
                 state_dir=args.state)
    eng.record_history = False
    raws = [f.read_bytes() for f in sorted(Path(args.directory).rglob("*"))
            if f.is_file() and f.name not in ("README.md", "MANIFEST.csv")]
    if not raws:
        sys.exit(f"no messages in {args.directory}")
    for _round in range(args.rounds):
        spent = {a.name: 0.0 for a in eng.analyzers}
        spent["(parse)"] = spent["(verdict)"] = 0.0
        for raw in raws:
            t0 = time.thread_time()
            msg = Message.parse(raw, eng.limits)
            ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 30)
            spent["(parse)"] += time.thread_time() - t0
            for a in eng.analyzers:
                t0 = time.thread_time()
                ctx.findings.extend(a.analyze(msg, ctx) or ())
                spent[a.name] += time.thread_time() - t0
            t0 = time.thread_time()
            _ = msg.subject, msg.message_id
            eng._verdict(msg, ctx)
            spent["(verdict)"] += time.thread_time() - t0
    n = len(raws)
    total = sum(spent.values())
    for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{name:>14} {s / n * 1000:7.3f} ms/msg")
    print(f"{'total':>14} {total / n * 1000:7.3f} ms/msg  ({n / total:.0f} msgs/s on one core, {n} messages)")


if __name__ == "__main__":
    main()

"""Engine throughput over a folder of messages (default: ../shared/corpus), never run as a test.

Runs `mailwarden bench` for the parser alone and for the full pipeline, on one and two workers,
and prints one JSON object per configuration (plus a short table). Rerun it before and after
touching the hot path:  python bench/throughput.py [DIR] [--trust-upstream microsoft,google,proton]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(directory: str, analyzers: str, jobs: int, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "mailwarden", "bench", directory, "--json", "--analyzers", analyzers,
           "--jobs", str(jobs), *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--trust-upstream", default="microsoft,google,proton")
    ap.add_argument("--jobs", default="1,2", help="comma list of worker counts")
    ap.add_argument("--dns", action="store_true",
                    help="ask the configured DNS resolver while timing (off by default: engine cost only)")
    args = ap.parse_args()
    if not Path(args.directory).exists():
        sys.exit(f"no such folder: {args.directory}")
    extra = ["--trust-upstream", args.trust_upstream] if args.trust_upstream else []
    if args.dns:
        extra.append("--dns")
    rows = []
    for analyzers in ("none", "all"):
        for jobs in (int(j) for j in args.jobs.split(",")):
            rep = run(args.directory, analyzers, jobs, extra)
            rows.append(rep)
            print(json.dumps(rep), flush=True)
    print(f"\n{'analyzers':>9} {'jobs':>4} {'msgs/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms':>7} {'rss MB':>7}",
          file=sys.stderr)
    for r in rows:
        print(f"{r['analyzers']:>9} {r['jobs']:>4} {r['msgs_per_s']:>8} {r['p50_ms']:>7} {r['p99_ms']:>7} "
              f"{r['cpu_ms_per_msg']:>7} {r['peak_rss_mb']:>7}", file=sys.stderr)


if __name__ == "__main__":
    main()

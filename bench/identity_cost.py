"""Per-message CPU cost (thread time, so a busy machine does not inflate it) of the identity-layer analyzers
(headers, identity, routing), parsing excluded.

Usage: PYTHONPATH=src python bench/identity_cost.py DIR [DIR...]   -> JSON {"messages", "ms_per_msg": {...}}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.message import Message


def main() -> None:
    eng = Engine(analyzers=["headers", "identity", "routing"])
    raws = [f.read_bytes() for d in sys.argv[1:] for f in sorted(Path(d).iterdir()) if f.is_file()]
    spent = {a.name: 0.0 for a in eng.analyzers}
    for _ in range(2):  # the first round warms caches (brand skeletons, PSL) like a long-running engine
        spent = {a.name: 0.0 for a in eng.analyzers}
        for raw in raws:
            msg = Message.parse(raw, eng.limits)
            ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 30)
            for a in eng.analyzers:
                t0 = time.thread_time()
                ctx.findings.extend(a.analyze(msg, ctx) or ())
                spent[a.name] += time.thread_time() - t0
    n = max(len(raws), 1)
    per = {k: round(v * 1000 / n, 4) for k, v in spent.items()}
    per["total"] = round(sum(spent.values()) * 1000 / n, 4)
    # Uncached lookalike checks (the links analyzer calls brands.lookalike per link domain).
    from mailwarden.brands import default_index

    idx = default_index()
    names = [f"login-{i}-secure-portal{i % 97}.example" for i in range(5000)]
    t0 = time.thread_time()
    for n in names:
        idx._lookalike(n)
    lookalike_us = (time.thread_time() - t0) * 1e6 / len(names)
    print(json.dumps({"messages": len(raws), "ms_per_msg": per, "lookalike_us_uncached": round(lookalike_us, 1)}))


if __name__ == "__main__":
    main()

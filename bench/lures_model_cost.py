"""Per-message cost of the lures and model analyzers on already-parsed messages (JSON on stdout).

    PYTHONPATH=src python bench/lures_model_cost.py CORPUS_DIR [--state DIR] [--limit N]

Parsing and HTML rendering are done (and cached on the message) before timing, so the figures
are what these analyzers add to a scan. Without --state the model analyzer is idle.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.inputs import iter_inputs
from mailwarden.message import Message


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--state")
    ap.add_argument("--limit", type=int, default=2000)
    args = ap.parse_args()
    engine = Engine(state_dir=args.state, analyzers=["headers", "lures", "model"])
    headers, lures, model = (engine.analyzer(n) for n in ("headers", "lures", "model"))
    msgs = []
    for item in iter_inputs([args.corpus]):
        if item.data is not None:
            msgs.append(Message.parse(item.data))
        if len(msgs) >= args.limit:
            break
    for m in msgs:
        _ = m.visible_text, m.html
    times: dict[str, list[float]] = {"lures": [], "model": []}
    for m in msgs:
        ctx = ScanContext(engine=engine, envelope=derive_envelope(m, None), deadline=time.monotonic() + 60)
        list(headers.analyze(m, ctx))
        for name, analyzer in (("lures", lures), ("model", model)):
            t0 = time.perf_counter()
            list(analyzer.analyze(m, ctx))
            times[name].append((time.perf_counter() - t0) * 1000)
    out = {"messages": len(msgs), "corpus": str(Path(args.corpus)), "model_loaded": model.model is not None}
    for name, ts in times.items():
        out[name] = {"mean_ms": round(sum(ts) / max(1, len(ts)), 3), "p50_ms": round(percentile(ts, 0.5), 3),
                     "p95_ms": round(percentile(ts, 0.95), 3), "p99_ms": round(percentile(ts, 0.99), 3)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

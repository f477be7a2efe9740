"""Per-folder figures for the identity/routing/lookalike symbols alone (not the whole engine).

Usage: PYTHONPATH=src python bench/identity_fpr.py CORPUS_DIR [--trust-upstream microsoft,google,proton]
Prints JSON: per folder, messages, how many the identity-layer symbols alone would tag (sum of their
weights >= the policy's tag threshold), and each symbol's firing rate. Also the per-message cost of
the three analyzers (headers, identity, routing), measured around their analyze() calls.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.message import Message
from mailwarden.symbols import builtin_catalogue

MINE = {"headers", "identity", "routing"}


def main() -> None:
    root = Path(sys.argv[1])
    trust = sys.argv[sys.argv.index("--trust-upstream") + 1].split(",") if "--trust-upstream" in sys.argv else []
    eng = Engine(trusted_upstream=trust)
    cat = builtin_catalogue()
    groups = {"headers", "identity", "routing"}
    tag = eng.policy.thresholds.get("tag", 5.0)
    out: dict = {}
    total_t, total_n = 0.0, 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        n = flagged = 0
        counts: Counter = Counter()
        for f in sorted(folder.iterdir()):
            raw = f.read_bytes()
            msg = Message.parse(raw, eng.limits)
            ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 30)
            for a in eng.analyzers:
                t0 = time.perf_counter()
                ctx.findings.extend(a.analyze(msg, ctx) or ())
                if a.name in MINE:
                    total_t += time.perf_counter() - t0
            total_n += 1
            syms = {x.symbol for x in ctx.findings if x.symbol in cat and cat[x.symbol].group in groups}
            counts.update(syms)
            score = sum(eng.policy.weight(s, cat) for s in syms)
            # our own composites (policy.d/identity.toml) over our symbols only
            from mailwarden.findings import Finding

            mine = [Finding(s, s, [s]) for s in sorted(syms)]
            for comp, _parts in eng.policy.apply_composites(mine, {}):
                if comp.name.startswith("IDENTITY_"):
                    score += comp.weight
                    counts[comp.name] += 1
            n += 1
            flagged += score >= tag
        out[folder.name] = {"n": n, "flagged_by_identity_alone": flagged,
                            "symbol_rates": {s: round(c / n, 4) for s, c in counts.most_common()}}
    out["_cost_ms_per_msg"] = round(total_t * 1000 / max(total_n, 1), 4)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""Per-message CPU cost (thread time, so a busy machine does not inflate it) of the links and html
analyzers, parsing excluded; the HTML parse they share is counted in whichever runs first (html).

Usage: PYTHONPATH=src python bench/content_cost.py DIR [DIR...]
  -> JSON {"messages", "with_html", "parse_ms_per_msg", "ms_per_msg": {"html", "links"}, "html_build_ms_per_doc"}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.htmltext import _build
from mailwarden.message import Message


def main() -> None:
    eng = Engine(analyzers=["headers", "html", "links"])
    raws = [f.read_bytes() for d in sys.argv[1:] for f in sorted(Path(d).rglob("*")) if f.is_file()]
    spent: dict[str, float] = {}
    parse = 0.0
    htmls: list[str] = []
    for rnd in range(2):  # the first round warms the URL caches like a long-running engine
        spent = {a.name: 0.0 for a in eng.analyzers}
        parse = 0.0
        for raw in raws:
            t0 = time.thread_time()
            msg = Message.parse(raw, eng.limits)
            ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 30)
            parse += time.thread_time() - t0
            for a in eng.analyzers:
                t0 = time.thread_time()
                ctx.findings.extend(a.analyze(msg, ctx) or ())
                spent[a.name] += time.thread_time() - t0
            if rnd and msg.html:
                htmls.append(msg.html)
    t0 = time.thread_time()
    for h in htmls:
        _build(h)
    build = time.thread_time() - t0
    n = max(len(raws), 1)
    print(json.dumps({"messages": len(raws), "with_html": len(htmls),
                      "parse_ms_per_msg": round(parse / n * 1000, 3),
                      "ms_per_msg": {k: round(v / n * 1000, 3) for k, v in spent.items() if k != "headers"},
                      "html_build_ms_per_doc": round(build / max(len(htmls), 1) * 1000, 3)}))


if __name__ == "__main__":
    main()

"""`mailwarden eval`: flagged rates per labelled folder, TPR at fixed FPR, top symbols, mistakes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailwarden.frontends.cli import app
from mailwarden.frontends.cli.common import (
    ConfigOpt,
    FromOpt,
    HeloOpt,
    IpOpt,
    PolicyOpt,
    RcptOpt,
    StateOpt,
    TrustOpt,
    ZoneOpt,
    engine_options,
    err_console,
    fail,
    user_errors,
)
from mailwarden.inputs import iter_inputs
from mailwarden.runner import Runner

FPR_TARGETS = ("0.01", "0.005", "0.001")


def threshold_at_fpr(neg_scores: list[float], pos_scores: list[float], target: float) -> dict:
    """Lowest threshold whose false-positive rate on the negatives stays at or below target."""
    candidates = sorted(set(neg_scores) | set(pos_scores))
    best = {"threshold": None, "tpr": 0.0, "fpr": 0.0}
    n_neg, n_pos = len(neg_scores) or 1, len(pos_scores) or 1
    for t in candidates + [float("inf")]:
        fpr = sum(s >= t for s in neg_scores) / n_neg
        if fpr <= target:
            tpr = sum(s >= t for s in pos_scores) / n_pos
            best = {"threshold": t if t != float("inf") else None, "tpr": round(tpr, 4), "fpr": round(fpr, 4)}
            break
    return best


def evaluate(scores: dict[str, list[tuple[str, float, bool, list[str]]]], positive: list[str],
             negative: list[str]) -> dict:
    folders, top, mis = {}, {}, []
    pos_scores, neg_scores = [], []
    pooled = {"positive": {"n": 0, "flagged": 0}, "negative": {"n": 0, "flagged": 0}}
    for name, rows in sorted(scores.items()):
        kind = "positive" if name in positive else "negative" if name in negative else "other"
        n, flagged = len(rows), sum(r[2] for r in rows)
        folders[name] = {"n": n, "flagged": flagged, "rate": round(flagged / n, 4) if n else 0.0, "kind": kind}
        counts = Counter(sym for r in rows for sym in set(r[3]))
        top[name] = [[sym, round(c / n, 4)] for sym, c in counts.most_common(10)] if n else []
        if kind == "other":
            continue
        pooled[kind]["n"] += n
        pooled[kind]["flagged"] += flagged
        (pos_scores if kind == "positive" else neg_scores).extend(r[1] for r in rows)
        mis.extend(r[0] for r in rows if r[2] != (kind == "positive"))
    for k in pooled.values():
        k["rate"] = round(k["flagged"] / k["n"], 4) if k["n"] else 0.0
    sweep = {t: threshold_at_fpr(neg_scores, pos_scores, float(t)) for t in FPR_TARGETS}
    return {"folders": folders, "pooled": pooled, "tpr_at_fpr": sweep, "top_symbols": top,
            "misclassified": sorted(mis)}


def plot(scores: dict[str, list], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    for name, rows in sorted(scores.items()):
        vals = [r[1] for r in rows]
        if vals:
            ax.hist(vals, bins=40, histtype="step", linewidth=1.5, label=f"{name} (n={len(vals)})", density=True)
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title("mailwarden score distribution per folder")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


@app.command("eval")
def eval_(
    directory: Annotated[str, typer.Argument(help="Folder of labelled subfolders.")],
    positive: Annotated[str, typer.Option("--positive", help="Comma list of positive folders.")] = "phish,trusted_abuse",
    negative: Annotated[str, typer.Option("--negative", help="Comma list of negative folders.")] =
    "ham,ham_modern,trusted_legit",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot_file: Annotated[str | None, typer.Option("--plot", help="Write a PNG of score distributions.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    record: Annotated[bool, typer.Option("--record", help="Record into --state history (default: use a copy).")]
    = False,
    policy: PolicyOpt = None, config: ConfigOpt = None, state: StateOpt = None, trust_upstream: TrustOpt = None,
    dns_zone: ZoneOpt = None, ip: IpOpt = None, helo: HeloOpt = None, mail_from: FromOpt = None,
    rcpt: RcptOpt = None,
) -> None:
    """Measure detection on labelled folders (flagged = tag, quarantine or reject)."""
    root = Path(directory)
    if not root.is_dir():
        fail(f"{directory} is not a directory")
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not subdirs:
        fail(f"{directory} has no labelled subfolders")
    with user_errors():
        opts = engine_options(policy, config, state, trust_upstream, dns_zone, ip, helo, mail_from, rcpt,
                              record=record)
        runner = Runner(opts, jobs)
    scores: dict[str, list] = {}
    errors = 0
    try:
        for sub in subdirs:
            rows = scores.setdefault(sub.name, [])
            for res in runner.run(iter_inputs([str(sub)])):
                if res.verdict is None:
                    errors += 1
                    err_console.print(f"[red]error:[/] {res.error}", highlight=False)
                    continue
                v = res.verdict
                rows.append((res.label, v.score, v.flagged, [f.symbol for f in v.findings if f.weight > 0]))
    finally:
        runner.close()
    report = evaluate(scores, positive.split(","), negative.split(","))
    if plot_file:
        plot(scores, plot_file)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    if errors:
        raise typer.Exit(3)


def print_report(report: dict) -> None:
    console = Console()
    table = Table(title="flagged per folder")
    for col in ("folder", "kind", "messages", "flagged", "rate"):
        table.add_column(col, justify="right" if col in ("messages", "flagged", "rate") else "left")
    for name, f in report["folders"].items():
        label = "TPR" if f["kind"] == "positive" else "FPR" if f["kind"] == "negative" else ""
        table.add_row(name, f["kind"], str(f["n"]), str(f["flagged"]), f"{f['rate']:.1%} {label}")
    console.print(table)
    p, n = report["pooled"]["positive"], report["pooled"]["negative"]
    console.print(f"pooled: TPR {p['rate']:.1%} of {p['n']}, FPR {n['rate']:.2%} of {n['n']}")
    for target, r in report["tpr_at_fpr"].items():
        console.print(f"TPR at FPR <= {float(target):.1%}: {r['tpr']:.1%} (threshold {r['threshold']}, "
                      f"FPR {r['fpr']:.2%})")
    for folder, syms in report["top_symbols"].items():
        console.print(f"[bold]{folder}[/] top symbols: " + ", ".join(f"{s} {share:.0%}" for s, share in syms[:6]))
    if report["misclassified"]:
        console.print(f"misclassified ({len(report['misclassified'])}):")
        for f in report["misclassified"][:50]:
            console.print(f"  {f}", highlight=False)
        if len(report["misclassified"]) > 50:
            console.print(f"  … and {len(report['misclassified']) - 50} more (see --json)")

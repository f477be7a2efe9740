"""`mailwarden bench`: throughput, latency percentiles, CPU per message and peak memory."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailwarden.config import load_config
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
    fail,
    user_errors,
)
from mailwarden.inputs import iter_inputs
from mailwarden.runner import Runner


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def _dns_enabled(config: str | None) -> bool:
    """Whether the deployment config leaves DNS on (`[dns] enabled`, default true)."""
    return load_config(config).section("dns").get("enabled", True) is not False


@app.command()
def bench(
    directory: Annotated[str, typer.Argument(help="Folder (or mbox / Maildir) of messages.")],
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    analyzers: Annotated[str, typer.Option("--analyzers", help="all, none, or a comma list of analyzer names.")]
    = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    record: Annotated[bool, typer.Option("--record", help="Record into --state history.")] = False,
    live_dns: Annotated[bool, typer.Option(
        "--dns", help="Ask the configured DNS resolver while timing (its latency then counts). "
                      "Without it DNS is off, unless --dns-zone answers.")] = False,
    policy: PolicyOpt = None, config: ConfigOpt = None, state: StateOpt = None, trust_upstream: TrustOpt = None,
    dns_zone: ZoneOpt = None, ip: IpOpt = None, helo: HeloOpt = None, mail_from: FromOpt = None,
    rcpt: RcptOpt = None,
) -> None:
    """Run the pipeline over DIR and report messages/s, p50/p95/p99 latency, CPU ms/message, peak RSS.

    DNS is off unless --dns or --dns-zone: the figures are the engine's, reproducible anywhere. A
    resolver's latency depends on the network, and a milter overlaps it across concurrent messages.
    """
    selection: str | list[str] = analyzers if analyzers in ("all", "none") else \
        [a.strip() for a in analyzers.split(",") if a.strip()]
    items = [it for it in iter_inputs([directory]) if it.data is not None]
    if not items:
        fail(f"no readable messages in {directory}", 3)
    with user_errors():
        opts = engine_options(policy, config, state, trust_upstream, dns_zone, ip, helo, mail_from, rcpt,
                              analyzers=selection, record=record, offline=not live_dns)
        # steady state, as a running milter sees it: building the engine and loading the libraries
        # the first messages would load are start-up, not per-message cost
        runner = Runner(opts, jobs, warm=True, keep_verdicts=False)
        dns_mode = "zone" if dns_zone else "live" if live_dns and _dns_enabled(config) else "off"
    latencies: list[float] = []
    per_worker: dict[int, tuple[float, float]] = {}
    start_cpu: dict[int, float] = {}
    t0 = time.perf_counter()
    try:
        for res in runner.run(items):
            latencies.append(res.seconds)
            if res.pid not in start_cpu:
                start_cpu[res.pid] = res.cpu_s - res.seconds  # CPU spent before the first message ~ setup
            per_worker[res.pid] = (res.cpu_s, res.rss_mb)
    finally:
        wall = time.perf_counter() - t0
        runner.close()
    latencies.sort()
    cpu = sum(max(0.0, c - start_cpu[pid]) for pid, (c, _) in per_worker.items())
    n = len(latencies)
    report = {"messages": n, "jobs": jobs, "analyzers": analyzers,
              "dns": dns_mode, "wall_s": round(wall, 3),
              "msgs_per_s": round(n / wall, 1) if wall else 0.0,
              "p50_ms": round(percentile(latencies, 50) * 1000, 3),
              "p95_ms": round(percentile(latencies, 95) * 1000, 3),
              "p99_ms": round(percentile(latencies, 99) * 1000, 3),
              "max_ms": round(latencies[-1] * 1000, 3) if latencies else 0.0,
              "cpu_ms_per_msg": round(cpu / n * 1000, 3) if n else 0.0,
              "peak_rss_mb": round(sum(r for _, r in per_worker.values()), 1)}
    if as_json:
        print(json.dumps(report))
        return
    table = Table(title=f"mailwarden bench: {directory}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for k, v in report.items():
        table.add_row(k, str(v))
    Console().print(table)

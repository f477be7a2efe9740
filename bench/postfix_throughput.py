"""Milter throughput and added latency through a real Postfix on loopback (a benchmark, not a test).

Starts a private Postfix instance (root and the Debian `postfix` package needed), then:
1. a baseline run with no milter (Postfix alone),
2. a run with `mailwarden serve milter` (a separate process, `--workers` scan processes),
sending the same messages (< 100 KB each) from `--connections` concurrent SMTP clients.
It prints, per run: messages/s, client-side SMTP transaction latency p50/p99, and for the
milter run the milter's own end-of-message-to-reply latency (the latency it adds to each
message: every earlier step is sent without waiting for a reply), plus the loss check
(every accepted message delivered to a Maildir, none rejected or deferred).

    sudo python bench/postfix_throughput.py [--messages 3000] [--connections 8] [--workers 2]
        [--corpus DIR] [--state DIR]          # --state turns history on (when a history store exists)
        [--repeat 3]                          # the milter runs N times; a last line gives the medians

--state DIR is copied for every run (the copy is what the milter records into), so the given
directory is never written and repeated runs start from the same history. Each result carries
the load average before and after it: on a shared machine, compare runs made under similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "src"))

from support.postfix import Postfix, free_port, postfix_available  # noqa: E402

MAX_BYTES = 100 * 1024
DNS_ON = False


def load_messages(corpus: Path | None, n: int) -> list[bytes]:
    pool: list[bytes] = []
    if corpus and corpus.is_dir():
        files = [p for p in corpus.rglob("*") if p.is_file() and 200 < p.stat().st_size < MAX_BYTES
                 and p.suffix not in (".csv", ".md")]
        random.Random(7).shuffle(files)
        for p in files[:2000]:
            raw = p.read_bytes()
            if raw.startswith(b"From ") and b"\n" in raw:  # mbox separator line
                raw = raw.split(b"\n", 1)[1]
            pool.append(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    if not pool:
        # say so loudly: figures over the few small demo messages are not comparable with corpus runs
        print(f"# WARNING: no corpus at {corpus}; sending the bundled demo messages instead", file=sys.stderr)
        demo = REPO / "src" / "mailwarden" / "data" / "demo"
        pool = [p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for p in sorted(demo.glob("*.eml"))]
    return [pool[i % len(pool)] for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q / 100 * len(s)))]


def drive(port: int, messages: list[bytes], connections: int, rate: float = 0.0) -> dict:
    """Send every message; rate > 0 paces the sends to that many per second overall (open loop)."""
    latencies: list[float] = []
    outcomes = {"accepted": 0, "rejected": 0, "tempfailed": 0, "errors": 0}
    lock = threading.Lock()
    queue = list(enumerate(messages))
    qlock = threading.Lock()
    t0 = time.perf_counter()

    def worker() -> None:
        client = smtplib.SMTP("127.0.0.1", port, timeout=120)
        try:
            while True:
                with qlock:
                    if not queue:
                        return
                    i, raw = queue.pop()
                if rate > 0:
                    due = t0 + (len(messages) - 1 - i) / rate
                    delay = due - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                t = time.perf_counter()
                try:
                    client.sendmail("bench@example.net", [f"{('alice', 'bob')[i % 2]}@mw.test"], raw)
                    kind = "accepted"
                except smtplib.SMTPDataError as exc:
                    kind = "rejected" if exc.smtp_code >= 500 else "tempfailed"
                    client.rset()
                except (smtplib.SMTPException, OSError):
                    kind = "errors"
                    client = smtplib.SMTP("127.0.0.1", port, timeout=120)
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    outcomes[kind] += 1
                    latencies.append(dt)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"messages": len(messages), "seconds": round(wall, 2), "msgs_per_s": round(len(messages) / wall, 1),
            "smtp_p50_ms": round(percentile(latencies, 50), 1), "smtp_p99_ms": round(percentile(latencies, 99), 1),
            **outcomes}


def tree_cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) used so far by a process alone, and with its live children (the scan
    workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.add(int(entry.name))
    main = total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = int(fields[11]) + int(fields[12])  # utime, stime
        total += used
        main += used if p == pid else 0
    return main / tick, total / tick


def wait_delivered(pf: Postfix, expected: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        n = sum(len(pf.maildir(u)) for u in ("alice", "bob"))
        if n >= expected:
            break
        time.sleep(0.2)
    return n


def run(label: str, messages: list[bytes], connections: int, milter_cfg: dict | None, state: str | None,
        unix: bool = False, rate: float = 0.0) -> dict:
    base = Path(tempfile.mkdtemp(prefix=f"mailwarden-bench-{label}-"))
    os.chmod(base, 0o755)  # Postfix daemons must traverse it
    load_before = os.getloadavg()[0]
    if state:
        shutil.copytree(state, base / "state")
        state = str(base / "state")
    milter_proc = None
    milter_addr = None
    milter_log = None
    try:
        if milter_cfg is not None:
            port = free_port()
            cfg = base / "mailwarden.toml"
            lines = [f'state_dir = "{state}"'] if state else []
            sock = base / "milter.sock"
            listen = f"unix:{sock}" if unix else f"inet:127.0.0.1:{port}"
            if not DNS_ON:  # this machine has no working DNS: measure the engine, not resolver time-outs
                lines += ["[dns]", "enabled = false"]
            lines += ["[milter]", f'listen = "{listen}"'] + \
                [f"{k} = {json.dumps(v)}" for k, v in milter_cfg.items()]
            base.mkdir(parents=True, exist_ok=True)
            cfg.write_text("\n".join(lines) + "\n")
            env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
            # the milter logs one line per message: into a file, so a full pipe can never stall it
            milter_log = open(base / "milter.log", "w")  # noqa: SIM115 - closed after the run
            profile = ["-m", "cProfile", "-o", os.environ["MILTER_PROFILE"]] if os.environ.get("MILTER_PROFILE") else []
            milter_proc = subprocess.Popen([sys.executable, *profile, "-m", "mailwarden", "serve", "milter", "--config",
                                            str(cfg), "--log-level", "info"], env=env,
                                           stdout=subprocess.DEVNULL, stderr=milter_log)
            milter_addr = listen
            import socket
            for _ in range(300):
                try:
                    if unix:
                        with socket.socket(socket.AF_UNIX) as s:
                            s.connect(str(sock))
                        os.chmod(sock, 0o666)  # Postfix's cleanup runs as the postfix user
                    else:
                        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.1)
        pf = Postfix(base / "postfix", milter_addr, process_limit=max(20, connections * 2))
        pf.start()
        try:
            warm = drive(pf.port, messages[:50], connections)  # warm-up: processes forked, caches loaded
            wait_delivered(pf, warm["accepted"], timeout=30)
            for u in ("alice", "bob"):
                for p in pf.maildir(u):
                    p.unlink()
            before = len(pf.queue())
            cpu0 = tree_cpu_seconds(milter_proc.pid) if milter_proc is not None else (0.0, 0.0)
            result = drive(pf.port, messages, connections, rate)
            delivered = wait_delivered(pf, result["accepted"])
            if milter_proc is not None:
                # steady state: the measured messages only, without start-up (imports, data) and warm-up
                cpu1 = tree_cpu_seconds(milter_proc.pid)
                result["milter_run_cpu_ms_per_msg"] = round((cpu1[1] - cpu0[1]) * 1000 / len(messages), 2)
                result["milter_main_cpu_ms_per_msg"] = round((cpu1[0] - cpu0[0]) * 1000 / len(messages), 2)
            queued = len(pf.queue()) - before
            result.update({"label": label, "target_rate": rate or None, "delivered": delivered, "still_queued": queued,
                           "lost": result["accepted"] - delivered - max(0, queued),
                           "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)})
        finally:
            pf.stop()
        if milter_proc is not None:
            milter_proc.send_signal(signal.SIGTERM)
            # wait4: the milter's CPU time including its scan workers (load-independent, unlike latency)
            _, status, usage = os.wait4(milter_proc.pid, 0)
            milter_proc.returncode = os.waitstatus_to_exitcode(status)
            total = len(messages) + 50
            # everything, start-up included (compare with milter_run_cpu_ms_per_msg)
            result["milter_cpu_ms_per_msg"] = round((usage.ru_utime + usage.ru_stime) * 1000 / total, 2)
            milter_log.close()
            err = (base / "milter.log").read_text(errors="replace")
            m = re.search(r"p50 ([\d.]+) ms, p95 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms", err)
            if m:
                result.update({"milter_p50_ms": float(m.group(1)), "milter_p95_ms": float(m.group(2)),
                               "milter_p99_ms": float(m.group(3)), "milter_max_ms": float(m.group(4))})
            acts = re.search(r"actions (\{.*\})", err)
            if acts:
                result["actions"] = acts.group(1)
        return result
    finally:
        if milter_proc is not None and milter_proc.poll() is None:
            milter_proc.kill()
        if not os.environ.get("KEEP_BENCH_DIR"):
            shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="milter scan processes (0: threads)")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--state", help="state directory: history on (when the history store exists)")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--no-banner", action="store_true", help="headers only, no body rewriting")
    ap.add_argument("--unix", action="store_true", help="milter on a unix socket instead of loopback TCP")
    ap.add_argument("--rate", type=float, default=0.0,
                    help="also run paced at this many messages/s (latency at a given load, not at saturation)")
    ap.add_argument("--dns", action="store_true", help="let the engine query DNS (default: off)")
    ap.add_argument("--repeat", type=int, default=1, help="milter runs (and paced runs) N times; prints medians")
    args = ap.parse_args()
    global DNS_ON
    DNS_ON = args.dns
    why = postfix_available()
    if why:
        sys.exit(f"cannot run: {why}")
    messages = load_messages(args.corpus, args.messages)
    sizes = sorted(len(m) for m in messages)
    print(f"# {len(messages)} messages, median {sizes[len(sizes) // 2]} bytes, max {sizes[-1]} bytes; "
          f"{args.connections} SMTP connections; {os.cpu_count()} cores", file=sys.stderr)
    results = []
    if not args.skip_baseline:
        results.append(run("postfix-only", messages, args.connections, None, None))
        print(json.dumps(results[-1]), flush=True)
    # reject off: rejected messages would not reach a mailbox, and the loss check counts deliveries
    milter = {"workers": args.workers, "banner": not args.no_banner, "subject_tag": "[SUSPICIOUS]", "reject": False,
              "quarantine": "redirect", "quarantine_mailbox": "alice@mw.test"}
    label = "milter" + ("-unix" if args.unix else "") + ("+history" if args.state else "")
    for _ in range(max(1, args.repeat)):
        results.append(run(label, messages, args.connections, milter, args.state, args.unix))
        print(json.dumps(results[-1]), flush=True)
        if args.rate:
            results.append(run(label, messages, args.connections, milter, args.state, args.unix, args.rate))
            print(json.dumps(results[-1]), flush=True)
    if args.repeat > 1:
        for rate in sorted({r["target_rate"] or 0.0 for r in results if r["label"] == label}):
            group = [r for r in results if r["label"] == label and (r["target_rate"] or 0.0) == rate]
            keys = ("msgs_per_s", "milter_p50_ms", "milter_p99_ms", "milter_run_cpu_ms_per_msg", "load_before")
            summary = {f"median_{k}": statistics.median(r.get(k, 0.0) for r in group) for k in keys}
            print(json.dumps({"label": label, "target_rate": rate or None, "runs": len(group), **summary,
                              "lost_total": sum(r["lost"] for r in group)}))


if __name__ == "__main__":
    main()

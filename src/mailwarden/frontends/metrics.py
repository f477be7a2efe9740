"""A few counters and one latency histogram in the Prometheus text exposition format (version 0.0.4).

Small on purpose: the front ends need scans by action, failures and scan latency, nothing more,
and this avoids a dependency.
"""

from __future__ import annotations

import threading
from bisect import bisect_left

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ACTIONS = ("accept", "tag", "quarantine", "reject", "tempfail")


class Metrics:
    def __init__(self, frontend: str) -> None:
        self.frontend = frontend
        self._lock = threading.Lock()
        self.scans = dict.fromkeys(ACTIONS, 0)
        self.failures = 0
        self.rejected_requests: dict[int, int] = {}
        self._bucket_counts = [0] * (len(BUCKETS) + 1)
        self._sum = 0.0
        self.in_flight = 0

    def observe(self, action: str, seconds: float, failed: bool) -> None:
        with self._lock:
            self.scans[action] = self.scans.get(action, 0) + 1
            self.failures += failed
            self._bucket_counts[bisect_left(BUCKETS, seconds)] += 1
            self._sum += seconds

    def rejected(self, status: int) -> None:
        with self._lock:
            self.rejected_requests[status] = self.rejected_requests.get(status, 0) + 1

    def render(self) -> str:
        fe = self.frontend
        with self._lock:
            lines = ["# HELP mailwarden_scans_total Messages scanned, by verdict action.",
                     "# TYPE mailwarden_scans_total counter"]
            lines += [f'mailwarden_scans_total{{frontend="{fe}",action="{a}"}} {n}' for a, n in self.scans.items()]
            lines += ["# HELP mailwarden_scan_failures_total Scans that ended in the failure action "
                      "(timeout, crash, internal error).",
                      "# TYPE mailwarden_scan_failures_total counter",
                      f'mailwarden_scan_failures_total{{frontend="{fe}"}} {self.failures}',
                      "# HELP mailwarden_requests_rejected_total Requests refused before scanning, by HTTP status.",
                      "# TYPE mailwarden_requests_rejected_total counter"]
            lines += [f'mailwarden_requests_rejected_total{{frontend="{fe}",status="{s}"}} {n}'
                      for s, n in sorted(self.rejected_requests.items())]
            lines += ["# HELP mailwarden_scans_in_flight Messages being scanned now.",
                      "# TYPE mailwarden_scans_in_flight gauge",
                      f'mailwarden_scans_in_flight{{frontend="{fe}"}} {self.in_flight}',
                      "# HELP mailwarden_scan_seconds Time to scan one message.",
                      "# TYPE mailwarden_scan_seconds histogram"]
            acc = 0
            for le, n in zip((*map(str, BUCKETS), "+Inf"), self._bucket_counts, strict=True):
                acc += n
                lines.append(f'mailwarden_scan_seconds_bucket{{frontend="{fe}",le="{le}"}} {acc}')
            lines.append(f'mailwarden_scan_seconds_sum{{frontend="{fe}"}} {self._sum:.6f}')
            lines.append(f'mailwarden_scan_seconds_count{{frontend="{fe}"}} {acc}')
        return "\n".join(lines) + "\n"

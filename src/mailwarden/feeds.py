"""Local URL and domain blocklists, loaded from files once: no network needed.

Configured in the config file:

    [blocklists]
    files = ["feeds/openphish.txt", "feeds/phishtank.json", "local-bad-domains.txt"]
    # optional: a name per file for the evidence, and whether a missing file is an error
    names = ["openphish", "phishtank", "local"]
    missing_ok = false

Relative paths are resolved against the config file's folder. Formats, detected per file:

- plain text (OpenPhish and most feeds): one URL or one domain per line; `#` starts a comment.
  A line with a scheme or a path is a URL entry; a bare host name is a domain entry, which
  also covers its subdomains.
- PhishTank JSON: a list of objects with a "url" key (or {"data": [...]}).
- CSV with a header row naming a "url" (or "domain") column (PhishTank CSV).

URL entries match the normalised URL (fragment dropped, trailing slash ignored); domain entries
match the host or any parent of it, by a few set probes per URL.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from mailwarden.urls import normalize_url


class FeedError(ValueError):
    """A blocklist file that cannot be used; the message names the file and why."""


def _url_key(url: str) -> str | None:
    norm = normalize_url(url)
    if norm is None:
        return None
    return norm.rstrip("/")


@dataclass
class Blocklist:
    urls: dict[str, str] = field(default_factory=dict)  # normalised URL -> feed name
    domains: dict[str, str] = field(default_factory=dict)  # host -> feed name
    sources: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.urls) + len(self.domains)

    def add_entry(self, entry: str, name: str) -> None:
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            return
        if "://" in entry or "/" in entry or "?" in entry:
            key = _url_key(entry)
            if key:
                self.urls.setdefault(key, name)
            return
        host = entry.lower().strip(".").removeprefix("*.")
        if host and ("." in host or ":" in host):
            self.domains.setdefault(host, name)

    def match_url(self, url: str) -> str | None:
        """The feed name listing this URL exactly, or None."""
        if not self.urls:
            return None
        key = _url_key(url)
        return self.urls.get(key) if key else None

    def match_host(self, host: str) -> tuple[str, str] | None:
        """(listed domain, feed name) when the host or a parent domain is listed."""
        if not self.domains:
            return None
        labels = host.lower().split(".")
        for i in range(len(labels) - 1):
            suffix = ".".join(labels[i:])
            name = self.domains.get(suffix)
            if name is not None:
                return suffix, name
        name = self.domains.get(host)
        return (host, name) if name is not None else None


def _entries_from_text(text: str, path: Path) -> list[str]:
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FeedError(f"{path}: not valid JSON ({exc})") from None
        if isinstance(data, dict):
            data = data.get("data") or data.get("urls") or data.get("entries") or []
        out = []
        for item in data if isinstance(data, list) else []:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict):
                v = item.get("url") or item.get("domain") or item.get("host")
                if isinstance(v, str):
                    out.append(v)
        return out
    first = stripped.split("\n", 1)[0].lower()
    if path.suffix.lower() == ".csv" or ("," in first and ("url" in first or "domain" in first)):
        reader = csv.DictReader(io.StringIO(text))
        cols = [c for c in (reader.fieldnames or []) if c and c.strip().lower() in ("url", "domain", "host")]
        if not cols:
            raise FeedError(f"{path}: CSV without a url or domain column")
        return [row[cols[0]] for row in reader if row.get(cols[0])]
    return [line.split(" #", 1)[0] for line in text.splitlines()]


def load_blocklists(section: dict, base_dir: str | Path | None = None) -> Blocklist:
    """Build one Blocklist from the config's [blocklists] section."""
    bl = Blocklist()
    files = section.get("files", [])
    if isinstance(files, str):
        files = [files]
    names = section.get("names", [])
    missing_ok = bool(section.get("missing_ok", False))
    base = Path(base_dir) if base_dir else Path.cwd()
    for i, f in enumerate(files):
        p = Path(f)
        if not p.is_absolute():
            p = base / p
        name = names[i] if i < len(names) else p.stem
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            if missing_ok:
                continue
            raise FeedError(f"blocklist {p}: {exc.strerror or exc}") from None
        for entry in _entries_from_text(text, p):
            bl.add_entry(entry, name)
        bl.sources.append(name)
    return bl

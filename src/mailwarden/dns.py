"""The DNS port: every lookup the engine makes goes through one small interface.

`resolver.query(name, rdtype) -> list[str]` answers with the record data as text
(TXT records with their character-strings joined into one string each; MX as
"10 mx.example."; PTR/CNAME as a name with its trailing dot). `[]` means NODATA;
`NXDomain`, `DNSTimeout` or another `DNSError` are raised otherwise. Names are
case-insensitive and a trailing dot is optional. CNAMEs are followed by the
resolver, as a recursive resolver would.

Implementations:
- `StaticResolver`: answers from a zone file (`load_zone`, CONTRACT.md formats) for
  tests and offline runs; nothing outside the file exists.
- `LiveResolver`: dnspython with short timeouts, a shared cache and a circuit breaker
  that stops asking after consecutive timeouts, so a scan without network fails fast.
- `NullResolver`: no DNS at all; every query is a DNSError (temperror upstream).
- `BudgetResolver`: wraps any of these for one message and refuses queries beyond a
  per-message budget.

Libraries that would otherwise query the system resolver (pyspf, dkimpy) are driven
through this port by the `mailwarden.auth` package; nothing falls back behind it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

RDTYPES = ("A", "AAAA", "TXT", "MX", "PTR", "CNAME", "NS", "SPF")
_MAX_CNAME_CHAIN = 8


class DNSError(Exception):
    """A lookup that gave no usable answer (SERVFAIL, refused, malformed, no resolver)."""


class NXDomain(DNSError):
    """The name does not exist."""


class DNSTimeout(DNSError):
    """Nobody answered in time (or the circuit breaker is open)."""


class CNAMELoop(DNSError):
    """A CNAME chain that loops or is too long: the name can never resolve."""


class DNSBudgetExceeded(DNSError):
    """The per-message query budget is spent."""


_NX = object()  # cached NXDOMAIN


class Resolver(Protocol):
    def query(self, name: str, rdtype: str) -> list[str]: ...


def normalise_name(name: str | bytes) -> str:
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    return name.strip().rstrip(".").lower()


# ---------------------------------------------------------------- static zone
class StaticResolver:
    """Answers from an in-memory zone: absent name = NXDOMAIN, absent type = NODATA,
    a name marked "TIMEOUT" times out for every type; a name whose records include
    ["TIMEOUT", ""] answers the types it lists and times out for the others (the RFC 7208
    suite's semantics)."""

    def __init__(self, records: dict[str, Any] | None = None, source: str = "zone") -> None:
        self.source = source
        self._zone: dict[str, dict[str, list[str]] | str] = {}
        for name, value in (records or {}).items():
            self.add(name, value)

    def add(self, name: str, value: Any) -> None:
        key = normalise_name(name)
        if isinstance(value, str):
            if value.upper() != "TIMEOUT":
                raise ValueError(f"{self.source}: {name!r}: the only string value allowed is \"TIMEOUT\"")
            self._zone[key] = "TIMEOUT"
            return
        if not isinstance(value, list):
            raise ValueError(f"{self.source}: {name!r}: expected a list of [type, data] pairs or \"TIMEOUT\"")
        entry = self._zone.get(key)
        if not isinstance(entry, dict):
            entry = {}
            self._zone[key] = entry
        for item in value:
            if not (isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise ValueError(f"{self.source}: {name!r}: each record is [type, data], got {item!r}")
            rdtype, data = item[0].upper(), item[1]
            if isinstance(data, list):  # TXT character-strings, joined as receivers do
                data = "".join(str(d) for d in data)
            elif not isinstance(data, str):
                data = str(data)
            entry.setdefault(rdtype, []).append(data)

    def query(self, name: str, rdtype: str) -> list[str]:
        rdtype = rdtype.upper()
        key = normalise_name(name)
        seen: list[str] = []
        while True:
            entry = self._zone.get(key)
            if entry is None:  # also a CNAME to nowhere, as resolvers report it
                raise NXDomain(key)
            if entry == "TIMEOUT":
                raise DNSTimeout(key)
            assert isinstance(entry, dict)
            if rdtype in entry:
                return list(entry[rdtype])
            if "TIMEOUT" in entry:  # ["TIMEOUT", ""]: the types this name does not list time out
                raise DNSTimeout(key)
            if rdtype != "CNAME" and "CNAME" in entry:
                seen.append(key)
                if len(seen) > _MAX_CNAME_CHAIN:
                    raise CNAMELoop(f"CNAME chain too long at {key}")
                key = normalise_name(entry["CNAME"][0])
                if key in seen:
                    raise CNAMELoop(f"CNAME loop at {key}")
                continue
            return []

    def __repr__(self) -> str:
        return f"StaticResolver({self.source!r}, {len(self._zone)} names)"


def load_zone(path: str | Path) -> StaticResolver:
    """A static resolver from a zone file: `*.json` in CONTRACT.md's format, otherwise an
    RFC 1035 master file (read with dnspython)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read DNS zone file {p}: {exc.strerror or exc}") from None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"DNS zone file {p} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"DNS zone file {p}: expected a JSON object of names")
        return StaticResolver(data, str(p))
    return _load_master_file(text, str(p))


def _load_master_file(text: str, source: str) -> StaticResolver:
    import dns.exception
    import dns.name
    import dns.zone

    try:
        zone = dns.zone.from_text(text, origin=dns.name.root, relativize=False, check_origin=False)
    except dns.exception.DNSException as exc:
        raise ValueError(f"DNS zone file {source}: {exc}") from None
    res = StaticResolver(source=source)
    for name, _ttl, rdata in zone.iterate_rdatas():
        rdtype = rdata.rdtype.name if hasattr(rdata.rdtype, "name") else str(rdata.rdtype)
        res.add(name.to_text(), [[rdtype, _rdata_text(rdtype, rdata)]])
    return res


def _rdata_text(rdtype: str, rdata: Any) -> str:
    if rdtype in ("TXT", "SPF"):
        return b"".join(rdata.strings).decode("utf-8", "surrogateescape")
    if rdtype in ("A", "AAAA"):
        return rdata.address
    if rdtype == "MX":
        return f"{rdata.preference} {rdata.exchange.to_text()}"
    if rdtype in ("PTR", "CNAME", "NS"):
        return rdata.target.to_text()
    return rdata.to_text()


# ---------------------------------------------------------------- no DNS
class NullResolver:
    """No DNS available: every query fails at once (temperror for SPF/DKIM/DMARC, never pass)."""

    def __init__(self, reason: str = "DNS is disabled") -> None:
        self.reason = reason

    def query(self, name: str, rdtype: str) -> list[str]:
        raise DNSError(self.reason)

    def is_down(self) -> bool:
        return True


# ---------------------------------------------------------------- live DNS
class _State:
    """Cache and circuit-breaker state: the health of the network is a property of the process,
    not of one Engine, so resolvers for the same nameservers share it."""

    def __init__(self) -> None:
        self.cache: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.consecutive_timeouts = 0
        self.open_until = 0.0
        self.stats = {"queries": 0, "cache_hits": 0, "timeouts": 0, "short_circuited": 0}


_STATES: dict[tuple, _State] = {}
_STATES_LOCK = threading.Lock()


def _shared_state(key: tuple) -> _State:
    with _STATES_LOCK:
        return _STATES.setdefault(key, _State())


class LiveResolver:
    """dnspython with short timeouts, a TTL cache and a circuit breaker.

    After `breaker_threshold` consecutive timeouts (or unreachable servers) the breaker opens for
    `breaker_cooldown` seconds: queries raise DNSTimeout immediately instead of waiting, then one
    query probes again. Cached answers (positive and negative) are still served while it is open.
    Resolvers for the same nameservers share cache and breaker within a process (`shared=True`).
    """

    def __init__(self, nameservers: list[str] | None = None, timeout: float = 1.0, lifetime: float = 2.0,
                 cache_size: int = 20000, breaker_threshold: int = 3, breaker_cooldown: float = 30.0,
                 shared: bool = True, port: int | None = None) -> None:
        import dns.resolver

        try:
            self._r = dns.resolver.Resolver(configure=not nameservers)
        except Exception as exc:  # noqa: BLE001 - no resolv.conf: behave as "no DNS"
            raise DNSError(f"no usable resolver configuration: {exc}") from None
        if nameservers:
            self._r.nameservers = list(nameservers)
        if port:
            self._r.port = port
        self._r.timeout = timeout
        self._r.lifetime = lifetime
        self._r.cache = None  # ours below is shared across record types and counts negatives too
        key = (tuple(str(n) for n in self._r.nameservers), self._r.port)
        self._s = _shared_state(key) if shared else _State()
        self._cache_size = cache_size
        self.breaker_threshold = breaker_threshold
        self.breaker_cooldown = breaker_cooldown

    @property
    def stats(self) -> dict[str, int]:
        return self._s.stats

    def _cached(self, key: tuple[str, str]) -> Any:
        st = self._s
        with st.lock:
            item = st.cache.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                del st.cache[key]
                return None
            st.cache.move_to_end(key)
            st.stats["cache_hits"] += 1
            return value

    def _store(self, key: tuple[str, str], value: Any, ttl: float) -> None:
        st = self._s
        with st.lock:
            st.cache[key] = (time.monotonic() + max(30.0, min(ttl, 3600.0)), value)
            st.cache.move_to_end(key)
            while len(st.cache) > self._cache_size:
                st.cache.popitem(last=False)

    def query(self, name: str, rdtype: str) -> list[str]:
        import dns.exception
        import dns.resolver

        rdtype = rdtype.upper()
        qname = normalise_name(name)
        key = (qname, rdtype)
        hit = self._cached(key)
        if hit is not None:
            if hit is _NX:
                raise NXDomain(qname)
            return list(hit)
        now = time.monotonic()
        st = self._s
        with st.lock:
            if now < st.open_until:
                st.stats["short_circuited"] += 1
                raise DNSTimeout(f"{qname}: DNS unreachable (circuit open)")
            if st.consecutive_timeouts >= self.breaker_threshold:
                # half-open: let this one query probe; re-open at once if it times out too
                st.open_until = now + self.breaker_cooldown
            st.stats["queries"] += 1
        try:
            ans = self._r.resolve(qname + ".", rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            self._ok()
            # cache a marker, not the exception: a raised exception keeps its traceback (and with it
            # the frames of the message being scanned) alive for as long as the cache holds it
            self._store(key, _NX, 300)
            raise NXDomain(qname) from None
        except dns.exception.Timeout:
            self._timed_out()
            raise DNSTimeout(qname) from None
        except dns.resolver.NoNameservers as exc:
            # every server failed (SERVFAIL, REFUSED, unreachable): as bad as silence for the breaker
            self._timed_out()
            raise DNSError(f"{qname}: {exc}") from None
        except dns.exception.DNSException as exc:
            raise DNSError(f"{qname}: {exc}") from None
        except (ValueError, UnicodeError) as exc:  # names no resolver can ask for
            raise DNSError(f"{qname[:100]}: {exc}") from None
        self._ok()
        out = [_rdata_text(rdtype, rd) for rd in ans.rrset] if ans.rrset is not None else []
        ttl = ans.rrset.ttl if ans.rrset is not None else 300
        self._store(key, out, ttl)
        return list(out)

    def is_down(self) -> bool:
        """True while the circuit breaker is open: callers may skip work that needs DNS."""
        with self._s.lock:
            return time.monotonic() < self._s.open_until

    def _ok(self) -> None:
        with self._s.lock:
            self._s.consecutive_timeouts = 0
            self._s.open_until = 0.0

    def _timed_out(self) -> None:
        st = self._s
        with st.lock:
            st.stats["timeouts"] += 1
            st.consecutive_timeouts += 1
            if st.consecutive_timeouts >= self.breaker_threshold:
                st.open_until = time.monotonic() + self.breaker_cooldown


# ---------------------------------------------------------------- per message
class BudgetResolver:
    """One message's view of a resolver: at most `budget` queries (SPF's own 10-lookup limit
    sits inside this), and answers memoised for the message so repeated lookups are free."""

    def __init__(self, inner: Any, budget: int = 40, deadline: float | None = None) -> None:
        self.inner = inner
        self.budget = budget
        self.deadline = deadline  # time.monotonic() after which no more queries are sent
        self.used = 0
        self._memo: dict[tuple[str, str], Any] = {}

    def is_down(self) -> bool:
        return is_down(self.inner) or self.used >= self.budget

    def query(self, name: str, rdtype: str) -> list[str]:
        key = (normalise_name(name), rdtype.upper())
        if key in self._memo:
            hit = self._memo[key]
            if isinstance(hit, tuple):  # (exception class, message): raise a fresh one
                raise hit[0](hit[1])
            return list(hit)
        if self.inner is None:
            raise DNSError("no DNS resolver")
        if self.used >= self.budget:
            raise DNSBudgetExceeded(f"more than {self.budget} DNS queries for one message")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise DNSTimeout("the message's scan time is spent")
        self.used += 1
        try:
            out = self.inner.query(*key)
        except DNSError as exc:
            self._memo[key] = (type(exc), str(exc))
            raise
        self._memo[key] = list(out)
        return out


def is_down(resolver: Any) -> bool:
    """True when asking `resolver` is known to be pointless right now (none, disabled, breaker open)."""
    if resolver is None:
        return True
    probe = getattr(resolver, "is_down", None)
    return bool(probe()) if callable(probe) else False


def default_resolver(config: Any = None) -> Any:
    """The production resolver from config `[dns]`: `enabled` (default true), `nameservers`,
    `timeout`, `lifetime` (seconds), `breaker_threshold`, `breaker_cooldown`."""
    section = config.section("dns") if config is not None and hasattr(config, "section") else {}
    if section.get("enabled", True) is False:
        return NullResolver("DNS disabled in the configuration")
    try:
        return LiveResolver(nameservers=section.get("nameservers") or None,
                            timeout=float(section.get("timeout", 1.0)),
                            lifetime=float(section.get("lifetime", 2.0)),
                            breaker_threshold=int(section.get("breaker_threshold", 3)),
                            breaker_cooldown=float(section.get("breaker_cooldown", 30.0)))
    except DNSError as exc:
        return NullResolver(str(exc))

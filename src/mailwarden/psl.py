"""The bundled Public Suffix List, loaded once per process, and the registrable domain of a host.

Every layer (links, lookalikes, DMARC alignment, platform fields, campaigns) asks the same
question; one list instance answers it, so it is parsed once rather than once per module.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def public_suffix_list() -> PublicSuffixList:
    return PublicSuffixList()


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """Registrable domain of a host; IPs come back normalised, bare suffixes and odd input as given."""
    host = (host or "").strip().rstrip(".").lower()
    if not host:
        return host
    if host[-1].isdigit() or ":" in host:
        try:
            return str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            pass
    try:
        return public_suffix_list().privatesuffix(host) or host
    except Exception:  # noqa: BLE001 - odd labels (empty, over-long) must never raise here
        return host


@lru_cache(maxsize=16384)
def under_known_suffix(host: str) -> bool:
    """True when `host` ends in a public suffix the list knows (.com, .co.uk), False for internal
    names (xt.local, mailhost.corp, localhost) that say nothing about who owns a server."""
    host = (host or "").strip().rstrip(".").lower()
    try:
        return bool(host) and public_suffix_list().publicsuffix(host, accept_unknown=False) is not None
    except Exception:  # noqa: BLE001 - odd labels (empty, over-long) must never raise here
        return False

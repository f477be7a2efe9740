"""Everything needed to build an Engine, in a picklable form (worker processes rebuild from it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailwarden.config import Config, ConfigError, load_config
from mailwarden.engine import Engine
from mailwarden.envelope import Envelope, valid_ip
from mailwarden.policy import load_policy


class OptionsError(ValueError):
    """A command-line option that cannot be used."""


@dataclass
class EngineOptions:
    policy: str | None = None
    config: str | None = None
    state: str | None = None
    trust_upstream: list[str] | None = None
    dns_zone: str | None = None
    offline: bool = False  # no DNS at all (bench measures the engine, not the resolver), unless dns_zone answers
    analyzers: str | list[str] = "all"
    record: bool = True  # record history when state is given (eval/bench pass False unless --record)
    ip: str | None = None
    helo: str | None = None
    mail_from: str | None = None
    rcpt: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # eval/bench measure against a copy of the state so measuring never pollutes history. Done here,
        # once in the parent process: worker processes receive these options pickled, already pointing
        # at the copy.
        if self.state and not self.record:
            from mailwarden.store.state_copy import copy_state

            self.state = copy_state(self.state)

    def envelope(self) -> Envelope | None:
        if self.ip is None and self.helo is None and self.mail_from is None and not self.rcpt:
            return None
        if self.ip is not None and valid_ip(self.ip) is None:
            raise OptionsError(f"--ip {self.ip!r} is not an IP address")
        return Envelope(ip=valid_ip(self.ip), helo=self.helo, mail_from=self.mail_from, rcpt=list(self.rcpt))


def build_engine(opts: EngineOptions) -> Engine:
    config: Config = load_config(opts.config)
    if opts.state:
        config.state_dir = opts.state
    if opts.trust_upstream is not None:
        config.trusted_upstream = list(opts.trust_upstream)
    known = _known_providers()
    unknown = [p for p in config.trusted_upstream if known is not None and p not in known]
    if unknown:
        raise ConfigError(f"unknown upstream provider(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    resolver = None
    if opts.dns_zone:
        try:
            from mailwarden.dns import load_zone
        except ImportError:
            raise OptionsError("--dns-zone needs the DNS module, which is not available") from None
        resolver = load_zone(opts.dns_zone)
    elif opts.offline:
        from mailwarden.dns import NullResolver

        resolver = NullResolver("DNS off for this run")
    engine = Engine(load_policy(opts.policy), config, resolver=resolver, analyzers=opts.analyzers)
    engine.record_history = opts.record
    return engine


def _known_providers() -> set[str] | None:
    try:
        from mailwarden.upstream import PROVIDERS
    except ImportError:
        return None
    return set(PROVIDERS)

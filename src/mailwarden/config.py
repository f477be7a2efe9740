"""Deployment configuration (TOML): state, upstream trust, own domains, exceptions, front ends."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mailwarden.limits import Limits

FAILURE_ACTIONS = ("tempfail", "accept", "tag")
_TOP_KEYS = {"state_dir", "trusted_upstream", "own_domains", "authserv_id", "failure_action", "limits",
             "exceptions", "blocklists", "dns", "store", "milter", "api", "imap", "model", "history"}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message says where and why."""


@dataclass
class Exception_:
    """An explicit admin exception. Applying it is itself a finding (ADMIN_EXCEPTION)."""

    sender: str | None = None  # address or glob, matched against From and MAIL FROM
    recipient: str | None = None
    domain: str | None = None  # From domain or authenticated domain
    action: str | None = None  # force this action ("accept" for a false positive)
    symbols: list[str] = field(default_factory=list)  # or: neutralise only these symbols
    reason: str = ""

    def describe(self) -> str:
        what = ", ".join(f"{k}={v}" for k, v in (("sender", self.sender), ("recipient", self.recipient),
                                                    ("domain", self.domain)) if v)
        return what or "(any)"

    def matches(self, senders: list[str], recipients: list[str], domains: list[str]) -> bool:
        def hit(pattern: str | None, values: list[str]) -> bool:
            if pattern is None:
                return True
            p = pattern.lower()
            return any(fnmatch.fnmatchcase(v.lower(), p) for v in values if v)

        if not (self.sender or self.recipient or self.domain):
            return False
        return hit(self.sender, senders) and hit(self.recipient, recipients) and hit(self.domain, domains)


@dataclass
class Config:
    state_dir: str | None = None
    trusted_upstream: list[str] = field(default_factory=list)
    own_domains: list[str] = field(default_factory=list)
    authserv_id: str = "mailwarden"
    failure_action: str = "tempfail"
    limits: Limits = field(default_factory=Limits)
    exceptions: list[Exception_] = field(default_factory=list)
    sections: dict[str, dict] = field(default_factory=dict)  # front-end / store / feed settings as written
    source: str | None = None

    def section(self, name: str) -> dict:
        return self.sections.get(name, {})


def _list_of_str(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return list(value)


def config_from_dict(data: dict, source: str = "config") -> Config:
    extra = set(data) - _TOP_KEYS
    if extra:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(extra))}")
    cfg = Config(source=source)
    if "state_dir" in data:
        cfg.state_dir = str(data["state_dir"])
    if "trusted_upstream" in data:
        cfg.trusted_upstream = _list_of_str(data["trusted_upstream"], f"{source}: trusted_upstream")
    if "own_domains" in data:
        cfg.own_domains = [d.lower() for d in _list_of_str(data["own_domains"], f"{source}: own_domains")]
    if "authserv_id" in data:
        cfg.authserv_id = str(data["authserv_id"])
    if "failure_action" in data:
        if data["failure_action"] not in FAILURE_ACTIONS:
            raise ConfigError(f"{source}: failure_action must be one of {', '.join(FAILURE_ACTIONS)}")
        cfg.failure_action = data["failure_action"]
    if "limits" in data:
        try:
            cfg.limits = Limits.from_mapping(dict(data["limits"]))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: [limits] {exc}") from None
    for i, ex in enumerate(data.get("exceptions") or []):
        where = f"{source}: exceptions[{i}]"
        if not isinstance(ex, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = set(ex) - {"sender", "recipient", "domain", "action", "symbols", "reason"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if not any(ex.get(k) for k in ("sender", "recipient", "domain")):
            raise ConfigError(f"{where}: needs sender, recipient or domain (nothing is excepted implicitly)")
        if ex.get("action") not in (None, "accept", "tag", "quarantine", "reject"):
            raise ConfigError(f"{where}: action must be accept, tag, quarantine or reject")
        if not ex.get("action") and not ex.get("symbols"):
            raise ConfigError(f"{where}: needs an action or a list of symbols to neutralise")
        cfg.exceptions.append(Exception_(ex.get("sender"), ex.get("recipient"), ex.get("domain"),
                                         ex.get("action"), _list_of_str(ex.get("symbols", []), where),
                                         str(ex.get("reason", ""))))
    for key in ("blocklists", "dns", "store", "milter", "api", "imap", "model", "history"):
        if key in data:
            if not isinstance(data[key], dict):
                raise ConfigError(f"{source}: [{key}] must be a table")
            cfg.sections[key] = dict(data[key])
    return cfg


def load_config(path: str | Path | None) -> Config:
    if path is None:
        return Config()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {p} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p} is not valid TOML: {exc}") from None
    cfg = config_from_dict(data, str(p))
    if cfg.state_dir and not Path(cfg.state_dir).is_absolute():
        cfg.state_dir = str((p.parent / cfg.state_dir).resolve())
    return cfg

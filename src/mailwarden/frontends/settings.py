"""Typed front-end settings read from one config section ([milter], [api], [imap])."""

from __future__ import annotations

from typing import Any

from mailwarden.config import ConfigError


def apply_section(target: Any, section: dict, name: str, source: str, skip: tuple[str, ...] = ()) -> None:
    """Set target's dataclass fields from section, checking names and types; ConfigError on mistakes."""
    known = set(target.__dataclass_fields__) - set(skip)
    unknown = set(section) - known - set(skip)
    if unknown:
        raise ConfigError(f"{source}: [{name}] unknown key(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(known))}")
    for key, value in section.items():
        if key in skip:
            continue
        default = getattr(target, key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int | float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, float):
                ok = ok and value.is_integer()
        elif isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = isinstance(value, str)
        if not ok:
            kind = {bool: "true or false", int: "a whole number", float: "a number", list: "a list of strings",
                    str: "a string"}.get(type(default), type(default).__name__)
            raise ConfigError(f"{source}: [{name}] {key} must be {kind}")
        setattr(target, key, list(value) if isinstance(default, list) else type(default)(value))

"""Skip outside CI, fail inside CI, when a service a test needs is not available."""

from __future__ import annotations

import os

import pytest


def require(reason_missing: str | None, what: str) -> None:
    if reason_missing is None:
        return
    message = f"{what} unavailable: {reason_missing}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (CI is set, so this is an error, not a skip)")
    pytest.skip(message)

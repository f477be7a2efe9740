"""Service tests skip outside CI and fail inside CI when the service is missing."""

from __future__ import annotations

import pytest

from support.services import require


def test_missing_service_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Postfix unavailable"):
        require("not installed", "Postfix")


def test_missing_service_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require("not installed", "Dovecot")


def test_present_service_passes(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require(None, "Postfix")

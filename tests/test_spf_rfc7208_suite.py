"""The RFC 7208 (openspf) SPF test suite, run through mailwarden's own auth layer: the suite's
zone data becomes a JSON zone file loaded by `mailwarden.dns.load_zone`, and every scenario is
checked with `mailwarden.auth.spf` (pyspf driven through the resolver port)."""

from __future__ import annotations

import json

import pytest

from conftest import shared_path

yaml = pytest.importorskip("yaml")

from mailwarden.auth.spf import check_helo, check_mailfrom  # noqa: E402
from mailwarden.dns import load_zone  # noqa: E402


def _zone(zonedata: dict) -> dict:
    """The suite's zone data in CONTRACT.md's JSON zone format.

    Suite semantics kept: `TIMEOUT` in a name's list makes the types it does not list time out
    (our ["TIMEOUT", ""] marker); `TXT: NONE` lists TXT with no data; a name with only type-SPF
    records also answers them as TXT (the suite's "auto-magic duplication" for drivers, which
    it applies wherever no TXT entry is given)."""
    zone: dict = {}
    for name, records in (zonedata or {}).items():
        out: list = []
        txt_listed = False
        for rec in records:
            if rec == "TIMEOUT":
                out.append(["TIMEOUT", ""])
                continue
            ((rtype, value),) = rec.items()
            if rtype == "TIMEOUT":
                out.append(["TIMEOUT", ""])
                continue
            if rtype == "TXT":
                txt_listed = True
            if value == "NONE":
                continue
            if rtype == "MX":
                value = f"{value[0]} {value[1]}"
            out.append([rtype, value])
        if not txt_listed:
            out += [["TXT", v] for t, v in out if t == "SPF"]
        zone[name] = "TIMEOUT" if out == [["TIMEOUT", ""]] else out
    return zone


def _scenarios():
    path = shared_path("conformance", "spf", "rfc7208-tests.yml")
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        for name, t in doc["tests"].items():
            yield pytest.param((doc.get("zonedata") or {}, t), id=name)


def pytest_generate_tests(metafunc):
    if "scenario" in metafunc.fixturenames:
        try:
            params = list(_scenarios())
        except pytest.skip.Exception:
            params = []
        metafunc.parametrize("scenario", params or [pytest.param(None, marks=pytest.mark.skip("suite absent"))])


def test_rfc7208_scenario(scenario, tmp_path):
    zonedata, t = scenario
    zfile = tmp_path / "zone.json"
    zfile.write_text(json.dumps(_zone(zonedata)))
    resolver = load_zone(zfile)
    allowed = t["result"] if isinstance(t["result"], list) else [t["result"]]
    if t.get("mailfrom"):
        got = check_mailfrom(resolver, t["host"], t["mailfrom"], t["helo"])
    else:
        got = check_helo(resolver, t["host"], t["helo"])
    assert got.result in allowed, got.explanation


def test_the_whole_suite_ran():
    assert sum(1 for _ in _scenarios()) >= 200

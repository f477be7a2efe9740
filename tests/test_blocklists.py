"""Local blocklists and feeds from files (plain lists, OpenPhish text, PhishTank JSON/CSV), no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkmsg import html_message, link, text_message
from mailwarden.config import ConfigError, load_config
from mailwarden.engine import Engine
from mailwarden.feeds import load_blocklists


def write_feeds(tmp: Path) -> None:
    (tmp / "openphish.txt").write_text("# OpenPhish style\nhttps://phish-one.example/login/\n"
                                       "http://198.51.100.9/secure/\n")
    (tmp / "local-domains.txt").write_text("bad-domain.example\n*.evil-cdn.example  # wildcard form\n")
    (tmp / "phishtank.json").write_text(json.dumps([
        {"phish_id": 1, "url": "https://phish-two.example/a?b=1", "verified": "yes"},
        {"phish_id": 2, "url": "hxxps://phish-three[.]example/x"}]))
    (tmp / "phishtank.csv").write_text("phish_id,url,phish_detail_url\n3,https://phish-four.example/z,x\n")


def test_formats(tmp_path: Path) -> None:
    write_feeds(tmp_path)
    bl = load_blocklists({"files": ["openphish.txt", "local-domains.txt", "phishtank.json", "phishtank.csv"]},
                         tmp_path)
    assert bl.match_url("https://PHISH-ONE.example/login") == "openphish"  # trailing slash, case
    assert bl.match_url("https://phish-two.example/a?b=1#frag") == "phishtank"
    assert bl.match_url("https://phish-three.example/x") == "phishtank"
    assert bl.match_url("https://phish-four.example/z") == "phishtank"
    assert bl.match_url("https://phish-one.example/other") is None
    assert bl.match_host("login.bad-domain.example") == ("bad-domain.example", "local-domains")
    assert bl.match_host("a.b.evil-cdn.example") == ("evil-cdn.example", "local-domains")
    assert bl.match_host("notbad-domain.example") is None


def test_engine_uses_configured_blocklists(tmp_path: Path) -> None:
    write_feeds(tmp_path)
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text('[blocklists]\nfiles = ["openphish.txt", "local-domains.txt"]\nnames = ["openphish", "local"]\n')
    eng = Engine(config=load_config(cfg), analyzers=["links"])
    hit = eng.scan(html_message(link("https://phish-one.example/login", "Sign in")))
    finding = next(f for f in hit.findings if f.symbol == "URL_BLOCKLISTED")
    assert "openphish" in finding.evidence[0]
    # unwrapped first: a Safe Links wrapper does not hide a listed domain
    wrapped = "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fcdn.bad-domain.example%2Fp"
    assert "URL_BLOCKLISTED" in {f.symbol for f in eng.scan(html_message(link(wrapped, "Open"))).findings}
    clean = eng.scan(text_message("See https://www.wikipedia.org/ for details."))
    assert "URL_BLOCKLISTED" not in {f.symbol for f in clean.findings}


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text('[blocklists]\nfiles = ["nope.txt"]\n')
    with pytest.raises(ConfigError):
        Engine(config=load_config(cfg), analyzers=["links"])
    cfg.write_text('[blocklists]\nfiles = ["nope.txt"]\nmissing_ok = true\n')
    Engine(config=load_config(cfg), analyzers=["links"])


def test_no_blocklists_by_default(engine) -> None:
    found = {f.symbol for f in engine.scan(html_message(link("https://phish-one.example/login", "x"))).findings}
    assert "URL_BLOCKLISTED" not in found

"""The HTTP API: scan, symbols, health, metrics, token auth, size limits, clear 4xx errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mailwarden.config import ConfigError
from mailwarden.engine import Engine
from mailwarden.frontends.http import ApiSettings, create_app
from mailwarden.frontends.pool import ScanPool
from support.stub_engine import StubEngine

from conftest import make_message

TOKEN = "t" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPO = Path(__file__).resolve().parent.parent


def client(engine=None, **kw) -> TestClient:
    settings = ApiSettings(token=TOKEN, **kw)
    pool = ScanPool(engine or Engine(), workers=0, timeout=settings.timeout, failure_action="tempfail")
    return TestClient(create_app(pool, settings))


MSG = make_message({"From": "Shop <orders@example-shop.test>", "To": "user@example.org", "Subject": "Order",
                    "Message-ID": "<o1@example-shop.test>"}, "Your order shipped.\n")


def test_scan_returns_contract_verdict_with_envelope_from_query():
    c = client()
    r = c.post("/v1/scan", content=MSG, headers=AUTH,
               params={"ip": "192.0.2.5", "helo": "mx.example-shop.test", "mail_from": "b@example-shop.test",
                       "rcpt": ["user@example.org", "other@example.org"]})
    assert r.status_code == 200, r.text
    v = r.json()
    assert set(v) >= {"file", "message_id", "action", "score", "summary", "findings", "from", "envelope", "auth",
                      "platform", "urls", "phones", "campaign", "limits"}
    assert v["message_id"] == "<o1@example-shop.test>"
    assert v["from"]["address"] == "orders@example-shop.test"
    assert v["envelope"] == {"ip": "192.0.2.5", "helo": "mx.example-shop.test", "mail_from": "b@example-shop.test",
                             "rcpt": ["user@example.org", "other@example.org"], "derived": False}
    direct = Engine().scan(MSG, None).to_dict()
    assert (v["action"], v["score"], v["findings"]) == (direct["action"], direct["score"], direct["findings"])


def test_envelope_from_headers():
    r = client().post("/v1/scan", content=MSG, headers={**AUTH, "X-Envelope-IP": "2001:db8::1",
                                                         "X-Envelope-Rcpt": "a@example.org, b@example.org"})
    assert r.json()["envelope"]["ip"] == "2001:db8::1"
    assert r.json()["envelope"]["rcpt"] == ["a@example.org", "b@example.org"]


def test_smtp_auth_login_feeds_the_submission_check():
    """`auth_user` (query) or X-Envelope-Auth-User: an account writing a From it does not own is flagged."""
    c = client()

    def symbols(**kw) -> set[str]:
        r = c.post("/v1/scan", content=MSG, **kw)
        assert r.status_code == 200, r.text
        assert "auth_user" not in r.json()["envelope"]
        return {f["symbol"] for f in r.json()["findings"]}

    assert "SUBMISSION_FROM_NOT_OWNED" in symbols(headers=AUTH, params={"auth_user": "mallory@other.test"})
    assert "SUBMISSION_FROM_NOT_OWNED" in symbols(headers={**AUTH, "X-Envelope-Auth-User": "mallory@other.test"})
    assert "SUBMISSION_FROM_NOT_OWNED" not in symbols(headers=AUTH, params={"auth_user": "orders@example-shop.test"})
    assert "SUBMISSION_FROM_NOT_OWNED" not in symbols(headers=AUTH)
    bad = c.post("/v1/scan", content=MSG, headers={**AUTH, "X-Envelope-Auth-User": "a\x01b"})
    assert bad.status_code == 400 and "auth_user" in bad.text


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-wrong-token"},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_token_required(headers):
    c = client()
    for method, path in (("post", "/v1/scan"), ("get", "/v1/symbols"), ("get", "/metrics")):
        r = getattr(c, method)(path, headers=headers, **({"content": MSG} if method == "post" else {}))
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json() == {"detail": "missing or wrong bearer token"}


def test_healthz_needs_no_token():
    r = client().get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_size_limit_and_bad_input():
    c = client(max_body_bytes=1000)
    r = c.post("/v1/scan", content=MSG + b"x" * 2000, headers=AUTH)
    assert r.status_code == 413 and "larger than 1000" in r.json()["detail"]

    def chunks():
        for _ in range(10):
            yield b"y" * 500
    r = c.post("/v1/scan", content=chunks(), headers=AUTH)  # no Content-Length: streamed and cut off
    assert r.status_code == 413
    r = c.post("/v1/scan", content=b"", headers=AUTH)
    assert r.status_code == 400 and "empty body" in r.json()["detail"]
    r = c.post("/v1/scan", content=MSG, headers=AUTH, params={"ip": "not-an-ip"})
    assert r.status_code == 400 and "not an IP" in r.json()["detail"]
    r = c.post("/v1/scan", content=MSG, headers={**AUTH, "X-Envelope-IP": "999.1.1.1"})
    assert r.status_code == 400 and "not an IP" in r.json()["detail"]
    r = c.post("/v1/scan", content=MSG, headers=AUTH, params={"helo": "a\nb"})
    assert r.status_code == 422


def test_engine_failure_answers_with_failure_action():
    r = client(StubEngine()).post("/v1/scan", content=make_message({"Subject": "ACTION:crash"}), headers=AUTH)
    assert r.status_code == 200
    assert r.json()["action"] == "tempfail" and r.json()["findings"][0]["symbol"] == "ENGINE_ERROR"


def test_symbols_and_metrics():
    c = client()
    syms = c.get("/v1/symbols", headers=AUTH).json()
    assert any(s["symbol"] == "ENGINE_ERROR" for s in syms)
    c.post("/v1/scan", content=MSG, headers=AUTH)
    c.post("/v1/scan", content=b"", headers=AUTH)
    text = c.get("/metrics", headers=AUTH).text
    assert 'mailwarden_scans_total{frontend="api",action="accept"} 1' in text
    assert 'mailwarden_requests_rejected_total{frontend="api",status="400"} 1' in text
    assert 'mailwarden_scan_seconds_count{frontend="api"} 1' in text


def test_committed_openapi_document_matches_the_app():
    committed = json.loads((REPO / "docs" / "openapi.json").read_text())
    assert client().app.openapi() == committed, "regenerate with: python -m mailwarden.frontends.http > docs/openapi.json"


def test_settings_validation(tmp_path):
    with pytest.raises(ConfigError, match="needs token"):
        ApiSettings.from_section({})
    with pytest.raises(ConfigError, match="at least 16"):
        ApiSettings.from_section({"token": "short"})
    with pytest.raises(ConfigError, match="listen must be HOST:PORT"):
        ApiSettings.from_section({"token": TOKEN, "listen": "8080"})
    (tmp_path / "tok").write_text(TOKEN + "\n")
    assert ApiSettings.from_section({"token_file": str(tmp_path / "tok")}).token == TOKEN
    assert ApiSettings.from_section({"allow_anonymous": True}).token == ""

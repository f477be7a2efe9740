"""The HTTP API (FastAPI): `POST /v1/scan`, `GET /v1/symbols`, `/healthz`, `/metrics`.

`POST /v1/scan` takes the raw RFC 5322 message as the request body and the SMTP envelope
as query parameters (`ip`, `helo`, `mail_from`, `rcpt` repeated, `auth_user`) or headers
(`X-Envelope-IP`, `X-Envelope-HELO`, `X-Envelope-From`, `X-Envelope-Rcpt` comma-separated,
`X-Envelope-Auth-User`); query parameters win. `auth_user` is the SMTP AUTH login the caller's
MTA verified; it feeds the submission checks and is not echoed in the verdict. It answers with
one Verdict object as docs/CONTRACT.md defines it.

Authentication: `Authorization: Bearer <[api] token>` on everything but `/healthz`. The
request body is capped at `[api] max_body_bytes` (413 beyond). Scans run in a `ScanPool`,
so a timeout or an internal error still answers 200 with the configured failure action.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _pkg_version
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mailwarden.config import ConfigError
from mailwarden.envelope import Envelope, valid_ip
from mailwarden.frontends.metrics import Metrics
from mailwarden.frontends.pool import ScanPool
from mailwarden.frontends.settings import apply_section

log = logging.getLogger(__name__)

NO_CONTROLS = r"^[^\x00-\x1f\x7f]*$"
IP_SCHEMA: dict[str, Any] = {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}
API_VERSION = "1.0.0"  # the HTTP API's version (the /v1 paths), not the package's

try:
    VERSION = _pkg_version("mailwarden")
except PackageNotFoundError:  # running from a source tree without installing
    VERSION = "0+unknown"


@dataclass
class ApiSettings:
    listen: str = "127.0.0.1:8025"  # HOST:PORT for uvicorn
    token: str = ""  # required unless allow_anonymous
    token_file: str = ""  # read the token from this file instead (keeps it out of the config)
    allow_anonymous: bool = False  # only for a loopback-only deployment behind another gate
    max_body_bytes: int = 10 * 1024 * 1024
    workers: int = 0  # scan worker processes; 0 scans on threads in the API process
    timeout: float = 20.0
    failure_action: str = "tempfail"

    @classmethod
    def from_section(cls, section: dict, *, failure_action: str = "tempfail", source: str = "config") -> ApiSettings:
        s = cls(failure_action=failure_action)
        apply_section(s, section, "api", source)
        if s.token_file:
            try:
                with open(s.token_file, encoding="utf-8") as fh:
                    s.token = fh.read().strip()
            except OSError as exc:
                raise ConfigError(f"{source}: [api] token_file: cannot read {s.token_file}: "
                                  f"{exc.strerror or exc}") from None
        if not s.token and not s.allow_anonymous:
            raise ConfigError(f"{source}: [api] needs token (or token_file); set allow_anonymous = true "
                              "to run without authentication")
        if s.token and len(s.token) < 16:
            raise ConfigError(f"{source}: [api] token must be at least 16 characters")
        host, sep, port = s.listen.rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise ConfigError(f"{source}: [api] listen must be HOST:PORT")
        if s.max_body_bytes <= 0 or s.timeout <= 0 or s.workers < 0:
            raise ConfigError(f"{source}: [api] max_body_bytes and timeout must be > 0, workers >= 0")
        return s

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


# ---- response models: the CONTRACT.md Verdict, so the OpenAPI document describes it ----

Action = Literal["accept", "tag", "quarantine", "reject", "tempfail"]


class FindingModel(BaseModel):
    symbol: str
    weight: float
    description: str = Field(description="The symbol's catalogue text.")
    detail: str = Field(description="This message's sentence.")
    evidence: list[str]


class FromModel(BaseModel):
    address: str | None = None
    domain: str | None = None
    display_name: str | None = None
    ambiguous: bool = False


class EnvelopeModel(BaseModel):
    ip: str | None = None
    helo: str | None = None
    mail_from: str | None = None
    rcpt: list[str] = []
    derived: bool = False


class ResultModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    result: str
    domain: str | None = None


class DkimModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    result: str
    domain: str | None = None
    selector: str | None = None


class DmarcModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    result: str
    domain: str | None = None
    policy: str | None = None


class ArcModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    result: str


class AuthModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    spf: ResultModel | None = None
    dkim: list[DkimModel] = []
    dmarc: DmarcModel | None = None
    arc: ArcModel | None = None
    source: str = "computed"


class PlatformModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    authenticated: bool


class VerdictModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    file: str | None = None
    message_id: str | None = None
    action: Action
    score: float
    summary: str
    findings: list[FindingModel]
    from_: FromModel = Field(alias="from")
    envelope: EnvelopeModel
    auth: AuthModel
    platform: PlatformModel | None = None
    urls: list[str]
    phones: list[str]
    campaign: str | None = None
    limits: list[str]
    authentication_results: str | None = None


class SymbolModel(BaseModel):
    symbol: str
    weight: float
    group: str
    description: str
    expression: str | None = None


class HealthModel(BaseModel):
    status: Literal["ok"]
    version: str


class ErrorModel(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorModel, "description": "Bad input (empty body, bad envelope)."},
    401: {"model": ErrorModel, "description": "Missing or wrong bearer token."},
    413: {"model": ErrorModel, "description": "Body larger than the configured limit."},
}

RAW_BODY = {"requestBody": {"required": True, "description": "The raw RFC 5322 message, as received.",
                            "content": {"application/octet-stream": {"schema": {"type": "string", "minLength": 1,
                                                                                "format": "binary"}}}}}


def create_app(pool: ScanPool, settings: ApiSettings, *, symbols: list[dict] | None = None) -> FastAPI:
    """The API around a scan pool. `symbols` defaults to the pool engine's catalogue."""
    app = FastAPI(title="mailwarden", version=API_VERSION,
                  description="Email security engine: authentication says who sent a message, never whether "
                              "it is safe. Every point of score carries a symbol, a sentence and evidence.")
    metrics = Metrics("api")
    app.state.metrics = metrics
    app.state.pool = pool
    symbol_rows = symbols if symbols is not None else _symbol_rows(pool.engine)

    async def authorised(authorization: Annotated[str | None, Header(include_in_schema=False)] = None) -> None:
        if not settings.token:
            return
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.token.encode()):
            metrics.rejected(401)
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.get("/healthz", response_model=HealthModel, tags=["operations"])
    async def healthz() -> dict:
        """Liveness: the process is up and answering."""
        return {"status": "ok", "version": VERSION}

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"],
             dependencies=[Depends(authorised)], responses={401: ERRORS[401]})
    async def prometheus_metrics() -> PlainTextResponse:
        """Prometheus text format: scans by action, failures, in-flight scans, scan latency."""
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    @app.get("/v1/symbols", response_model=list[SymbolModel], tags=["scan"], dependencies=[Depends(authorised)],
             responses={401: ERRORS[401]})
    async def list_symbols() -> list[dict]:
        """The symbol catalogue and the policy's composites, with their current weights."""
        return symbol_rows

    @app.post("/v1/scan", response_model=VerdictModel, response_model_by_alias=True, tags=["scan"],
              dependencies=[Depends(authorised)], openapi_extra=RAW_BODY, responses=ERRORS)
    async def scan(
        request: Request,
        ip: Annotated[str | None, Query(description="SMTP client IP address (IPv4 or IPv6).",
                                        json_schema_extra=IP_SCHEMA)] = None,
        helo: Annotated[str | None, Query(description="SMTP HELO/EHLO name.", max_length=255,
                                          pattern=NO_CONTROLS)] = None,
        mail_from: Annotated[str | None, Query(description="SMTP MAIL FROM (empty for the null sender).",
                                               max_length=512, pattern=NO_CONTROLS)] = None,
        rcpt: Annotated[list[Annotated[str, StringConstraints(max_length=512, pattern=NO_CONTROLS)]] | None,
                        Query(description="SMTP RCPT TO, repeatable.", max_length=100)] = None,
        auth_user: Annotated[str | None, Query(description="The SMTP AUTH login your MTA verified for this "
                                               "message (submission checks); not echoed in the verdict.",
                                               max_length=512, pattern=NO_CONTROLS)] = None,
        x_envelope_ip: Annotated[str | None, Header(include_in_schema=False)] = None,
        x_envelope_helo: Annotated[str | None, Header(include_in_schema=False)] = None,
        x_envelope_from: Annotated[str | None, Header(include_in_schema=False)] = None,
        x_envelope_rcpt: Annotated[str | None, Header(include_in_schema=False)] = None,
        x_envelope_auth_user: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> dict:
        """Scan one raw message; the answer is one Verdict (docs/CONTRACT.md)."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
            metrics.rejected(413)
            raise HTTPException(413, f"message larger than {settings.max_body_bytes} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_body_bytes:
                metrics.rejected(413)
                raise HTTPException(413, f"message larger than {settings.max_body_bytes} bytes")
        if not body:
            metrics.rejected(400)
            raise HTTPException(400, "empty body: send the raw message as the request body")
        envelope = _envelope(ip if ip is not None else x_envelope_ip, helo if helo is not None else x_envelope_helo,
                             mail_from if mail_from is not None else x_envelope_from,
                             rcpt if rcpt else _split(x_envelope_rcpt), metrics,
                             auth_user if auth_user is not None else x_envelope_auth_user)
        metrics.in_flight += 1
        t0 = time.monotonic()
        try:
            verdict = await pool.scan(bytes(body), envelope)
        finally:
            metrics.in_flight -= 1
        metrics.observe(verdict.action, time.monotonic() - t0, "engine_error" in verdict.limits)
        return verdict.to_dict()

    return app


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _clean(value: str | None, what: str, metrics: Metrics) -> str | None:
    if value is None:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        metrics.rejected(400)
        raise HTTPException(400, f"{what} contains control characters")
    return value


def _envelope(ip: str | None, helo: str | None, mail_from: str | None, rcpt: list[str],
              metrics: Metrics, auth_user: str | None = None) -> Envelope | None:
    if ip is None and helo is None and mail_from is None and not rcpt and not auth_user:
        return None
    if ip is not None and valid_ip(ip) is None:
        metrics.rejected(400)
        raise HTTPException(400, f"ip {ip[:64]!r} is not an IP address")
    rcpts = [_clean(r, "rcpt", metrics) or "" for r in rcpt]
    return Envelope(ip=valid_ip(ip), helo=_clean(helo, "helo", metrics), mail_from=_clean(mail_from, "mail_from",
                                                                                          metrics), rcpt=rcpts,
                    auth_user=(_clean(auth_user, "auth_user", metrics) or "").strip() or None)


def _symbol_rows(engine: Any) -> list[dict]:
    if engine is None or not hasattr(engine, "catalogue"):
        return []
    rows = [{"symbol": s.name, "weight": engine.policy.weight(s.name, engine.catalogue), "group": s.group,
             "description": s.description} for s in sorted(engine.catalogue.values(), key=lambda s: (s.group, s.name))]
    rows += [{"symbol": c.name, "weight": c.weight, "group": "composite", "description": c.description,
              "expression": c.expression} for c in engine.policy.composites]
    return rows


def openapi_document() -> dict:
    """The OpenAPI document of the app as configured by default (what docs/openapi.json holds)."""
    from mailwarden.engine import Engine

    engine = Engine()
    return create_app(ScanPool(engine, workers=0), ApiSettings(token="x" * 16)).openapi()


if __name__ == "__main__":  # python -m mailwarden.frontends.http > docs/openapi.json
    import json
    import sys

    sys.stdout.write(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")

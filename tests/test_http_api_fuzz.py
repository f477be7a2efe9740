"""Schemathesis fuzzes the API from its own OpenAPI document: no 5xx, answers match the document.

Bounded (a few dozen examples per operation) so it stays well under a minute.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from mailwarden.engine import Engine
from mailwarden.frontends.http import ApiSettings, create_app
from mailwarden.frontends.pool import ScanPool

TOKEN = "fuzz-token-0123456789"
app = create_app(ScanPool(Engine(), workers=0, timeout=10), ApiSettings(token=TOKEN, max_body_bytes=64 * 1024))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

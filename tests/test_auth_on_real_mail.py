"""Invariants over the shared real-mail corpus (skipped when absent). Real signing keys cannot be
fetched here, so these messages can only be judged through trusted upstream results: these tests
check that what is believed always comes from the provider's own hop, never from below it, and
that our header always reads back."""

from __future__ import annotations

import pytest

from mailwarden.config import config_from_dict
from mailwarden.context import ScanContext
from mailwarden.dns import NullResolver
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.message import Message
from mailwarden.upstream import PROVIDERS, _after_trace, authres_headers, believe, receiving_hop

from conftest import shared_path

authres = pytest.importorskip("authres")

WORDS = {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"}
PROVIDERS_USED = ["microsoft", "google", "proton"]


@pytest.fixture(scope="module")
def engine():
    cfg = config_from_dict({"trusted_upstream": PROVIDERS_USED, "authserv_id": "gw.test.invalid"})
    return Engine(config=cfg, resolver=NullResolver(), analyzers=["headers", "auth"])


def _run(engine, raw):
    msg = Message.parse(raw, engine.limits)
    ctx = ScanContext(engine=engine, envelope=derive_envelope(msg), deadline=float("inf"))
    for a in engine.analyzers:
        list(a.analyze(msg, ctx))
    return msg, ctx


@pytest.mark.parametrize("folder", ["phish", "trusted_abuse", "trusted_legit", "ham_modern"])
def test_believed_results_come_only_from_the_providers_own_hop(engine, folder):
    files = sorted(shared_path("corpus", folder).glob("*.eml"))
    upstream = 0
    for f in files:
        msg, ctx = _run(engine, f.read_bytes())
        a = ctx.auth
        assert a["spf"]["result"] in WORDS and a["dmarc"]["result"] in WORDS and a["arc"]["result"] in WORDS
        assert all(d["result"] in WORDS for d in a["dkim"])
        if a["source"] == "computed":
            # with no DNS at all nothing we compute may pass
            assert a["dmarc"]["result"] != "pass" and all(d["result"] != "pass" for d in a["dkim"]), f.name
            continue
        upstream += 1
        name = a["source"].split(":", 1)[1]
        up = believe(msg, [name])
        hop = receiving_hop(msg, PROVIDERS[name])
        assert up is not None and hop is not None and up.hop_index == hop[0]
        prov = PROVIDERS[name]
        relocated = {s.index for s in _after_trace(msg, authres_headers(msg))} if prov.relocates_results else set()
        assert all((s.index < hop[0] or s.index in relocated) and prov.writes(s.header) for s in up.believed), f.name
        # our header reads back, in an independent parser, to the results we report
        parsed = authres.AuthenticationResultsHeader.parse(
            "Authentication-Results: " + ctx.authentication_results.replace("\r\n\t", " "))
        got = {r.method: r.result for r in parsed.results}
        assert got["dmarc"] == a["dmarc"]["result"] and got["spf"] == a["spf"]["result"], f.name
    if folder == "trusted_abuse":
        # these were collected from provider mailboxes: nearly all must be recognised as such
        assert upstream >= 0.8 * len(files)

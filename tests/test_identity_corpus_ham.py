"""On the shared corpus's legitimate folders the identity-layer symbols alone must not tag mail."""

import time

import pytest

from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.message import Message

from conftest import shared_path

GROUPS = {"headers", "identity", "routing"}


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["ham", "ham_modern", "trusted_legit"])
def test_identity_symbols_alone_do_not_tag_ham(folder):
    root = shared_path("corpus", folder)
    eng = Engine(trusted_upstream=["microsoft", "google", "proton"])
    tag = eng.policy.thresholds.get("tag", 5.0)
    files = sorted(p for p in root.iterdir() if p.is_file())
    tagged = []
    for f in files:
        msg = Message.parse(f.read_bytes(), eng.limits)
        ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 30)
        for a in eng.analyzers:
            ctx.findings.extend(a.analyze(msg, ctx) or ())
        mine = {x.symbol for x in ctx.findings
                if x.symbol in eng.catalogue and eng.catalogue[x.symbol].group in GROUPS}
        if sum(eng.policy.weight(s, eng.catalogue) for s in mine) >= tag:
            tagged.append(f.name)
    assert len(tagged) <= 0.002 * len(files), tagged[:10]

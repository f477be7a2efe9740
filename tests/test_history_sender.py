"""Sender history: first contact, new Reply-To on a platform sender, unusual link domains, bursts,
campaigns already judged malicious — and a stateless engine that remembers nothing."""

from __future__ import annotations

import os
import random

from history_mailgen import campaign_variant
from mailwarden.analyzers.base import Analyzer
from mailwarden.config import Config
from mailwarden.engine import Engine
from mailwarden.findings import Finding
from mailwarden.symbols import Symbol

from conftest import make_message

BODY = ("Hi, here are the notes from yesterday's meeting about the quarterly plan and the budget review. "
        "Please read them before Thursday and tell me what is missing. See {url} for the slides.\n")


def engine_with(tmp_path, **history) -> Engine:
    cfg = Config(sections={"history": {"first_contact_warmup": 0, **history}})
    return Engine(config=cfg, state_dir=str(tmp_path))


def mail(sender: str, url: str = "https://docs.partner.example/notes/q3", reply_to: str | None = None,
         subject: str = "meeting notes") -> bytes:
    headers = [("From", sender), ("To", "me@corp.example"), ("Subject", subject)]
    if reply_to:
        headers.append(("Reply-To", reply_to))
    return make_message(headers, BODY.format(url=url))


def symbols(v) -> set[str]:
    return {f.symbol for f in v.findings}


def test_stateless_engine_opens_nothing_and_writes_nothing(tmp_path):
    before = set(os.listdir(tmp_path))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        e = Engine()
        v = e.scan(mail("a@one.test"))
    finally:
        os.chdir(cwd)
    assert e.store is None
    assert v.campaign is None
    assert not any(s.startswith(("HISTORY_", "CAMPAIGN_")) for s in symbols(v))
    assert set(os.listdir(tmp_path)) == before


def test_first_contact_then_known(tmp_path):
    e = engine_with(tmp_path)
    assert "HISTORY_FIRST_CONTACT" in symbols(e.scan(mail("carol@partner.example")))
    assert "HISTORY_FIRST_CONTACT" not in symbols(e.scan(mail("carol@partner.example")))


def test_first_contact_waits_for_a_warm_store(tmp_path):
    e = engine_with(tmp_path, first_contact_warmup=3)
    for i in range(3):
        assert "HISTORY_FIRST_CONTACT" not in symbols(e.scan(mail(f"p{i}@partner.example")))
    assert "HISTORY_FIRST_CONTACT" in symbols(e.scan(mail("newcomer@else.example")))


def test_reply_to_never_seen(tmp_path):
    e = engine_with(tmp_path)
    e.scan(mail("dave@partner.example"))
    v = e.scan(mail("dave@partner.example", reply_to="dave.partner@freemail.test"))
    assert "HISTORY_REPLY_TO_FIRST_CONTACT" in symbols(v)
    assert "HISTORY_FIRST_CONTACT" not in symbols(v)


class FakePlatform(Analyzer):
    """Stands in for the platform analyzer: an authenticated platform sender with a tenant name."""

    name = "fake_platform"

    def analyze(self, msg, ctx):
        ctx.platform = {"name": "microsoft", "authenticated": True, "tenant": "Contoso Billing"}
        return ()


def test_platform_sender_with_new_reply_to(tmp_path):
    e = engine_with(tmp_path)
    e.analyzers.insert(0, FakePlatform())
    sender = "no-reply@platform.example"
    e.scan(mail(sender, reply_to="billing@contoso.example"))
    assert "HISTORY_PLATFORM_NEW_REPLY_TO" not in symbols(e.scan(mail(sender, reply_to="billing@contoso.example")))
    v = e.scan(mail(sender, reply_to="refunds-desk@freemail.test"))
    assert "HISTORY_PLATFORM_NEW_REPLY_TO" in symbols(v)


def test_known_sender_linking_somewhere_new(tmp_path):
    e = engine_with(tmp_path, sender_known_after=3)
    for _ in range(3):
        e.scan(mail("erin@partner.example", url="https://docs.partner-cdn.example/notes/q3"))
    v = e.scan(mail("erin@partner.example", url="https://login-partner.example/verify"))
    assert "HISTORY_SENDER_NEW_LINK_DOMAIN" in symbols(v)
    v = e.scan(mail("erin@partner.example", url="https://docs.partner-cdn.example/notes/q4"))
    assert "HISTORY_SENDER_NEW_LINK_DOMAIN" not in symbols(v)


def test_burst_of_one_landing_page_from_many_senders(tmp_path):
    e = engine_with(tmp_path, burst_senders=4)
    landing = "https://pay-portal.example/invoice/view"
    texts = ["Your invoice is ready, open it here {u} and pay within two days to avoid a late fee on the account.",
             "Payment reminder. The document is waiting for you at {u} please settle the balance today thanks.",
             "Hello, the statement for this month can be viewed at {u} let us know if anything looks wrong there.",
             "Final reminder about the open balance on your account, see {u} for the details and payment options."]
    got = []
    for i, t in enumerate(texts):
        raw = make_message({"From": f"billing{i}@sender{i}.test", "Subject": f"invoice {i}"},
                           t.format(u=f"{landing}?r={i}a8f3k2"))
        got.append(symbols(e.scan(raw)))
    assert not any("CAMPAIGN_BURST_URL" in s for s in got[:3])
    assert "CAMPAIGN_BURST_URL" in got[3]


def test_burst_ignores_a_senders_own_site(tmp_path):
    e = engine_with(tmp_path, burst_senders=2)
    for i in range(4):
        v = e.scan(mail(f"user{i}@partner.example", url="https://partner.example/notes"))
        assert "CAMPAIGN_BURST_URL" not in symbols(v)


def test_campaign_marked_malicious_raises_new_members(tmp_path):
    e = engine_with(tmp_path)
    rng = random.Random(11)
    vs = [e.scan(campaign_variant(i, rng)) for i in range(3)]
    cid = vs[-1].campaign
    assert cid
    e.store.mark_campaign(cid, "malicious", 10.0, e.policy.action_for, "test")
    v = e.scan(campaign_variant(3, rng))
    assert "CAMPAIGN_MARKED_MALICIOUS" in symbols(v)
    assert v.campaign == cid
    assert v.action in ("quarantine", "reject")


def test_a_quarantined_member_taints_later_members(tmp_path):
    e = engine_with(tmp_path)
    e.catalogue["TEST_BAD"] = Symbol("TEST_BAD", 12.0, "a test symbol", "test")
    rng = random.Random(3)
    first = e.scan(campaign_variant(0, rng))
    assert "CAMPAIGN_MALICIOUS_MEMBER" not in symbols(first)

    class Always(Analyzer):
        name = "always"

        def analyze(self, msg, ctx):
            yield Finding("TEST_BAD", "bad", ["x"])

    e.analyzers.insert(0, Always())
    bad = e.scan(campaign_variant(1, rng))
    assert bad.action in ("quarantine", "reject")
    e.analyzers.pop(0)
    later = e.scan(campaign_variant(2, rng))
    assert "CAMPAIGN_MALICIOUS_MEMBER" in symbols(later)
    assert later.campaign == bad.campaign


def test_eval_options_use_a_copy_of_the_state(tmp_path):
    from mailwarden.engine_options import EngineOptions, build_engine

    e = engine_with(tmp_path)
    rng = random.Random(1)
    for i in range(3):
        e.scan(campaign_variant(i, rng))
    before = e.store.message_count()
    e.store.close()
    opts = EngineOptions(state=str(tmp_path), record=False)
    assert opts.state != str(tmp_path)
    e2 = build_engine(opts)
    v = e2.scan(campaign_variant(3, rng))
    assert v.campaign is not None  # the copy holds the history: it is used…
    assert e2.store.message_count() == before  # …but not written
    e3 = Engine(state_dir=str(tmp_path))
    assert e3.store.message_count() == before

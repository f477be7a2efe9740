"""A mail provider's own bounce: the learned model judges the returned message, not the provider's wording.

The model here is trained on synthetic mail in which "verify your account" wording means phishing,
and the report template is written in exactly those words, so that judging the whole report would
flag it. Only a known provider's authenticated report with a null sender is read this way.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mailwarden.engine import Engine
from mailwarden.model.train import learn
from platform_helpers import StubAuthFacts, _StubAuth
from test_learned_model import write_set

BOUNDARY = "report-boundary-1"
PHISHY_TEMPLATE = ("Verify your account to avoid suspension. Your mailbox storage is full, upgrade now.\n"
                   "Sign in to restore access to your messages.\n")
HARMLESS = ("From: Alex <alex@example.org>\r\nTo: nobody@gmail.com\r\nSubject: Lunch plans\r\n"
            "Message-ID: <l1@example.org>\r\n\r\nThe meeting moved to room 4 after lunch.\r\n")
PHISH = ("From: Alex <alex@example.org>\r\nTo: nobody@gmail.com\r\nSubject: Your account has been suspended\r\n"
         "Message-ID: <p1@example.org>\r\n\r\nWe detected unusual activity on your account.\r\n"
         "Click the link below to confirm your password.\r\nFailure to comply will result in permanent closure.\r\n")


def report(returned: str, sender: str = "mailer-daemon@googlemail.com", return_path: str = "<>") -> bytes:
    head = (f"Return-Path: {return_path}\r\nFrom: Mail Delivery Subsystem <{sender}>\r\nTo: alex@example.org\r\n"
            "Subject: Delivery Status Notification (Failure)\r\nMessage-ID: <dsn1@mx.example>\r\n"
            f'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; '
            f'boundary="{BOUNDARY}"\r\n\r\n')
    parts = [("text/plain; charset=utf-8", PHISHY_TEMPLATE.replace("\n", "\r\n")),
             ("message/delivery-status", "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; "
              "nobody@gmail.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"),
             ("message/rfc822", returned)]
    body = "".join(f"--{BOUNDARY}\r\nContent-Type: {ct}\r\n\r\n{text}\r\n" for ct, text in parts)
    return (head + body + f"--{BOUNDARY}--\r\n").encode()


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    base: Path = tmp_path_factory.mktemp("dsn-model")
    items = [(p.read_bytes(), 1) for p in write_set(base / "phish", "phish", 40, 11).iterdir()]
    items += [(p.read_bytes(), 0) for p in write_set(base / "ham", "ham", 40, 12).iterdir()]
    random.Random(3).shuffle(items)
    learn(base / "state", items)
    eng = Engine(analyzers=["headers", "lures", "model"], state_dir=str(base / "state"))
    eng.record_history = False
    return eng


def scan(engine: Engine, raw: bytes, authenticated: list[str]):  # noqa: ANN201 - a Verdict
    saved = list(engine.analyzers)
    engine.analyzers = [_StubAuth(StubAuthFacts(authenticated, "pass" if authenticated else "none"))] + saved
    try:
        return engine.scan(raw)
    finally:
        engine.analyzers = saved


def model_finding(verdict):  # noqa: ANN001, ANN201
    return next((f for f in verdict.findings if f.symbol == "MODEL_PHISH"), None)


def test_providers_bounce_of_harmless_mail_is_not_judged_on_its_template(engine: Engine) -> None:
    v = scan(engine, report(HARMLESS), ["googlemail.com"])
    found = model_finding(v)
    assert found is None or found.weight < 2.5


def test_providers_bounce_returning_a_lure_is_still_flagged(engine: Engine) -> None:
    # backscatter: mail forged in the recipient's name comes back inside a genuine report
    found = model_finding(scan(engine, report(PHISH), ["googlemail.com"]))
    assert found is not None and found.weight > 2.5
    assert "returned in this delivery report" in found.detail


@pytest.mark.parametrize("case", ["unknown domain", "not authenticated", "not a bounce"])
def test_report_shaped_mail_is_judged_whole_otherwise(engine: Engine, case: str) -> None:
    if case == "unknown domain":  # anyone can write a report template on their own domain
        raw, auth = report(HARMLESS, sender="mailer-daemon@bounce-notices.example"), ["bounce-notices.example"]
    elif case == "not authenticated":
        raw, auth = report(HARMLESS), []
    else:  # a real bounce has a null sender
        raw, auth = report(HARMLESS, return_path="<billing@googlemail.com>"), ["googlemail.com"]
    found = model_finding(scan(engine, raw, auth))
    assert found is not None and found.weight > 2.5
    assert "this message" in found.detail

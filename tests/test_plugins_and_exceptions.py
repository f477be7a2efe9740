"""Third-party analyzers load like built-ins; admin exceptions are explicit and visible."""

import sys
import textwrap

from mailwarden.config import ConfigError, config_from_dict
from mailwarden.engine import Engine

from conftest import make_message


def test_entry_point_plugin_runs_like_a_builtin(tmp_path, monkeypatch):
    (tmp_path / "mw_demo_plugin.py").write_text(textwrap.dedent('''
        from mailwarden.analyzers.base import Analyzer
        from mailwarden.findings import Finding
        from mailwarden.symbols import Symbol

        class Shouty(Analyzer):
            name = "shouty"
            def symbols(self):
                return {"SHOUTY_SUBJECT": Symbol("SHOUTY_SUBJECT", 6.0, "Subject in capitals", "plugin")}
            def analyze(self, msg, ctx):
                if msg.subject.isupper():
                    yield Finding("SHOUTY_SUBJECT", "The subject shouts.", [msg.subject])
    '''))
    dist = tmp_path / "mw_demo_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mw-demo-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[mailwarden.analyzers]\nshouty = mw_demo_plugin:Shouty\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    engine = Engine()
    assert engine.analyzer("shouty") is not None
    v = engine.scan(make_message({"From": "a@example.test", "Subject": "BUY NOW"}))
    assert [f for f in v.findings if f.symbol == "SHOUTY_SUBJECT"][0].weight == 6.0
    assert v.action == "tag"
    sys.modules.pop("mw_demo_plugin", None)


def _policy_tagging_everything(tmp_path):
    from mailwarden.policy import load_policy

    p = tmp_path / "p.toml"
    p.write_text("[symbols.FROM_MULTIPLE_MAILBOXES]\nweight = 20\n")
    return load_policy(p)


def test_admin_exception_forces_action_and_is_a_finding(tmp_path):
    cfg = config_from_dict({"exceptions": [{"sender": "*@partner.test", "action": "accept",
                                            "reason": "vendor ticket 42"}]})
    engine = Engine(_policy_tagging_everything(tmp_path), cfg)
    raw = make_message({"From": "a@partner.test, b@partner.test", "Subject": "x"})
    v = engine.scan(raw)
    assert v.action == "accept" and v.score >= 15
    exc = [f for f in v.findings if f.symbol == "ADMIN_EXCEPTION"]
    assert exc and "vendor ticket 42" in exc[0].detail and "sender=*@partner.test" in exc[0].evidence


def test_exception_that_does_not_match_changes_nothing(tmp_path):
    cfg = config_from_dict({"exceptions": [{"domain": "other.test", "action": "accept"}]})
    engine = Engine(_policy_tagging_everything(tmp_path), cfg)
    v = engine.scan(make_message({"From": "a@partner.test, b@partner.test"}))
    assert v.action == "reject"
    assert not any(f.symbol == "ADMIN_EXCEPTION" for f in v.findings)


def test_symbol_exception_neutralises_only_named_symbols(tmp_path):
    cfg = config_from_dict({"exceptions": [{"recipient": "ops@example.test",
                                            "symbols": ["FROM_MULTIPLE_MAILBOXES"]}]})
    engine = Engine(_policy_tagging_everything(tmp_path), cfg)
    from mailwarden.envelope import Envelope

    v = engine.scan(make_message({"From": "a@partner.test, b@partner.test"}), Envelope(rcpt=["ops@example.test"]))
    assert v.action == "accept"
    assert [f.weight for f in v.findings if f.symbol == "FROM_MULTIPLE_MAILBOXES"] == [0.0]


def test_exception_without_a_selector_is_refused():
    import pytest

    with pytest.raises(ConfigError, match="nothing is excepted implicitly"):
        config_from_dict({"exceptions": [{"action": "accept"}]})

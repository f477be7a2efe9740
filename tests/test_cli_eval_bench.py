import json
import subprocess
import sys

from mailwarden.frontends.cli.eval_cmd import threshold_at_fpr

from conftest import make_message


def _labelled(tmp_path):
    (tmp_path / "phish").mkdir()
    (tmp_path / "ham").mkdir()
    (tmp_path / "notes").mkdir()
    for i in range(3):
        (tmp_path / "phish" / f"{i}.eml").write_bytes(make_message([("From", "a@x.test"), ("From", "b@y.test")]))
        (tmp_path / "ham" / f"{i}.eml").write_bytes(make_message({"From": "c@z.test", "Subject": "hello"}))
    (tmp_path / "notes" / "n.eml").write_bytes(make_message({"From": "c@z.test"}))
    return tmp_path


def test_eval_json_report(tmp_path):
    d = _labelled(tmp_path)
    plot = tmp_path / "scores.png"
    r = subprocess.run([sys.executable, "-m", "mailwarden", "eval", str(d), "--json", "--plot", str(plot)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["folders"]["phish"] == {"n": 3, "flagged": 3, "rate": 1.0, "kind": "positive"}
    assert rep["folders"]["ham"]["flagged"] == 0 and rep["folders"]["notes"]["kind"] == "other"
    assert rep["tpr_at_fpr"]["0.01"]["tpr"] == 1.0
    assert rep["misclassified"] == []
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ["FROM_MULTIPLE_HEADERS", 1.0] in rep["top_symbols"]["phish"]


def test_threshold_sweep_respects_fpr():
    neg = [0.0] * 99 + [10.0]
    pos = [10.0, 12.0, 3.0, 1.0]
    r = threshold_at_fpr(neg, pos, 0.01)  # one negative at 10 is allowed: threshold 1 keeps every positive
    assert r["fpr"] == 0.01 and r["tpr"] == 1.0 and r["threshold"] == 1.0
    r = threshold_at_fpr(neg, pos, 0.005)
    assert r["threshold"] == 12.0 and r["tpr"] == 0.25


def test_bench_json_has_contract_fields(tmp_path):
    d = _labelled(tmp_path)
    r = subprocess.run([sys.executable, "-m", "mailwarden", "bench", str(d), "--json", "--jobs", "2",
                        "--analyzers", "none"], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    for k in ("messages", "jobs", "msgs_per_s", "p50_ms", "p95_ms", "p99_ms", "cpu_ms_per_msg", "peak_rss_mb"):
        assert k in rep
    assert rep["messages"] == 7 and rep["jobs"] == 2


def test_symbols_command_lists_catalogue():
    r = subprocess.run([sys.executable, "-m", "mailwarden", "symbols", "--format", "json"], capture_output=True,
                       timeout=60)
    rows = json.loads(r.stdout)
    names = {x["symbol"] for x in rows}
    assert {"MIME_TOO_DEEP", "FROM_MULTIPLE_HEADERS"} <= names
    assert all(x["description"] for x in rows)


def test_bench_reports_dns_off_unless_asked(tmp_path):
    d = _labelled(tmp_path)
    zone = tmp_path / "zone.json"
    zone.write_text("{}")
    modes = {}
    no_dns = tmp_path / "no-dns.toml"
    no_dns.write_text("[dns]\nenabled = false\n")
    for extra in ([], ["--dns-zone", str(zone)], ["--dns"], ["--dns", "--config", str(no_dns)]):
        r = subprocess.run([sys.executable, "-m", "mailwarden", "bench", str(d), "--json", "--analyzers", "none",
                            *extra], capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr
        modes[" ".join(x for x in extra if x.startswith("--"))] = json.loads(r.stdout)["dns"]
    # --dns asks the configured resolver: a config with DNS off keeps it off
    assert modes == {"": "off", "--dns-zone": "zone", "--dns": "live", "--dns --config": "off"}


def test_offline_options_never_build_a_live_resolver(tmp_path):
    from mailwarden.dns import NullResolver, StaticResolver
    from mailwarden.engine_options import EngineOptions, build_engine

    engine = build_engine(EngineOptions(offline=True))
    assert isinstance(engine.resolver, NullResolver)
    zone = tmp_path / "zone.json"
    zone.write_text('{"example.com": [["TXT", "v=spf1 -all"]]}')
    # a zone file answers offline: it wins over "no DNS"
    engine = build_engine(EngineOptions(offline=True, dns_zone=str(zone)))
    assert isinstance(engine.resolver, StaticResolver)
    assert engine.resolver.query("example.com", "TXT") == ["v=spf1 -all"]


def test_runner_without_verdicts_still_times_every_message(tmp_path):
    from mailwarden.engine_options import EngineOptions
    from mailwarden.inputs import iter_inputs
    from mailwarden.runner import Runner

    d = _labelled(tmp_path)
    items = [it for it in iter_inputs([str(d)]) if it.data is not None]
    for jobs in (1, 2):
        runner = Runner(EngineOptions(offline=True), jobs, keep_verdicts=False)
        try:
            results = list(runner.run(items))
        finally:
            runner.close()
        assert [r.label for r in results] == [it.label for it in items]
        assert all(r.verdict is None and r.error is None and r.seconds > 0 and r.cpu_s > 0 for r in results)
    runner = Runner(EngineOptions(offline=True), 1)
    assert all(r.verdict is not None for r in runner.run(items))

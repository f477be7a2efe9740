"""`scan --state`, `campaigns`, `campaigns mark` and `hunt` from the command line."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

from history_mailgen import campaign_variant, unrelated

CLI = [sys.executable, "-m", "mailwarden.frontends.cli"]


def run(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, timeout=180, cwd=cwd, env=dict(os.environ))


def test_scan_record_list_mark_and_hunt(tmp_path):
    rng = random.Random(9)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(6):
        (inbox / f"c{i}.eml").write_bytes(campaign_variant(i, rng))
    for i in range(4):
        (inbox / f"u{i}.eml").write_bytes(unrelated(i, rng))
    state = tmp_path / "state"
    r = run("scan", "--state", str(state), "--format", "jsonl", str(inbox))
    assert r.returncode in (0, 1), r.stderr
    verdicts = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(verdicts) == 10

    r = run("campaigns", "--state", str(state), "--format", "json")
    assert r.returncode == 0, r.stderr
    camps = json.loads(r.stdout)
    assert len(camps) == 1
    c = camps[0]
    for key in ("id", "size", "first_seen", "last_seen", "verdict", "pivots", "subjects", "members"):
        assert key in c
    assert c["size"] == 6
    # Unknown, or already malicious when other analyzers quarantined a member on their own.
    assert c["verdict"] in ("unknown", "malicious")
    assert c["first_seen"].endswith("Z")
    assert all(set(m) >= {"message_id", "file", "seen"} for m in c["members"])
    assert all(m["message_id"].startswith("<camp-") for m in c["members"])

    r = run("hunt", "--state", str(state), "--url", "https://mailbox-quota-upgrade.example/portal/login?uid=zz1",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 6
    r = run("hunt", "--state", str(state), "--url", "mailbox-quota-upgrade.example", "--format", "json")
    assert len(json.loads(r.stdout)) == 6
    r = run("hunt", "--state", str(state), "--campaign", c["id"], "--format", "json")
    assert len(json.loads(r.stdout)) == 6
    sender = verdicts[0]["from"]["address"]
    r = run("hunt", "--state", str(state), "--sender", sender, "--format", "json")
    assert [h["from"] for h in json.loads(r.stdout)] == [sender.lower()]
    r = run("hunt", "--state", str(state), "--phone", "+1 800 555 0199", "--format", "json")
    assert r.returncode == 1 and json.loads(r.stdout) == []

    r = run("campaigns", "mark", c["id"], "--malicious", "--state", str(state))
    assert r.returncode == 0, r.stderr
    r = run("hunt", "--state", str(state), "--campaign", c["id"], "--format", "json")
    rows = json.loads(r.stdout)
    assert {h["current_action"] for h in rows} <= {"quarantine", "reject"}
    at_scan = {v["message_id"]: v["action"] for v in verdicts}
    assert all(h["action"] == at_scan[h["message_id"]] for h in rows)  # the original verdict is kept
    assert all(len(h["rescores"]) == 1 for h in rows)
    r = run("campaigns", "--state", str(state), "--format", "json")
    assert json.loads(r.stdout)[0]["verdict"] == "malicious"
    assert json.loads(r.stdout)[0]["verdict_source"] == "analyst"

    # A new member of the judged campaign is caught at scan time.
    new = tmp_path / "new.eml"
    new.write_bytes(campaign_variant(50, rng))
    r = run("scan", "--state", str(state), "--format", "jsonl", str(new))
    v = json.loads(r.stdout)
    assert r.returncode == 1
    assert v["campaign"] == c["id"]
    assert "CAMPAIGN_MARKED_MALICIOUS" in {f["symbol"] for f in v["findings"]}


def test_usage_errors_exit_2(tmp_path):
    assert run("campaigns", "--format", "json").returncode == 2
    assert run("campaigns", "mark", "cmp-x", "--state", str(tmp_path)).returncode == 2
    assert run("campaigns", "mark", "cmp-x", "--malicious", "--benign", "--state", str(tmp_path)).returncode == 2
    assert run("campaigns", "mark", "cmp-x", "--malicious", "--state", str(tmp_path)).returncode == 2
    assert run("hunt", "--state", str(tmp_path)).returncode == 2
    assert run("hunt", "--state", str(tmp_path), "--url", "a.example", "--phone", "1").returncode == 2


def test_scan_without_state_writes_nothing(tmp_path):
    msg = tmp_path / "m.eml"
    msg.write_bytes(campaign_variant(0, random.Random(1)))
    work = tmp_path / "cwd"
    work.mkdir()
    r = run("scan", "--format", "jsonl", str(msg), cwd=work)
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(r.stdout)["campaign"] is None
    assert os.listdir(work) == []
    assert sorted(os.listdir(tmp_path)) == ["cwd", "m.eml"]

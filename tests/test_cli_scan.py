import json
import subprocess
import sys

from conftest import DEMO, make_message

CLI = [sys.executable, "-m", "mailwarden.frontends.cli"]


def run(*args, input=None):
    return subprocess.run([*CLI, *args], input=input, capture_output=True, timeout=120)


def test_jsonl_output_has_contract_fields_and_exit_code():
    r = run("scan", str(DEMO / "01-clean-notification.eml"), "--format", "jsonl")
    assert r.returncode in (0, 1), r.stderr
    v = json.loads(r.stdout.decode().splitlines()[0])
    for key in ("file", "message_id", "action", "score", "summary", "findings", "from", "envelope", "auth",
                "platform", "urls", "phones", "campaign", "limits"):
        assert key in v
    assert v["from"]["domain"] == "example-shop.test"
    assert v["envelope"]["derived"] is True


def test_stdin_and_json_array():
    raw = make_message({"From": "a@example.test", "Subject": "hi"})
    r = run("scan", "-", "--format", "json", input=raw)
    arr = json.loads(r.stdout)
    assert arr[0]["file"] == "-"


def test_unreadable_input_exits_3_and_others_still_scanned(tmp_path):
    good = tmp_path / "good.eml"
    good.write_bytes(make_message({"From": "a@example.test", "Subject": "hi"}))
    r = run("scan", str(good), str(tmp_path / "missing.eml"), "--format", "jsonl")
    assert r.returncode == 3
    assert len(r.stdout.decode().splitlines()) == 1
    assert b"missing.eml" in r.stderr


def test_bad_policy_is_a_clear_error_not_a_traceback(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text("[actions]\ntag = 'x'\n")
    r = run("scan", str(DEMO), "--policy", str(p), "--format", "json")
    assert r.returncode == 2
    assert b"Traceback" not in r.stderr and b"must be a number" in r.stderr


def test_mbox_messages_are_numbered(tmp_path):
    one = make_message({"From": "a@example.test", "Subject": "one"})
    two = make_message({"From": "b@example.test", "Subject": "two"})
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(b"From a@example.test Mon Jan  1 00:00:00 2024\n" + one + b"\n\n"
                     b"From b@example.test Mon Jan  1 00:00:00 2024\n" + two + b"\n")
    r = run("scan", str(mbox), "--format", "jsonl")
    files = [json.loads(line)["file"] for line in r.stdout.decode().splitlines()]
    assert files == [f"{mbox}#1", f"{mbox}#2"]


def test_maildir_is_walked(tmp_path):
    for sub in ("cur", "new", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "new" / "1.host").write_bytes(make_message({"From": "a@example.test"}))
    (tmp_path / "cur" / "2.host:2,S").write_bytes(make_message({"From": "b@example.test"}))
    r = run("scan", str(tmp_path), "--format", "jsonl")
    assert len(r.stdout.decode().splitlines()) == 2

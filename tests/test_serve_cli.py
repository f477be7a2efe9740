"""`mailwarden serve`: clear errors for bad config, and a real process that serves and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support.milter_client import FakeMTA
from support.postfix import free_port

from conftest import make_message

SRC = Path(__file__).resolve().parent.parent / "src"
ENV = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def serve(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailwarden", "serve", *args], capture_output=True, text=True,
                          env=ENV, timeout=60, **kw)


@pytest.mark.parametrize("frontend,config,message", [
    ("milter", "state_dir = \n", "not valid TOML"),
    ("milter", "[milter]\nlisen = 'inet:127.0.0.1:1'\n", "unknown key(s) lisen"),
    ("milter", "[milter]\nquarantine = 'redirect'\n", "quarantine_mailbox"),
    ("milter", "[milter]\nworkers = 'many'\n", "workers must be a whole number"),
    ("api", "[api]\nlisten = '127.0.0.1:8080'\n", "needs token"),
    ("imap", "[imap]\n[[imap.accounts]]\nuser = 'u'\npassword = 'p'\n", "needs state_dir"),
])
def test_bad_config_is_one_clear_line_and_exit_2(tmp_path, frontend, config, message):
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text(config)
    r = serve(frontend, "--config", str(cfg))
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


def test_missing_config_file(tmp_path):
    r = serve("milter", "--config", str(tmp_path / "absent.toml"))
    assert r.returncode == 2 and "cannot read config file" in r.stderr and "Traceback" not in r.stderr


def test_check_validates_without_serving(tmp_path):
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text("[milter]\nlisten = 'inet:127.0.0.1:1'\nworkers = 0\n")
    r = serve("milter", "--config", str(cfg), "--check")
    assert r.returncode == 0 and "milter config OK" in r.stderr


def _wait_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start listening")


def test_serve_milter_scans_and_exits_cleanly_on_sigterm(tmp_path):
    port = free_port()
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text(f"[milter]\nlisten = 'inet:127.0.0.1:{port}'\nworkers = 1\n")
    proc = subprocess.Popen([sys.executable, "-m", "mailwarden", "serve", "milter", "--config", str(cfg)],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_port(port, proc)

        async def one():
            async with FakeMTA("127.0.0.1", port) as mta:
                return await mta.send_message(make_message({"From": "a@example.net", "Subject": "hi"}))
        res = asyncio.run(one())
        assert res.header("X-Mailwarden-Verdict") == "accept"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in proc.stderr.read()


def test_serve_api_answers_and_exits_cleanly_on_sigterm(tmp_path):
    port = free_port()
    cfg = tmp_path / "mailwarden.toml"
    cfg.write_text(f"[api]\nlisten = '127.0.0.1:{port}'\ntoken = 'a-long-enough-token-123'\n")
    proc = subprocess.Popen([sys.executable, "-m", "mailwarden", "serve", "api", "--config", str(cfg)],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_port(port, proc)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/scan", method="POST",
                                     data=make_message({"From": "a@example.net", "Subject": "hi"}),
                                     headers={"Authorization": "Bearer a-long-enough-token-123"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and b'"action"' in r.read()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

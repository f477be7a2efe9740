"""Two scanner processes recording into one SQLite state at the same time lose nothing."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from history_mailgen import campaign_variant, unrelated
from mailwarden.store import open_store

SRC = Path(__file__).resolve().parent.parent / "src"


def test_two_processes_share_one_store(tmp_path):
    rng = random.Random(42)
    state = tmp_path / "state"
    dirs = []
    for d in range(2):
        folder = tmp_path / f"in{d}"
        folder.mkdir()
        for i in range(150):
            raw = campaign_variant(d * 100 + i, rng) if i % 15 == 0 else unrelated(d * 100 + i, rng)
            (folder / f"{i:03d}.eml").write_bytes(raw)
        dirs.append(folder)
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-m", "mailwarden", "scan", "--state", str(state), "--format",
                               "jsonl", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for folder in dirs]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode in (0, 1), err.decode()
        assert b"Traceback" not in err and b"locked" not in err, err.decode()
        assert len([json.loads(line) for line in out.splitlines()]) == 150
    store = open_store(str(state))
    assert store.message_count() == 300
    camps = store.campaigns()
    sizes = sorted(c["size"] for c in camps)
    assert sizes[-1] == 20, sizes  # 10 variants from each process, one campaign
    assert sum(1 for c in camps if any(m["message_id"].startswith("<camp-") for m in c["members"])) == 1
    store.close()

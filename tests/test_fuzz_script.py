"""bench/fuzz.py runs: a few seconds of its mutations over the built-in seeds find no failure.

A short, deterministic taste of the long fuzzing run, so the script cannot rot unnoticed; a failure here
is a real one (the engine raised, an analyzer failed, or a scan took over 5 s), and the input is kept.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_fuzz_script_finds_nothing_on_builtin_seeds(tmp_path):
    out = tmp_path / "failures"
    r = subprocess.run([sys.executable, str(REPO / "bench" / "fuzz.py"), "--builtin", "--minutes", "0.1",
                        "--seed", "3", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout, r.stderr[-2000:], sorted(p.name for p in out.glob("*")))
    assert "no failures" in r.stdout
    assert int(r.stdout.split()[0]) > 10  # it really scanned variants

"""Warm-up: the libraries a first message would import load at start-up for long-running use, and
not for a one-off scan (a message without attachments never pays for pypdf or oletools)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = str(Path(__file__).resolve().parent.parent / "src")
HEAVY = ("pypdf", "oletools.olevba")


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_plain_scan_does_not_import_the_attachment_libraries_and_warm_up_does() -> None:
    printed = _run(f"""
        import sys
        from mailwarden.engine import Engine
        engine = Engine()
        engine.scan(b"From: a@example.org\\r\\nSubject: hi\\r\\n\\r\\nhello\\r\\n")
        print([m in sys.modules for m in {HEAVY!r}])
        engine.warm_up()
        print([m in sys.modules for m in {HEAVY!r}])
    """)
    assert printed.splitlines() == ["[False, False]", "[True, True]"]


def test_scan_pool_built_from_options_is_warm() -> None:
    printed = _run(f"""
        import sys
        from mailwarden.engine_options import EngineOptions
        from mailwarden.frontends.pool import ScanPool
        pool = ScanPool(options=EngineOptions(), workers=0)
        print([m in sys.modules for m in {HEAVY!r}])
        pool.close()
    """)
    assert printed == "[True, True]"


def test_a_failing_warm_up_only_logs() -> None:
    from mailwarden.engine import Engine

    class Broken:
        name = "broken"

        def warm_up(self) -> None:
            raise RuntimeError("no")

    engine = Engine(analyzers="none")
    engine.analyzers.append(Broken())
    try:
        engine.warm_up()  # must not raise
        assert engine.scan(b"Subject: x\r\n\r\nbody\r\n").action
    finally:
        gc.unfreeze()  # warm-up froze this test process's objects; give them back to the collector


def test_warm_up_freezes_what_is_alive_so_full_collections_skip_it() -> None:
    printed = _run("""
        import gc
        from mailwarden.engine import Engine
        engine = Engine()
        print(gc.get_freeze_count())
        engine.warm_up()
        print(gc.get_freeze_count() > 10000)
    """)
    assert printed.splitlines() == ["0", "True"]


def test_warm_up_compiles_the_platform_field_patterns() -> None:
    printed = _run("""
        from mailwarden import platform_fields
        from mailwarden.engine import Engine
        engine = Engine()
        print(platform_fields._combined_rx.cache_info().currsize)
        engine.warm_up()
        print(platform_fields._combined_rx.cache_info().currsize)
    """)
    assert printed.splitlines() == ["0", "1"]

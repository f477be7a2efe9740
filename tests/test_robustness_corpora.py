"""Third-party robustness corpora: every file scans to a verdict, no exception, no engine error."""

from pathlib import Path

import pytest

from conftest import shared_path


def cpython_email_data() -> Path | None:
    try:
        import test  # the CPython test package (email test data)
    except ImportError:
        return None
    p = Path(test.__file__).parent / "test_email" / "data"
    return p if p.is_dir() else None


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".eml", ".txt"))


@pytest.mark.timeout(600)
def test_rspamd_functional_messages_all_scan(engine):
    folder = shared_path("conformance", "rspamd-messages")
    files = _files(folder)
    assert len(files) > 200
    _scan_all(engine, files)


@pytest.mark.timeout(600)
def test_cpython_email_test_data_all_scan(engine):
    folder = cpython_email_data()
    if folder is None:
        pytest.skip("CPython's email test data is not installed with this Python")
    files = _files(folder)
    assert files
    _scan_all(engine, files)


def _scan_all(engine, files):
    failures = []
    for f in files:
        v = engine.scan(f.read_bytes(), file=str(f))
        symbols = {x.symbol for x in v.findings}
        if "ENGINE_ERROR" in symbols or "ANALYZER_ERROR" in symbols:
            failures.append((f.name, [x.evidence for x in v.findings if x.symbol.endswith("_ERROR")]))
        assert v.action in ("accept", "tag", "quarantine", "reject")
    assert not failures, failures[:5]

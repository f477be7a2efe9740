"""The attachment symbols, their mapping from observations, and their composites are consistent."""

from __future__ import annotations

import re
from pathlib import Path

from mailwarden.analyzers.attachments import KIND_SYMBOL
from mailwarden.policy import load_policy
from mailwarden.symbols import builtin_catalogue

SRC = Path(__file__).resolve().parent.parent / "src" / "mailwarden"


def test_every_observation_kind_has_a_known_symbol():
    code = "\n".join(p.read_text() for p in (SRC / "attachments").glob("*.py"))
    kinds = set(re.findall(r'\.add\(\s*"([a-z_]+)"', code))
    kinds |= set(re.findall(r'kind = "([a-z_]+)"', code))
    kinds |= {"archived_" + k for k in re.findall(r'prefix \+ "([a-z_]+)"', code)}
    kinds |= set(re.findall(r'prefix \+ "([a-z_]+)"', code))
    assert kinds, "no observation kinds found"
    missing = kinds - set(KIND_SYMBOL)
    assert not missing, f"observation kinds without a symbol: {missing}"
    catalogue = builtin_catalogue()
    assert set(KIND_SYMBOL.values()) <= set(catalogue)


def test_attachment_symbols_are_all_reachable_and_weights_sane():
    catalogue = builtin_catalogue()
    ours = {n for n, s in catalogue.items() if s.group == "attachments"}
    analyzer_src = (SRC / "analyzers" / "attachments.py").read_text()
    direct = set(re.findall(r'Finding\("([A-Z_]+)"', analyzer_src))
    assert ours == set(KIND_SYMBOL.values()) | direct
    assert all(0 <= catalogue[n].weight <= 8 for n in ours)
    # A label or container alone never tags a message: only things that run code by themselves do.
    tag = load_policy().thresholds["tag"]
    for weak in ("HTML_ATTACHMENT", "ATTACHMENT_TYPE_MISMATCH", "QR_CODE_URL", "ARCHIVE_ENCRYPTED",
                 "PDF_LONE_LINK", "OFFICE_MACRO", "ATTACHMENT_CORRUPT"):
        assert catalogue[weak].weight < tag


def test_composites_load():
    names = {c.name for c in load_policy().composites}
    assert {"ATTACHMENT_DISGUISED_PROGRAM", "ENCRYPTED_ARCHIVE_WITH_PASSWORD", "MACRO_DROPPER",
            "HTML_PHISHING_PAGE"} <= names

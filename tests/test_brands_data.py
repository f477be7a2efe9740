"""The bundled brands list is valid data."""

import tomllib
from importlib import resources

from mailwarden.brands import default_index, registrable_domain


def test_brands_file_is_complete_and_consistent():
    data = tomllib.loads((resources.files("mailwarden") / "data" / "brands.toml").read_text(encoding="utf-8"))
    brands = {k: v for k, v in data.items() if k not in ("tenant_suffixes", "keywords", "esp")}
    assert len(brands) >= 50
    owners: dict[str, str] = {}
    for key, b in brands.items():
        assert b["name"] and b["domains"], key
        for d in b["domains"]:
            assert d == d.lower().strip() and "." in d, (key, d)
            assert owners.setdefault(d, key) == key, f"{d} listed for {owners[d]} and {key}"
    idx = default_index()
    for key, b in brands.items():
        for d in b["domains"]:
            assert idx.lookalike(d) is None, f"{key}'s own domain {d} is reported as a lookalike"
            if not idx.tenant_of(d):
                assert idx.brand_for_domain(d) == key


def test_registrable_domain():
    assert registrable_domain("a.b.paypal.co.uk") == "paypal.co.uk"
    assert registrable_domain("") == ""

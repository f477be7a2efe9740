"""Brand ownership walks a host's suffixes, each taken as the text after a dot; that must be what
joining the labels after it gives, odd hosts (empty labels, leading or trailing dots) included."""

from __future__ import annotations

import random

from mailwarden.brands import _suffixes, default_index


def _joined(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def test_suffixes_are_the_joined_label_tails() -> None:
    rnd = random.Random(11)
    for host in ["", ".", "..", "a", "a.b", ".a", "a.", "a..b", "mail.example.co.uk"]:
        assert _suffixes(host) == _joined(host)
    for _ in range(20_000):
        host = "".join(rnd.choice("ab.-") for _ in range(rnd.randint(0, 12)))
        assert _suffixes(host) == _joined(host), host


def test_tenant_and_owner_answers() -> None:
    idx = default_index()
    suffix = next(iter(idx._tenant_set))
    assert idx.tenant_of(f"paypal-login.{suffix}") == ("paypal-login", suffix)
    assert idx.tenant_of(f"A.Paypal-Login.{suffix.upper()}.") == ("paypal-login", suffix)
    assert idx.brand_for_domain(f"paypal-login.{suffix}") is None
    assert idx.brand_for_domain("www.paypal.com") == "paypal"
    assert idx.brand_for_domain("PAYPAL.COM.") == "paypal"
    assert idx.brand_for_domain("paypal.com.example") is None
    assert idx.brand_for_domain("com") is None
    assert idx.infra_brands("mx1.paypal.com") == {"paypal"}
    got = idx.infra_brands("mx1.paypal.com")
    got.add("x")  # a copy: the next answer is unchanged
    assert idx.infra_brands("mx1.paypal.com") == {"paypal"}

"""brands.lookalike(): the interface the links analyzer reuses for link domains."""

import pytest

from mailwarden import brands


@pytest.mark.parametrize("domain,brand,kind", [
    ("paypa1.com", "paypal", "homoglyph"),
    ("rnicrosoft.com", "microsoft", "homoglyph"),
    ("xn--pypal-4ve.com", "paypal", "mixed_script"),  # Cyrillic а
    ("p\u0430ypal.com", "paypal", "mixed_script"),
    ("docusing.com", "docusign", "edit_distance"),
    ("gooogle.com", "google", "edit_distance"),
    ("microsoft.com.login-check.example", "microsoft", "brand_in_subdomain"),
    ("paypal-secure-login.example", "paypal", "brand_plus_keyword"),
    ("apple-id-verify.example", "apple", "brand_plus_keyword"),
    ("paypalsecurity.example", "paypal", "brand_in_label"),
    ("paypal-billing.onmicrosoft.com", "paypal", "brand_plus_keyword"),
])
def test_lookalikes(domain, brand, kind):
    hit = brands.lookalike(domain)
    assert hit is not None and (hit.brand, hit.kind) == (brand, kind)
    assert hit.detail and hit.brand_name


@pytest.mark.parametrize("domain", [
    "paypal.com", "mail.paypal.com", "microsoftonline.com", "github.com", "googlegroups.com", "pineapple.example",
    "purchase.example", "groups.example", "kernel.org", "lists.linux.dev", "tenant.onmicrosoft.com",
    "visa-application.example", "sendgrid.net", "",
])
def test_not_lookalikes(domain):
    assert brands.lookalike(domain) is None


def test_brand_for_domain_and_tenants():
    assert brands.brand_for_domain("mail.paypal.com") == "paypal"
    assert brands.brand_for_domain("PAYPAL.COM.") == "paypal"
    assert brands.brand_for_domain("x.onmicrosoft.com") is None  # anyone can own a tenant
    assert brands.brand_for_domain("paypal.com.evil.example") is None


def test_match_brand():
    assert brands.match_brand('"PayPal Billing"') == ["paypal"]
    assert "paypal" in brands.match_brand("P\u0430yPal Support")  # homoglyph spelling
    assert brands.match_brand("the target audience") == []  # everyday word, wrong case
    assert brands.match_brand("Your Target order") == ["target"]


def test_own_domains_index():
    idx = brands.index_with_own_domains(["example-corp.example"])
    hit = idx.lookalike("examp1e-corp.example")
    assert hit is not None and hit.brand == "own"
    assert idx.lookalike("example-corp.example") is None


def test_brand_in_url_path():
    hit = brands.lookalike_url("https://files.example/paypal.com/signin?x=1")
    assert hit is not None and hit.brand == "paypal" and hit.kind == "brand_in_path"
    assert brands.lookalike_url("https://cdn.example/microsoft-login/index.html").brand == "microsoft"
    assert brands.lookalike_url("https://www.paypal.com/signin") is None
    assert brands.lookalike_url("https://blog.example/posts/2024/holiday") is None
    assert brands.lookalike_url("https://paypa1.com/x").kind == "homoglyph"


def test_homoglyph_brand_inside_a_longer_tenant_name():
    hit = brands.lookalike("0nmicr0s0ft.onmicrosoft.com")
    assert hit is not None and hit.brand == "microsoft" and hit.kind == "homoglyph" and hit.strong

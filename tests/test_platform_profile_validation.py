"""Platform profiles are data: every bundled one loads, and a broken one fails loudly with its file and key."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from mailwarden.platforms import ProfileError, load_profiles, parse_profile
from mailwarden.symbols import builtin_catalogue

REQUIRED = {"microsoft365", "google", "github", "paypal", "docusign", "intuit", "zendesk", "surveymonkey", "typeform",
            "firebase_auth", "wix", "dropbox", "adobe_sign", "apple", "zoom", "salesforce", "square", "venmo", "stripe"}


def minimal() -> dict:
    return {"name": "acme", "display": "Acme", "system": "Acme's mailer", "source": "documentation",
            "references": ["https://acme.example/help"],
            "recognise": {"auth_domains": ["acme.example"], "from_addresses": ["noreply@acme.example"]},
            "owns": {"domains": ["acme.example"], "phones": ["+18005550100"], "brand_words": ["acme"]},
            "templates": [{"id": "t", "description": "notice", "subject": "notice",
                           "fields": [{"name": "n", "label": "the name", "source": "subject",
                                       "pattern": "^(?P<field>.+) notice$"}]}]}


def test_every_required_platform_has_a_profile() -> None:
    assert REQUIRED <= {p.name for p in load_profiles()}


def test_every_profile_says_where_it_comes_from() -> None:
    for p in load_profiles():
        assert p.references, p.name
        assert "corpus" in p.source or "documentation" in p.source
        assert p.brand_words and p.domains and p.auth_domains


def test_profile_files_parse_as_toml_and_match_their_names() -> None:
    folder = resources.files("mailwarden") / "data" / "platforms"
    files = [f for f in folder.iterdir() if f.name.endswith(".toml")]
    assert len(files) == len(load_profiles())
    for f in files:
        assert tomllib.loads(f.read_text(encoding="utf-8"))["name"] == f.name[:-5]


def test_minimal_profile_is_valid() -> None:
    p = parse_profile(minimal(), "acme.toml")
    assert p.claims_sender("noreply@acme.example", None)
    assert p.owns_domain("www.acme.example") and not p.owns_domain("acme.example.evil.test")


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.pop("system"), "system is required"),
    (lambda d: d.update(source="a blog"), "source must say"),
    (lambda d: d["owns"].update(phones=["0800 123"]), "not E.164"),
    (lambda d: d["recognise"].update(auth_domains=[]), "auth_domains must not be empty"),
    (lambda d: d.update(colour="blue"), "unknown key"),
    (lambda d: d["templates"][0]["fields"][0].update(pattern="^(.+) notice$"), "named group"),
    (lambda d: d["templates"][0]["fields"][0].update(pattern="^(?P<field>.+"), "bad regular expression"),
    (lambda d: d["templates"][0]["fields"][0].update(source="footer"), "source must be one of"),
    (lambda d: d["templates"][0]["fields"][0].update(kind="poem"), "kind must be one of"),
    (lambda d: d["templates"][0]["fields"][0].update(source="html"), "CSS selector"),
    (lambda d: d["templates"][0].update(fields=[]), "at least one attacker-writable field"),
    (lambda d: d["templates"][0].update(expected=["lottery"]), "unknown lure categories"),
    (lambda d: d["templates"][0].pop("subject"), "subject or body pattern"),
])
def test_broken_profile_is_rejected_with_its_reason(mutate, message: str) -> None:  # noqa: ANN001
    data = minimal()
    mutate(data)
    with pytest.raises(ProfileError, match=message):
        parse_profile(data, "acme.toml")


def test_html_field_selector_is_checked() -> None:
    data = minimal()
    data["templates"][0]["fields"][0] = {"name": "n", "label": "the note", "source": "html", "selector": "td.note"}
    assert parse_profile(data, "acme.toml").templates[0].fields[0].selector == "td.note"


def test_authentication_never_earns_a_bonus() -> None:
    """Authentication selects the platform rules; no platform symbol or composite lowers a score."""
    from mailwarden.policy import load_policy

    for name, sym in builtin_catalogue().items():
        if name.startswith("PLATFORM_"):
            assert sym.weight >= 0, name
    assert builtin_catalogue()["PLATFORM_AUTHENTICATED"].weight == 0
    for comp in load_policy().composites:
        if comp.name.startswith("PLATFORM_"):
            assert comp.weight > 0, comp.name


def test_html_field_is_extracted_by_selector_and_checked_alone() -> None:
    from platform_helpers import platform_engine, scan_as, symbols

    from conftest import make_message

    data = minimal()
    data["templates"][0]["fields"] = [{"name": "note", "label": "the invoice note", "source": "html",
                                       "selector": "td.note", "kind": "free_text"}]
    custom = parse_profile(data, "acme.toml")
    analyzer = platform_engine().analyzer("platform")
    saved = analyzer.profiles
    analyzer.profiles = (custom,)
    try:
        html = ('<table><tr><td class="brand">Acme invoice notice. Questions? Call +1 (808) 555-0100.</td></tr>'
                '<tr><td class="note">Unauthorized charge of $499.99? Call +1 (808) 555-0147 to cancel.</td></tr></table>')
        raw = make_message({"From": "Acme <noreply@acme.example>", "Subject": "Contoso notice"}, html,
                           "text/html; charset=utf-8")
        v = scan_as(raw, ["acme.example"])
        callback = next(f for f in v.findings if f.symbol == "PLATFORM_FIELD_CALLBACK")
        assert any("+18085550147" in e for e in callback.evidence)
        assert not any("+18085550100" in e for e in callback.evidence)  # outside the field: not judged
        clean = make_message({"From": "Acme <noreply@acme.example>", "Subject": "Contoso notice"},
                             html.replace("Unauthorized charge of $499.99? Call +1 (808) 555-0147 to cancel.",
                                          "Thanks for your order."), "text/html; charset=utf-8")
        assert "PLATFORM_FIELD_CALLBACK" not in symbols(scan_as(clean, ["acme.example"]))
    finally:
        analyzer.profiles = saved

"""Mail claiming the organisation's own domain (config own_domains) must be authenticated for it."""

from identity_helpers import StubAuth, aligned, crlf, symbols

RAW = crlf("From: CEO <ceo@corp.example>\nTo: finance@corp.example\nSubject: Wire today\n"
           "Message-ID: <1@mail.corp.example>\n\nPlease wire.\n")
OWN = ("corp.example",)


def test_own_domain_failing_dmarc():
    auth = StubAuth("fail", "corp.example", set(), set(), None)
    assert "FROM_OWN_DOMAIN_UNAUTHENTICATED" in symbols(RAW, auth=auth, own_domains=OWN)


def test_own_domain_authenticated_is_quiet():
    assert "FROM_OWN_DOMAIN_UNAUTHENTICATED" not in symbols(RAW, auth=aligned("corp.example"), own_domains=OWN)


def test_unknown_authentication_is_not_spoofing():
    # dmarc "none"/"temperror" (no DNS, offline) is not a failure
    auth = StubAuth("temperror", "corp.example", set(), set(), None)
    assert "FROM_OWN_DOMAIN_UNAUTHENTICATED" not in symbols(RAW, auth=auth, own_domains=OWN)


def test_without_own_domains_configured_nothing_fires():
    auth = StubAuth("fail", "corp.example", set(), set(), None)
    assert "FROM_OWN_DOMAIN_UNAUTHENTICATED" not in symbols(RAW, auth=auth)

"""The platform analyzer never fails a scan, whatever the message looks like."""

from __future__ import annotations

import pytest

from platform_helpers import scan_as, symbols

from conftest import make_message

CASES = [
    b"",
    b"Subject: no from at all\r\n\r\nbody\r\n",
    make_message({"From": "msonlineservicesteam@microsoftonline.com", "Subject": ""}, ""),
    make_message({"From": "Microsoft on behalf of <msonlineservicesteam@microsoftonline.com>",
                  "Subject": " account email verification code"}, ""),
    make_message({"From": "x <noreply@a.firebaseapp.com>", "Subject": "A" * 20000}, "B " * 200000),
    make_message({"From": "y <member@surveymonkeyuser.com>", "Subject": "s", "Reply-To": ", ".join(
        f"r{i}@x{i}.example" for i in range(500))}, "hi"),
    make_message({"From": "z <notifications@github.com>", "Subject": "[" * 5000},
                 "<div>" * 20000 + "call +1 (808) 555-0147" + "</div>" * 20000, "text/html; charset=utf-8"),
    make_message({"From": "\u202e\u0000 <drive-shares-noreply@google.com>", "Subject": "\ufffd 𝟖𝟎𝟖-𝟓𝟓𝟓-𝟎𝟏𝟒𝟕"},
                 "\x00" * 100),
]


@pytest.mark.parametrize("raw", CASES, ids=range(len(CASES)))
@pytest.mark.parametrize("auth", [None, [], ["microsoftonline.com", "firebaseapp.com", "surveymonkeyuser.com",
                                              "github.com", "google.com"]])
def test_no_analyzer_error(raw: bytes, auth: list[str] | None) -> None:
    v = scan_as(raw, auth)
    assert "ANALYZER_ERROR" not in symbols(v), [f.evidence for f in v.findings if f.symbol == "ANALYZER_ERROR"]
    assert v.action != "tempfail"

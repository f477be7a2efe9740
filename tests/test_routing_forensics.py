"""Routing forensics: clocks, impossible addresses, forged HELO, foreign infrastructure, Message-ID."""

from identity_helpers import crlf, run, symbols


def rcvd(frm: str, by: str, date: str) -> str:
    return f"Received: from {frm} by {by} with ESMTP id 1; {date}\n"


BODY = "To: a@b.example\nSubject: x\n\nhi\n"


def test_time_running_backwards():
    raw = crlf(rcvd("a.example (a.example [198.51.100.1])", "mx.b.example", "Mon, 2 Feb 2026 10:00:00 +0000")
               + rcvd("c.example (c.example [198.51.100.2])", "a.example", "Mon, 2 Feb 2026 14:00:00 +0000")
               + "From: x@c.example\nMessage-ID: <1@c.example>\n" + BODY)
    assert "RCVD_TIME_BACKWARDS" in symbols(raw)


def test_small_clock_skew_is_ignored():
    raw = crlf(rcvd("a.example (a.example [198.51.100.1])", "mx.b.example", "Mon, 2 Feb 2026 10:00:00 +0000")
               + rcvd("c.example (c.example [198.51.100.2])", "a.example", "Mon, 2 Feb 2026 10:05:00 +0000")
               + "From: x@c.example\nMessage-ID: <1@c.example>\n" + BODY)
    assert "RCVD_TIME_BACKWARDS" not in symbols(raw)


def test_long_delay():
    raw = crlf(rcvd("a.example (a.example [198.51.100.1])", "mx.b.example", "Mon, 9 Feb 2026 10:00:00 +0000")
               + rcvd("c.example (c.example [198.51.100.2])", "a.example", "Mon, 2 Feb 2026 10:00:00 +0000")
               + "From: x@c.example\nMessage-ID: <1@c.example>\n" + BODY)
    assert "RCVD_LONG_DELAY" in symbols(raw)


def test_bogon_address():
    raw = crlf(rcvd("a.example (a.example [240.1.2.3])", "mx.b.example", "Mon, 2 Feb 2026 10:00:00 +0000")
               + "From: x@c.example\nMessage-ID: <1@c.example>\n" + BODY)
    assert "RCVD_BOGON_IP" in symbols(raw)


def test_private_address_across_organisations():
    raw = crlf(rcvd("relay.sender.example (relay.sender.example [10.1.2.3])", "mx.receiver.example",
                    "Mon, 2 Feb 2026 10:00:00 +0000") + "From: x@sender.example\nMessage-ID: <1@sender.example>\n"
               + BODY)
    assert "RCVD_PRIVATE_IP_CROSS_ORG" in symbols(raw)


def test_helo_claims_brand_but_reverse_dns_disagrees():
    raw = crlf(rcvd("mail.paypal.com (dsl-1-2.cheap-isp.example [198.51.100.3])", "mx.b.example",
                    "Mon, 2 Feb 2026 10:00:00 +0000") + "From: x@shop.example\nMessage-ID: <1@shop.example>\n" + BODY)
    assert "RCVD_HELO_FORGED_BRAND" in symbols(raw)


def test_brand_from_entering_through_unrelated_infrastructure():
    raw = crlf(rcvd("vps17.hosting.example (vps17.hosting.example [198.51.100.4])", "mx.b.example",
                    "Mon, 2 Feb 2026 10:00:00 +0000")
               + "From: DocuSign <dse@docusign.net>\nMessage-ID: <1@vps17.hosting.example>\n" + BODY)
    syms = symbols(raw)
    assert "RCVD_BRAND_FOREIGN_INFRA" in syms and "MSGID_BRAND_FOREIGN" in syms


def test_brand_from_through_its_own_servers_is_quiet():
    raw = crlf(rcvd("mail-ed1.docusign.net (mail-ed1.docusign.net [198.51.100.5])", "mx.b.example",
                    "Mon, 2 Feb 2026 10:00:00 +0000")
               + "From: DocuSign <dse@docusign.net>\nMessage-ID: <1@docusign.net>\n" + BODY)
    assert not symbols(raw) & {"RCVD_BRAND_FOREIGN_INFRA", "MSGID_BRAND_FOREIGN"}


def test_hop_count():
    hops = "".join(rcvd(f"h{i}.example (h{i}.example [198.51.100.{i}])", f"h{i + 1}.example",
                        "Mon, 2 Feb 2026 10:00:00 +0000") for i in range(30))
    assert "RCVD_MANY_HOPS" in symbols(crlf(hops + "From: x@c.example\nMessage-ID: <1@c.example>\n" + BODY))


def test_x_originating_ip():
    raw = crlf("X-Originating-IP: [198.51.100.77]\nFrom: service@paypal.com\nMessage-ID: <1@paypal.com>\n" + BODY)
    found, ctx = run(raw)
    assert "X_ORIGINATING_IP_BRAND" in {f.symbol for f in found}
    assert ctx.facts["routing"]["origin_ip"] == "198.51.100.77"
    assert "X_ORIGINATING_IP_BOGON" in symbols(crlf("X-Originating-IP: 0.0.0.1\nFrom: a@c.example\n"
                                                     "Message-ID: <1@c.example>\n" + BODY))


def test_message_id_lookalike_and_missing():
    assert "MSGID_LOOKALIKE" in symbols(crlf("From: a@c.example\nMessage-ID: <1@paypa1.com>\n" + BODY))
    assert "MSGID_MISSING" in symbols(crlf("From: a@c.example\n" + BODY))


def test_brand_mail_delivered_through_a_providers_internal_hops():
    raw = crlf(rcvd("AM0PR01.eurprd01.prod.outlook.com (2603:10a6:208:23a::11)", "DB9PR01.outlook.office365.com",
                    "Mon, 2 Feb 2026 10:00:02 +0000")
               + rcvd("mx1.slc.paypal.com (mx1.slc.paypal.com [198.51.100.6])",
                      "AM0PR01.mail.protection.outlook.com", "Mon, 2 Feb 2026 10:00:01 +0000")
               + "From: service@paypal.com\nMessage-ID: <1@paypal.com>\n" + BODY)
    found, ctx = run(raw)
    assert ctx.facts["routing"]["entry"].rdns == "mx1.slc.paypal.com"
    assert "RCVD_BRAND_FOREIGN_INFRA" not in {f.symbol for f in found}


def test_message_id_at_an_internal_name_is_not_foreign_infrastructure():
    # bulk-mail services number every customer's messages at an internal name (…@xt.local)
    hop = rcvd("mta.microsoftstoreemail.com (mta.microsoftstoreemail.com [198.51.100.8])", "mx.b.example",
               "Mon, 2 Feb 2026 10:00:00 +0000")
    internal = crlf(hop + "From: Microsoft Store <store@microsoftstoreemail.com>\n"
                    "Message-ID: <3b1a4c2e-1d2f@xt.local>\n" + BODY)
    foreign = crlf(hop + "From: Microsoft Store <store@microsoftstoreemail.com>\n"
                   "Message-ID: <3b1a4c2e-1d2f@bulk-sender.example>\n" + BODY)
    assert "MSGID_BRAND_FOREIGN" not in symbols(internal)
    assert "MSGID_BRAND_FOREIGN" in symbols(foreign)


def test_message_id_of_an_unconfigured_machine_still_counts_for_a_brand():
    raw = crlf(rcvd("vps17.hosting.example (vps17.hosting.example [198.51.100.4])", "mx.b.example",
                    "Mon, 2 Feb 2026 10:00:00 +0000")
               + "From: PayPal <service@paypal.com>\nMessage-ID: <20260202.1103.qmail@localhost.localdomain>\n" + BODY)
    assert "MSGID_BRAND_FOREIGN" in symbols(raw)

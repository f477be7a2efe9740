"""The Received-chain parser reads the common MTA dialects."""

from mailwarden.received import ip_class, parse_hop


def test_postfix():
    h = parse_hop("from mail.example.org (mail.example.org [198.51.100.7]) (using TLSv1.3) by mx.example.net "
                  "(Postfix) with ESMTPS id 4ABC for <a@example.net>; Tue, 14 Sep 2021 12:48:16 +0200 (CEST)")
    assert (h.helo, h.rdns, h.ip, h.by, h.with_, h.id, h.for_) == (
        "mail.example.org", "mail.example.org", "198.51.100.7", "mx.example.net", "ESMTPS", "4ABC", "a@example.net")
    assert h.date is not None and h.date.utcoffset().total_seconds() == 7200


def test_exim_helo_in_comment():
    h = parse_hop("from host.example.com ([198.51.100.8] helo=fake.example) by mx.example.net with esmtp "
                  "(Exim 4.96) id 1abc; Mon, 22 Jan 2024 19:30:47 +0000")
    assert h.helo == "fake.example" and h.rdns == "host.example.com" and h.ip == "198.51.100.8"


def test_qmail_and_exchange():
    q = parse_hop("from unknown (HELO foo.example) (198.51.100.9) by mx with SMTP; 5 Jan 2002 10:00:00 -0000")
    assert q.helo == "foo.example" and q.ip == "198.51.100.9" and q.date is not None
    x = parse_hop("from sender.example (198.51.100.10) by BL02.mail.protection.outlook.com (10.167.241.138) "
                  "with Microsoft SMTP Server id 15.20.7292.25 via Frontend Transport; Thu, 29 Feb 2024 02:06:05 +0000")
    assert x.helo == "sender.example" and x.ip == "198.51.100.10" and x.by == "BL02.mail.protection.outlook.com"


def test_by_only_and_authenticated():
    g = parse_hop("by 2002:a05:6a10:a3cd::1 with SMTP id h13csp123; Wed, 09 Jun 2021 22:26:49 -0700 (PDT)")
    assert g.helo is None and g.ip is None and g.with_ == "SMTP"
    a = parse_hop("from [192.168.1.5] (Authenticated sender: bob@example.org) by smtp.example.org (Postfix) "
                  "with ESMTPSA id 1; Mon, 2 Feb 2026 10:00:00 +0000")
    assert a.authenticated and a.ip == "192.168.1.5"


def test_garbage_does_not_raise():
    for v in ["", ";", "from", "((((", "from ( by ) with ; not a date", "x" * 10000]:
        parse_hop(v)


def test_ip_classes():
    assert ip_class("10.1.2.3") == "private"
    assert ip_class("100.90.1.1") == "private"
    assert ip_class("0.1.2.3") == "bogon" and ip_class("240.0.0.1") == "bogon"
    assert ip_class("8.8.8.8") == "public" and ip_class("nonsense") == ""
    assert ip_class("::1") == "private" and ip_class("ff02::1") == "bogon"


def test_address_in_qmail_helo_is_not_the_client() -> None:
    h = parse_hop("from lb1.example.com (HELO 192.168.1.16) (198.51.100.101) by mail.example.net with SMTP; "
                  "4 Sep 2002 18:20:33 -0000")
    assert (h.helo, h.ip) == ("192.168.1.16", "198.51.100.101")
    exim = parse_hop("from rdns.example.net ([198.51.100.7] helo=[192.0.2.1]) by mx.example.org with esmtp; "
                     "Mon, 2 Feb 2026 10:00:00 +0000")
    assert exim.ip == "198.51.100.7"

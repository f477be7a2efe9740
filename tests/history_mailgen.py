"""Generated mail for the history/campaign tests: one phishing campaign and unrelated traffic.

Everything is synthetic (reserved .example / .test domains, invented words); nothing is copied from
real mail.
"""

from __future__ import annotations

import random
import string

FIRST = ["Alice", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Gustavo", "Hanna", "Ivan", "Julia", "Kofi",
         "Lena", "Marta", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara"]
GREETINGS = ["Dear {n},", "Hello {n},", "Hi {n},", "Good morning {n},", "Attention {n}:", "{n},"]
SUBJECTS = ["Your mailbox is almost full", "Action required: mailbox storage limit reached",
            "Storage quota exceeded for {n}", "Mailbox full - messages on hold", "Final notice: mailbox quota",
            "{n}, your inbox stopped receiving mail", "IT Helpdesk: quota upgrade pending",
            "Incoming messages suspended", "Mailbox storage warning ({d}%)", "Re: mailbox quota"]
BODY = [
    "We noticed that your mailbox has reached {d} percent of its storage quota.",
    "Incoming messages are being held on the server and will be deleted unless you act.",
    "To keep receiving mail, please confirm your account and upgrade your storage at no cost.",
    "Use the secure portal below to complete the upgrade within 24 hours.",
    "If you do not complete this step your pending messages will be permanently removed.",
    "Thank you for your cooperation, the IT service desk team.",
]
SWAPS = [("noticed", "detected"), ("please", "kindly"), ("permanently", "irreversibly"),
         ("Thank you", "Thanks"), ("secure portal", "verification page"), ("at no cost", "free of charge")]
LANDING = "https://mailbox-quota-upgrade.example/portal/login"

_rng_words = random.Random(7)
VOCAB = ["".join(_rng_words.choice(string.ascii_lowercase) for _ in range(_rng_words.randint(3, 9)))
         for _ in range(3000)]


def _token(rng: random.Random, n: int = 16) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def _message(headers: list[tuple[str, str]], text: str, html: str | None = None) -> bytes:
    lines = [f"{k}: {v}" for k, v in headers] + ["MIME-Version: 1.0"]
    if html is None:
        lines.append("Content-Type: text/plain; charset=utf-8")
        body = text
    else:
        lines.append('Content-Type: multipart/alternative; boundary="b1"')
        body = (f"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
                f"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b1--\r\n")
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")).encode("utf-8")


def campaign_variant(i: int, rng: random.Random, landing: str = LANDING) -> bytes:
    """One member of the quota-phish campaign: new sender, subject, greeting, wording and token."""
    name = rng.choice(FIRST)
    d = rng.randint(90, 99)
    subject = rng.choice(SUBJECTS).format(n=name, d=d) + ("" if i % 3 else f" [{rng.randint(1000, 9999)}]")
    sender_dom = f"{_token(rng, 6).lower()}-mail.test"
    sentences = [s.format(d=d) for s in BODY]
    for a, b in SWAPS:
        if rng.random() < 0.4:
            sentences = [s.replace(a, b) for s in sentences]
    tok = _token(rng, 20)
    url = f"{landing}?uid={tok}&utm_source=mail&utm_campaign={rng.randint(1, 99)}" if i % 2 \
        else f"{landing}/{tok}"
    greeting = rng.choice(GREETINGS).format(n=name)
    text = f"{greeting}\n\n" + " ".join(sentences[:4]) + f"\n\n{url}\n\n" + " ".join(sentences[4:]) + "\n"
    html = None
    if i % 4 == 0:
        html = (f"<html><body><p>{greeting}</p><p>{' '.join(sentences[:4])}</p>"
                f'<p><a href="{url}">Upgrade storage</a></p><p>{" ".join(sentences[4:])}</p></body></html>')
    headers = [("From", f'"IT Service Desk" <helpdesk{rng.randint(1, 999)}@{sender_dom}>'),
               ("To", f"{name.lower()}@corp.example"), ("Subject", subject),
               ("Message-ID", f"<camp-{i}-{_token(rng, 8)}@{sender_dom}>"),
               ("Date", "Thu, 26 Nov 2026 10:00:00 +0000")]
    return _message(headers, text, html)


def unrelated(i: int, rng: random.Random) -> bytes:
    """An ordinary message: its own sender, words and links."""
    words = [rng.choice(VOCAB) for _ in range(rng.randint(40, 160))]
    dom = f"{rng.choice(VOCAB)}{i}.example"
    links = [f"https://{rng.choice(VOCAB)}{rng.randint(1, 10**6)}.example/{rng.choice(VOCAB)}"
             for _ in range(rng.randint(0, 3))]
    text = " ".join(words[:len(words) // 2]) + "\n" + "\n".join(links) + "\n" + " ".join(words[len(words) // 2:])
    headers = [("From", f"{rng.choice(FIRST).lower()}@{dom}"), ("To", "someone@corp.example"),
               ("Subject", " ".join(rng.choice(VOCAB) for _ in range(rng.randint(2, 7)))),
               ("Message-ID", f"<u-{i}-{_token(rng, 8)}@{dom}>"), ("Date", "Wed, 25 Nov 2026 09:00:00 +0000")]
    return _message(headers, text)


def newsletter(i: int, issue: int, rng: random.Random) -> bytes:
    """A benign mailing list: one sender, a fixed template, new content each issue."""
    dom = f"list{i}.example"
    rl = random.Random(i)
    template_head = " ".join(rl.choice(VOCAB) for _ in range(30))
    template_foot = " ".join(rl.choice(VOCAB) for _ in range(40))
    news = " ".join(rng.choice(VOCAB) for _ in range(25))
    text = (f"{template_head}\n\n{news}\n\nhttps://{dom}/issues/{issue}\n\n{template_foot}\n"
            f"https://{dom}/unsubscribe/{_token(rng, 24)}\n")
    headers = [("From", f"news@{dom}"), ("To", "someone@corp.example"), ("Subject", f"{dom} weekly #{issue}"),
               ("Message-ID", f"<n-{i}-{issue}@{dom}>"), ("Date", "Tue, 24 Nov 2026 08:00:00 +0000")]
    return _message(headers, text)

"""Calendar invites (.ics / text/calendar) carrying lure text and links."""

from __future__ import annotations

from attachment_helpers import analyze, message_with


def _ics(summary: str, description: str, url: str | None = None) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
             "UID:1234@example.com", "DTSTART:20261201T100000Z", "DTEND:20261201T103000Z",
             f"SUMMARY:{summary}", f"DESCRIPTION:{description}"]
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    text = "\r\n".join(lines) + "\r\n"
    # fold long lines as RFC 5545 requires, to exercise unfolding
    folded = []
    for line in text.split("\r\n"):
        while len(line) > 70:
            folded.append(line[:70])
            line = " " + line[70:]
        folded.append(line)
    return "\r\n".join(folded).encode()


def test_invite_with_lure_and_link():
    ics = _ics("Action required: your account will be suspended",
               "Unusual sign-in activity was detected. Verify your account within 24 hours:\\n"
               "https://account-review.example.net/verify?u=1")
    syms, facts = analyze(message_with([("invite.ics", "text/calendar", ics)]))
    assert "CALENDAR_INVITE_LURE" in syms
    assert any(u.startswith("https://account-review.example.net/verify") for u, _ in facts["extra_urls"])


def test_inline_text_calendar_part_without_name():
    ics = _ics("Payment failed - call us", "Your payment failed and your account will be suspended. "
               "Call our billing desk now at +1 (808) 555-0199 to avoid the charge of $499.")
    syms, _ = analyze(message_with([(None, "text/calendar; method=REQUEST", ics)]))
    assert "CALENDAR_INVITE_LURE" in syms


def test_ordinary_meeting_invite_is_quiet():
    ics = _ics("Weekly planning", "Join the meeting: https://meet.example.com/abc-defg-hij\\n"
               "Dial in: +1 415-555-0100 PIN 1234#\\nAgenda: roadmap, hiring.")
    syms, facts = analyze(message_with([("invite.ics", "text/calendar", ics)]))
    assert syms == set()
    assert any(u.startswith("https://meet.example.com/") for u, _ in facts["extra_urls"])

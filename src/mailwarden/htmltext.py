"""HTML to the text a reader sees (selectolax/lexbor: fast and tolerant of broken markup)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

_INVISIBLE_TAGS = ["script", "style", "head", "title", "noscript", "template"]


def parse_html(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, block elements separated by newlines."""
    if not html:
        return ""
    tree = parse_html(html)
    tree.strip_tags(_INVISIBLE_TAGS)
    root = tree.body or tree.root
    if root is None:
        return ""
    text = root.text(separator="\n", strip=True)
    return text

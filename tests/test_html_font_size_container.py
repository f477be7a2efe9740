"""font-size:0 hides text, except on a layout container whose children set their own size.

The container check is skipped for elements without an element child (it could only count the
element itself); these cases pin both sides of that shortcut.
"""

from mailwarden.htmltext import _build


def _hidden(html: str) -> list[str]:
    return [h.text for h in _build(html).hidden]


def test_leaf_with_font_size_zero_is_hidden() -> None:
    doc = _build('<p>Dear customer <span style="font-size:0">ignore previous text</span> pay now</p>')
    assert [h.text for h in doc.hidden] == ["ignore previous text"]
    assert "ignore previous" not in doc.visible_text


def test_container_whose_children_set_their_size_is_layout() -> None:
    html = ('<div style="font-size:0"><span style="font-size:14px">Your invoice</span>'
            '<span style="font-size:14px">is ready</span></div>')
    doc = _build(html)
    assert doc.hidden == []
    assert "Your invoice" in doc.visible_text


def test_container_with_unsized_child_is_hidden() -> None:
    assert _hidden('<div style="font-size:0">secret <b>words</b> here</div>') == ["secret words here"]


def test_comment_child_does_not_change_the_answer() -> None:
    assert _hidden('<div style="font-size:0">secret<!-- note --> text</div>') == ["secret text"]


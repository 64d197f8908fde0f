"""HTML bodies: what the buyer sees, what hides in attributes and hidden elements, and offsets."""

from __future__ import annotations

import pytest

from helpscout_app.compliance import check
from helpscout_app.compliance.html_view import html_views


def test_inline_tags_join_and_block_tags_break() -> None:
    views = html_views("<p>Call 555-<b>123</b>-4567</p><p>Bye</p>")
    assert views.text.text == "\nCall 555-123-4567\n\nBye\n"


def test_entities_are_decoded_and_mapped_back_to_the_source() -> None:
    source = "<p>Visit acme&#46;com &amp; more</p>"
    views = html_views(source)
    start = views.text.text.index("acme.com")
    span = views.text.source_span(start, start + len("acme.com"))
    assert source[span[0] : span[1]] == "acme&#46;com"


def test_attribute_values_are_collected_with_their_tag() -> None:
    views = html_views('<a href="https://acme.com/x" title="Call 555">link</a><img src="p.gif">')
    lines = views.attributes.text.splitlines()
    assert lines == ["https://acme.com/x", "Call 555", "p.gif"]
    assert [(s.tag, s.attribute) for s in views.segments] == [
        ("a", "href"),
        ("a", "title"),
        ("img", "src"),
    ]


@pytest.mark.parametrize(
    ("html", "offending"),
    [
        # catches: digits run together around a hidden filler
        (
            '555<span style="display:none">x</span>1234567',
            '555<span style="display:none">x</span>1234567',
        ),
        # catches: contact info inside an element the buyer cannot see
        ("<div hidden>call 555-123-4567</div>", "555-123-4567"),
        ('<span style="font-size:0">acme.com</span>', "acme.com"),
        ('<span style="visibility: hidden">jane@acme.com</span>', "jane@acme.com"),
    ],
    ids=["hidden-filler-between-digits", "hidden-attribute", "zero-font-size", "visibility-hidden"],
)
def test_hidden_elements_neither_hide_nor_split_contact_info(html: str, offending: str) -> None:
    report = check(html, html=True)
    assert report.blocked
    assert [f.text for f in report.blocking] == [offending]


def test_text_after_a_hidden_element_is_visible_again() -> None:
    views = html_views('<span style="display:none">a<span>b</span>c</span>Call now')
    assert views.text.text == "Call now"
    assert "hidden text" in {segment.attribute for segment in views.segments}


def test_unclosed_markup_is_read_as_text() -> None:
    views = html_views("a < b and <c d")
    assert views.text.text == "a < b and <c d"

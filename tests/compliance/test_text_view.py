"""Normalized views: which characters fold, and offsets that always map back to the input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helpscout_app.compliance.text_view import _ALWAYS_FOLDED, fold_char, plain_view


def test_every_character_that_folds_is_seen_by_the_fast_filter() -> None:
    """ViewBuilder.copy only calls fold_char for characters its cheap test picks out."""
    missed = [
        hex(code)
        for code in range(0x80, 0x30000)
        if not 0xD800 <= code <= 0xDFFF
        and fold_char(chr(code)) != chr(code)
        and not (chr(code) in _ALWAYS_FOLDED or chr(code).isdecimal() or chr(code).isspace())
    ]
    assert missed == []


def test_fold_examples() -> None:
    assert [fold_char(c) for c in "５٣\u200b＠\u2013\u00a0é"] == ["5", "3", "", "@", "-", " ", "é"]


def test_plain_view_maps_a_span_over_removed_characters() -> None:
    text = "call 555\u200b123\u200b4567 now"
    view = plain_view(text)
    assert view.text == "call 5551234567 now"
    start = view.text.index("555")
    span = view.source_span(start, start + 10)
    assert text[span[0] : span[1]] == "555\u200b123\u200b4567"
    assert not view.is_verbatim(start, start + 10)


@given(st.text())
def test_source_spans_always_index_the_input(text: str) -> None:
    view = plain_view(text)
    for start in range(0, len(view.text) + 1, max(len(view.text) // 7, 1)):
        source_start, source_end = view.source_span(start, len(view.text))
        assert 0 <= source_start <= source_end <= len(text)

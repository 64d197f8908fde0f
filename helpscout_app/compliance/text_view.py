"""Normalized views of a reply, with a map back to offsets in the text the caller passed in.

Recognizers read a normalized string: zero-width characters removed, fullwidth and other
Unicode digits folded to ASCII, exotic spaces and dashes made plain, HTML entities decoded.
Every finding is mapped back through the view, so offsets always index the caller's string.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f")
"""Invisible characters used to split digits and addresses so that filters miss them."""

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")
_EXTRA_FOLDS = {
    "\u3002": ".",  # ideographic full stop, "example。com"
    "\uff61": ".",  # halfwidth ideographic full stop
    "\ufe6b": "@",  # small commercial at
    "\u2024": ".",  # one dot leader
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ALWAYS_FOLDED = (
    ZERO_WIDTH
    | _DASHES
    | frozenset(_EXTRA_FOLDS)
    | frozenset(chr(code) for code in range(0xFF01, 0xFF5F))
)
"""With `str.isdecimal` and `str.isspace`, every character `fold_char` may change."""


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """The plain-ASCII stand-in for one character, or the character itself."""
    if char in ZERO_WIDTH:
        return ""
    if char in _EXTRA_FOLDS:
        return _EXTRA_FOLDS[char]
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    if char in _DASHES:
        return "-"
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # fullwidth ASCII block
        return chr(code - 0xFEE0)
    if unicodedata.category(char) == "Zs":
        return " "
    return char


class TextView:
    """A normalized string plus a piecewise map from its offsets to the source's.

    Piece `i` starts at `view_starts[i]` in the view and covers `source_starts[i]` to
    `source_ends[i]` in the source. A copied piece maps character for character; any other
    piece (an entity, a folded character, a tag turned into a line break) maps as one unit.
    """

    __slots__ = ("copied", "source_ends", "source_starts", "text", "view_starts")

    def __init__(
        self,
        text: str,
        view_starts: list[int],
        source_starts: list[int],
        source_ends: list[int],
        copied: list[bool],
    ) -> None:
        self.text = text
        self.view_starts = view_starts
        self.source_starts = source_starts
        self.source_ends = source_ends
        self.copied = copied

    @classmethod
    def identity(cls, text: str) -> TextView:
        return cls(text, [0], [0], [len(text)], [True])

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span to the source span that produced it."""
        return self._source_start(start), self._source_end(end)

    def is_verbatim(self, start: int, end: int) -> bool:
        """True when the span is a plain copy of the source: nothing hidden, dropped or decoded.

        A phone number run together from pieces (zero-width characters removed, digits split
        by HTML tags) is a deliberate disguise, and recognizers treat it as one.
        """
        source_start, source_end = self.source_span(start, end)
        if source_end - source_start != end - start:
            return False
        index = self._piece_at(start)
        return self.copied[index] and self._view_end(index) >= end

    def _piece_at(self, offset: int) -> int:
        return max(bisect_right(self.view_starts, offset) - 1, 0)

    def _view_end(self, index: int) -> int:
        return self.view_starts[index + 1] if index + 1 < len(self.view_starts) else len(self.text)

    def _source_start(self, offset: int) -> int:
        index = self._piece_at(offset)
        if self.copied[index]:
            length = self.source_ends[index] - self.source_starts[index]
            return self.source_starts[index] + min(offset - self.view_starts[index], length)
        return self.source_starts[index]

    def _source_end(self, offset: int) -> int:
        index = self._piece_at(max(offset - 1, 0))
        if self.copied[index]:
            return self.source_starts[index] + max(offset - self.view_starts[index], 0)
        return self.source_ends[index]


class ViewBuilder:
    """Builds a `TextView` from copied and replaced stretches of a source string."""

    __slots__ = (
        "_copied",
        "_length",
        "_parts",
        "_source",
        "_source_ends",
        "_source_starts",
        "_view_starts",
    )

    def __init__(self, source: str) -> None:
        self._source = source
        self._parts: list[str] = []
        self._view_starts: list[int] = []
        self._source_starts: list[int] = []
        self._source_ends: list[int] = []
        self._copied: list[bool] = []
        self._length = 0

    @property
    def length(self) -> int:
        """Characters in the view so far."""
        return self._length

    def copy(self, source_start: int, source_end: int) -> None:
        """Copy source text, folding odd characters on the way."""
        if source_start >= source_end:
            return
        chunk = self._source[source_start:source_end]
        if chunk.isascii():
            self._append(chunk, source_start, source_end, True)
            return
        position = source_start
        for run in _NON_ASCII.finditer(chunk):
            for offset, char in enumerate(run.group(), start=source_start + run.start()):
                if not (char in _ALWAYS_FOLDED or char.isdecimal() or char.isspace()):
                    continue  # é, ß, ’, €: letters and marks that stay as they are
                folded = fold_char(char)
                if folded == char:
                    continue
                self._append(self._source[position:offset], position, offset, True)
                self._append(folded, offset, offset + 1, len(folded) == 1)
                position = offset + 1
        self._append(self._source[position:source_end], position, source_end, True)

    def replace(self, source_start: int, source_end: int, text: str) -> None:
        """Stand `text` in for a source stretch (an entity, a tag), mapped as one unit."""
        self._append(text, source_start, source_end, False)

    def _append(self, text: str, source_start: int, source_end: int, copied: bool) -> None:
        if not text:
            return  # removed source text: the next piece's source offset records the jump
        if copied and len(text) != source_end - source_start:
            copied = False
        if copied and self._copied and self._copied[-1] and self._source_ends[-1] == source_start:
            self._source_ends[-1] = source_end  # extends the previous copy
        else:
            self._view_starts.append(self._length)
            self._source_starts.append(source_start)
            self._source_ends.append(source_end)
            self._copied.append(copied)
        self._parts.append(text)
        self._length += len(text)

    def build(self) -> TextView:
        if not self._view_starts:
            return TextView("", [0], [0], [0], [True])
        return TextView(
            "".join(self._parts),
            self._view_starts,
            self._source_starts,
            self._source_ends,
            self._copied,
        )


def plain_view(text: str) -> TextView:
    """The normalized view of a plain-text reply."""
    if text.isascii():
        return TextView.identity(text)
    builder = ViewBuilder(text)
    builder.copy(0, len(text))
    return builder.build()

"""Normalized views of a reply, with a map back to offsets in the text the caller passed in.

Recognizers read a normalized string: zero-width characters removed, fullwidth and other
Unicode digits folded to ASCII, exotic spaces and dashes made plain, HTML entities decoded.
Every finding is mapped back through the view, so offsets always index the caller's string.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
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
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


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


@dataclass(slots=True)
class _Piece:
    view_start: int
    view_end: int
    source_start: int
    source_end: int
    copied: bool  # True: one view char per source char; False: replaced as a unit


@dataclass(slots=True)
class TextView:
    """A normalized string plus a piecewise map from its offsets to the source's."""

    text: str
    pieces: list[_Piece] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    @classmethod
    def identity(cls, text: str) -> TextView:
        return cls(text, [_Piece(0, len(text), 0, len(text), True)], [0])

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span to the source span that produced it."""
        if not self.pieces:
            return 0, 0
        return self._source_start(start), self._source_end(end)

    def is_verbatim(self, start: int, end: int) -> bool:
        """True when the span is a plain copy of the source: nothing hidden, dropped or decoded.

        A phone number run together from pieces (zero-width characters removed, digits split
        by HTML tags) is a deliberate disguise, and recognizers treat it as one.
        """
        source_start, source_end = self.source_span(start, end)
        if source_end - source_start != end - start:
            return False
        piece = self._piece_at(start)
        return piece.copied and piece.view_end >= end

    def _piece_at(self, offset: int) -> _Piece:
        index = max(bisect_right(self._starts, offset) - 1, 0)
        return self.pieces[index]

    def _source_start(self, offset: int) -> int:
        piece = self._piece_at(offset)
        if piece.copied:
            return piece.source_start + min(
                offset - piece.view_start, piece.source_end - piece.source_start
            )
        return piece.source_start

    def _source_end(self, offset: int) -> int:
        piece = self._piece_at(max(offset - 1, 0))
        if piece.copied:
            return piece.source_start + max(offset - piece.view_start, 0)
        return piece.source_end


class ViewBuilder:
    """Builds a `TextView` from copied and replaced stretches of a source string."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._parts: list[str] = []
        self._pieces: list[_Piece] = []
        self._length = 0

    def copy(self, source_start: int, source_end: int) -> None:
        """Copy source text, folding odd characters on the way."""
        if source_start >= source_end:
            return
        chunk = self._source[source_start:source_end]
        if chunk.isascii():
            self._append(chunk, source_start, source_end, copied=True)
            return
        position = source_start
        for match in _NON_ASCII.finditer(chunk):
            char = match.group()
            folded = fold_char(char)
            if folded == char:
                continue
            char_start = source_start + match.start()
            self._append(self._source[position:char_start], position, char_start, copied=True)
            self._append(folded, char_start, char_start + 1, copied=len(folded) == 1)
            position = char_start + 1
        self._append(self._source[position:source_end], position, source_end, copied=True)

    def replace(self, source_start: int, source_end: int, text: str) -> None:
        """Stand `text` in for a source stretch (an entity, a tag), mapped as one unit."""
        self._append(text, source_start, source_end, copied=False)

    def _append(self, text: str, source_start: int, source_end: int, *, copied: bool) -> None:
        if not text:
            return  # removed source text: the next piece's source offset records the jump
        if copied and len(text) != source_end - source_start:
            copied = False
        last = self._pieces[-1] if self._pieces else None
        if copied and last is not None and last.copied and last.source_end == source_start:
            last.view_end += len(text)
            last.source_end = source_end
        else:
            self._pieces.append(
                _Piece(self._length, self._length + len(text), source_start, source_end, copied)
            )
        self._parts.append(text)
        self._length += len(text)

    @property
    def length(self) -> int:
        """Characters in the view so far."""
        return self._length

    def build(self) -> TextView:
        pieces = self._pieces or [_Piece(0, 0, 0, 0, True)]
        return TextView("".join(self._parts), pieces, [p.view_start for p in pieces])


def plain_view(text: str) -> TextView:
    """The normalized view of a plain-text reply."""
    if text.isascii():
        return TextView.identity(text)
    builder = ViewBuilder(text)
    builder.copy(0, len(text))
    return builder.build()

"""What a recognizer reads (one normalized text) and what it reports (matches in that text)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from helpscout_app.compliance.findings import Kind, Severity
from helpscout_app.compliance.html_view import AttributeSegment
from helpscout_app.compliance.keywords import KeywordIndex
from helpscout_app.compliance.options import CheckOptions
from helpscout_app.compliance.text_view import TextView


class Source(Enum):
    """Where in the reply a text comes from; it changes rule ids and messages, not verdicts."""

    BODY = "body"
    ATTRIBUTE = "attribute"  # an HTML attribute value: href, src, alt, CSS url() …


@dataclass(frozen=True, slots=True)
class Match:
    """A recognizer's hit, in offsets of the scanned (normalized) text.

    `target` is the normalized thing the Amazon allow-list judges: a host for links, an
    address for emails, the number as written for phones.
    """

    kind: Kind
    rule: str
    start: int
    end: int
    message: str
    target: str = ""
    severity: Severity = Severity.BLOCK


_DIGIT_WITH_LETTER_O = re.compile(r"\d[Oo]|[Oo]\d")
_DIGIT_TOKEN_WITH_O = re.compile(r"\b[0-9Oo]*\d[0-9Oo]*\b")


@dataclass(slots=True)
class Scan:
    """One normalized text under check, with derived forms computed once and shared."""

    view: TextView
    options: CheckOptions
    source: Source = Source.BODY
    segments: list[AttributeSegment] = field(default_factory=list)
    keyword_index: KeywordIndex | None = None  # the registry's; built on first use if None
    _lower: str | None = field(default=None, repr=False)
    _phone_text: str | None = field(default=None, repr=False)
    _segment_starts: list[int] | None = field(default=None, repr=False)
    _keywords: dict[str, list[int]] | None = field(default=None, repr=False)

    def segment_at(self, offset: int) -> AttributeSegment | None:
        """Which HTML attribute (tag, name) the text at `offset` came from, if any."""
        if not self.segments:
            return None
        if self._segment_starts is None:
            self._segment_starts = [segment.view_start for segment in self.segments]
        index = bisect_right(self._segment_starts, offset) - 1
        return self.segments[max(index, 0)]

    def keyword_positions(self, words: Iterable[str]) -> list[int]:
        """Start offsets (in `lower`) of every occurrence of any of the words, in order.

        The words must be among the recognizers' declared keywords (`Recognizer.keywords`):
        all of them are found in one pass the first time any recognizer asks.
        """
        if self._keywords is None:
            if self.keyword_index is None:
                from helpscout_app.compliance.registry import KEYWORD_INDEX

                self.keyword_index = KEYWORD_INDEX
            self._keywords = self.keyword_index.find(self.lower)
        found = self._keywords
        positions = [position for word in words for position in found.get(word, ())]
        positions.sort()
        return positions

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def lower(self) -> str:
        """Lower-cased text; same length as `text` for the characters recognizers look at."""
        if self._lower is None:
            text = self.view.text
            lowered = text.lower()
            if len(lowered) != len(text):
                # A few characters change length when lower-cased (İ → i̇); keep offsets aligned.
                lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
            self._lower = lowered
        return self._lower

    @property
    def phone_text(self) -> str:
        """`text` with the letter O read as zero inside digit groups ("2O6-266-1OOO")."""
        if self._phone_text is None:
            text = self.view.text
            if _DIGIT_WITH_LETTER_O.search(text):
                text = _DIGIT_TOKEN_WITH_O.sub(
                    lambda token: token.group().replace("O", "0").replace("o", "0"), text
                )
            self._phone_text = text
        return self._phone_text


@dataclass(frozen=True, slots=True)
class Recognizer:
    """A named finder of one kind of contact info; `find` must not do I/O.

    `keywords` are the lower-case words it looks near (`Scan.keyword_positions`).
    """

    name: str
    find: Callable[[Scan], Iterable[Match]]
    keywords: frozenset[str] = frozenset()

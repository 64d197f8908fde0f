"""Every keyword any recognizer gates on, found in one pass over the text.

Most recognizers only need to look near a few words ("review", "at", "dot", a toll-free code,
a digit word). Searching for each word, or running a regex alternation of them, costs a pass
over the reply per recognizer; an Aho-Corasick automaton (pyahocorasick, in C) finds all of
them, overlapping ones included, in one pass of a few microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class KeywordIndex:
    """A fixed set of lower-case keywords, and where they occur in a text."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        if not self.words or "" in self.words:
            raise ValueError("KeywordIndex needs at least one keyword and no empty ones")
        self._automaton = ahocorasick.Automaton()
        for word in self.words:
            self._automaton.add_word(word, word)
        self._automaton.make_automaton()

    def find(self, text: str) -> dict[str, list[int]]:
        """Start offsets of every occurrence of every keyword, in text order per keyword."""
        positions: dict[str, list[int]] = {}
        for end, word in self._automaton.iter(text):
            positions.setdefault(word, []).append(end - len(word) + 1)
        return positions

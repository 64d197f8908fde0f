"""Phone numbers written out in words, alone or mixed with digits.

Catches:  "five five five, one two three, four five six seven", "555-one-two-three-4567",
          "two oh six, two six six, one oh oh oh", "double five 1 2 3 4 5 6 7",
          "fünf fünf fünf eins zwei drei vier", "cinq cinq cinq un deux trois quatre"
Leaves:   "five stars", "two or three days", "one or two items", "1 2 3 steps"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan
from helpscout_app.compliance.trie_pattern import trie_pattern

DIGIT_WORDS: dict[str, int] = {
    # English
    "zero": 1,
    "oh": 1,
    "one": 1,
    "two": 1,
    "three": 1,
    "four": 1,
    "five": 1,
    "six": 1,
    "seven": 1,
    "eight": 1,
    "nine": 1,
    "ten": 2,
    "eleven": 2,
    "twelve": 2,
    "thirteen": 2,
    "fourteen": 2,
    "fifteen": 2,
    "sixteen": 2,
    "seventeen": 2,
    "eighteen": 2,
    "nineteen": 2,
    "twenty": 2,
    "thirty": 2,
    "forty": 2,
    "fifty": 2,
    "sixty": 2,
    "seventy": 2,
    "eighty": 2,
    "ninety": 2,
    # German
    "null": 1,
    "eins": 1,
    "zwei": 1,
    "drei": 1,
    "vier": 1,
    "fünf": 1,
    "sechs": 1,
    "sieben": 1,
    "acht": 1,
    "neun": 1,
    # French
    "zéro": 1,
    "un": 1,
    "deux": 1,
    "trois": 1,
    "quatre": 1,
    "cinq": 1,
    "sept": 1,
    "huit": 1,
    "neuf": 1,
    # Spanish and Italian
    "cero": 1,
    "uno": 1,
    "dos": 1,
    "tres": 1,
    "cuatro": 1,
    "cinco": 1,
    "seis": 1,
    "siete": 1,
    "ocho": 1,
    "nueve": 1,
    "due": 1,
    "tre": 1,
    "quattro": 1,
    "cinque": 1,
    "sei": 1,
    "sette": 1,
    "otto": 1,
    "nove": 1,
}
"""Words for digits and how many digits each stands for ("twenty" → 2)."""

REPEATERS = {"double": 2, "triple": 3, "doppel": 2, "doble": 2, "doppio": 2}
""""double five" is 55."""

_WORD = trie_pattern([*DIGIT_WORDS, *REPEATERS])
_TOKEN = rf"(?:{_WORD}|\d+)"
SPELLED_SEQUENCE = re.compile(rf"{_TOKEN}(?:[ \t,.\-/()]{{1,3}}{_TOKEN})+(?![\w])")
"""A run of digit words and digit groups joined by the separators people use in numbers."""

_TOKENS = re.compile(_TOKEN)
NUMBER_WORDS = frozenset([*DIGIT_WORDS, *REPEATERS])
"""The keywords this recognizer looks near (word boundaries are checked in code)."""
_CLUSTER_GAP = 30
"""Two digit words this close may be part of one number; a lone one ("one day") is not."""

MIN_DIGITS, MAX_DIGITS = 7, 15
"""The shortest local number and the longest international one (E.164)."""


def _count(sequence: str) -> tuple[int, int]:
    """Digits the sequence stands for, and how many of its tokens are words."""
    digits = words = 0
    repeat = 1
    for token in _TOKENS.findall(sequence):
        lowered = token.lower()
        if lowered in REPEATERS:
            repeat = REPEATERS[lowered]
            words += 1
            continue
        if token.isdigit():
            digits += len(token) * (repeat if len(token) == 1 else 1)
        else:
            digits += DIGIT_WORDS[lowered] * repeat
            words += 1
        repeat = 1
    return digits, words


def _word_starts(scan: Scan) -> list[int]:
    """Where a whole digit word starts ("one", not the "one" in "someone")."""
    lower = scan.lower
    starts = []
    for start in scan.keyword_positions(NUMBER_WORDS):
        if start > 0 and lower[start - 1].isalpha():
            continue
        word = _WORD_AT.match(lower, start)
        if word is not None:
            starts.append(start)
    return starts


_WORD_AT = re.compile(_WORD + r"\b")


def _clusters(scan: Scan) -> list[tuple[int, int]]:
    """Stretches where digit words come in twos or more, widened to take in digit groups."""
    positions = sorted(set(_word_starts(scan)))
    clusters: list[tuple[int, int]] = []
    for previous, current in pairwise(positions):
        if current - previous > _CLUSTER_GAP:
            continue
        start, end = max(previous - 60, 0), current + 80
        if clusters and start <= clusters[-1][1]:
            clusters[-1] = (clusters[-1][0], end)
        else:
            clusters.append((start, end))
    return clusters


def find_spelled_phone_numbers(scan: Scan) -> Iterator[Match]:
    """Runs of at least seven digits in which at least two are written as words."""
    for window_start, window_end in _clusters(scan):
        yield from _sequences(scan, window_start, window_end)


def _sequences(scan: Scan, window_start: int, window_end: int) -> Iterator[Match]:
    lower = scan.lower
    for found in SPELLED_SEQUENCE.finditer(lower, window_start, window_end):
        start = found.start()
        if start > 0 and (lower[start - 1].isalnum() or lower[start - 1] in "_-"):
            continue
        digits, words = _count(found.group())
        if words >= 2 and MIN_DIGITS <= digits <= MAX_DIGITS:
            yield Match(
                Kind.PHONE,
                "phone.spelled_digits",
                found.start(),
                found.end(),
                "Phone number spelled out in words: Amazon still counts it as a number.",
                target=scan.text[found.start() : found.end()],
            )


RECOGNIZER = Recognizer("spelled_phone", find_spelled_phone_numbers, NUMBER_WORDS)

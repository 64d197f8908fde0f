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

_UNITS = {
    # English, German, French, Spanish, Italian words for 0-9
    "0": "zero oh null zéro cero",
    "1": "one eins un uno",
    "2": "two zwei deux dos due",
    "3": "three drei trois tres tre",
    "4": "four vier quatre cuatro quattro",
    "5": "five fünf cinq cinco cinque",
    "6": "six sechs seis sei",
    "7": "seven sieben sept siete sette",
    "8": "eight acht huit ocho otto",
    "9": "nine neun neuf nueve nove",
}
_TENS_AND_TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
}
DIGIT_WORDS: dict[str, str] = {
    **{word: digit for digit, words in _UNITS.items() for word in words.split()},
    **_TENS_AND_TEENS,
}
"""Words for digits and the digits they stand for ("five" → "5", "twenty" → "20")."""

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


def _spell(sequence: str) -> tuple[str, int]:
    """The digits the sequence stands for, and how many of its tokens are words."""
    digits: list[str] = []
    words = 0
    repeat = 1
    for token in _TOKENS.findall(sequence):
        lowered = token.lower()
        if lowered in REPEATERS:
            repeat = REPEATERS[lowered]
            words += 1
            continue
        if token.isdigit():
            digits.append(token * repeat if len(token) == 1 else token)
        else:
            digits.append(DIGIT_WORDS[lowered] * repeat)
            words += 1
        repeat = 1
    return "".join(digits), words


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
        digits, words = _spell(found.group())
        if words < 2 or not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
            continue
        end = found.end()
        if (
            start > 0
            and lower[start - 1] == "("
            and lower.count(")", start, end) > lower.count("(", start, end)
        ):
            start -= 1  # "(five five five) one two …": keep the brackets together
        yield Match(
            Kind.PHONE,
            "phone.spelled_digits",
            start,
            end,
            "Phone number spelled out in words: Amazon still counts it as a number.",
            target=digits,  # the allow-list judges the number, however it is written
        )


RECOGNIZER = Recognizer("spelled_phone", find_spelled_phone_numbers, NUMBER_WORDS)

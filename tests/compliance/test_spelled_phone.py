"""Phone numbers written out in words (`recognizers/spelled_phone.py`), through `check()`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Report

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""

CASES = [
    # catches
    pytest.param(
        "Call five five five one two three four five six seven today",
        [("phone.spelled_digits", "five five five one two three four five six seven")],
        id="all-words",
    ),
    pytest.param(
        "Call five five five, one two three, four five six seven today",
        [("phone.spelled_digits", "five five five, one two three, four five six seven")],
        id="all-words-with-commas",
    ),
    pytest.param(
        "Call five five five - one two three - four five six seven today",
        [("phone.spelled_digits", "five five five - one two three - four five six seven")],
        id="all-words-with-spaced-dashes",
    ),
    pytest.param(
        "Call 555-one-two-three-4567 today",
        [("phone.spelled_digits", "555-one-two-three-4567")],
        id="digits-and-words-dashed",
    ),
    pytest.param(
        "Call 555 one two three 4567 today",
        [("phone.spelled_digits", "555 one two three 4567")],
        id="digits-and-words-spaced",
    ),
    pytest.param(
        "Call five-five-five 123 4567 today",
        [("phone.spelled_digits", "five-five-five 123 4567")],
        id="words-then-digit-groups",
    ),
    pytest.param(
        "Call two oh six, two six six, one oh oh oh today",
        [("phone.spelled_digits", "two oh six, two six six, one oh oh oh")],
        id="oh-for-zero",
    ),
    pytest.param(
        "Call double five 1 2 3 4 5 6 7 today",
        [("phone.spelled_digits", "double five 1 2 3 4 5 6 7")],
        id="double",
    ),
    pytest.param(
        "Call triple five one two three four five six today",
        [("phone.spelled_digits", "triple five one two three four five six")],
        id="triple",
    ),
    pytest.param(
        "Call five five five twelve thirty four fifty six today",
        [("phone.spelled_digits", "five five five twelve thirty four fifty six")],
        id="tens-words",
    ),
    pytest.param(
        "Call FIVE FIVE FIVE ONE TWO THREE FOUR today",
        [("phone.spelled_digits", "FIVE FIVE FIVE ONE TWO THREE FOUR")],
        id="capitals",
    ),
    pytest.param(
        "Call Five Five Five One Two Three Four today",
        [("phone.spelled_digits", "Five Five Five One Two Three Four")],
        id="title-case",
    ),
    pytest.param(
        "Ruf uns an: fünf fünf fünf eins zwei drei vier",
        [("phone.spelled_digits", "fünf fünf fünf eins zwei drei vier")],
        id="german",
    ),
    pytest.param(
        "Appelez-nous : cinq cinq cinq un deux trois quatre",
        [("phone.spelled_digits", "cinq cinq cinq un deux trois quatre")],
        id="french",
    ),
    pytest.param(
        "Llámenos: cinco cinco cinco uno dos tres cuatro",
        [("phone.spelled_digits", "cinco cinco cinco uno dos tres cuatro")],
        id="spanish",
    ),
    pytest.param(
        "Chiamaci: cinque cinque cinque uno due tre quattro",
        [("phone.spelled_digits", "cinque cinque cinque uno due tre quattro")],
        id="italian",
    ),
    pytest.param(
        "Call (five five five) one two three four five six seven today",
        [("phone.spelled_digits", "(five five five) one two three four five six seven")],
        id="area-code-in-brackets"),
    # leaves alone
    pytest.param("Five stars from us, thank you!", [], id="five-stars"),
    pytest.param("It takes two or three days.", [], id="two-or-three-days"),
    pytest.param("Add one or two items to the order.", [], id="one-or-two-items"),
    pytest.param("Follow the 1 2 3 steps in the guide.", [], id="one-two-three-steps"),
    pytest.param(
        "It takes two to three days, or four to five at most, one or two extra for remote areas.",
        [],
        id="delivery-estimate-prose",
    ),
    pytest.param("Follow steps one, two and three, then four and five.", [], id="step-list"),
    pytest.param(
        "You ordered one lamp, two bulbs, three shades and four hooks.", [], id="item-counts"
    ),
    pytest.param("Size six, seven or eight fit best; nine runs large.", [], id="sizes"),
    pytest.param("Buy one get one free, two for three dollars.", [], id="offer-wording"),
    pytest.param(
        "We have seven days, five hours and two minutes left.", [], id="durations-in-words"
    ),
    pytest.param(
        "We shipped two boxes on day one and three more on day two.", [], id="days-in-words"
    ),
    pytest.param(
        "Set the dial to one, then two, then three, then four, then five, then six.",
        [],
        id="dial-settings",
    ),
    pytest.param(
        "Amazon: one eight eight eight two eight zero four three three one",
        [],
        id="amazon-cs-number-spelled"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_spelled_phone_numbers(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected)

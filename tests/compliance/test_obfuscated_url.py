"""Web links written so a filter misses them (`recognizers/obfuscated_url.py`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Report

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""

CASES = [
    # catches
    pytest.param("Visit acme dot com today", [("url.obfuscated", "acme dot com")], id="dot-word"),
    pytest.param(
        "Visit acme DOT com today", [("url.obfuscated", "acme DOT com")], id="dot-word-capitals"
    ),
    pytest.param(
        "Visit ACME DOT COM today", [("url.obfuscated", "ACME DOT COM")], id="all-capitals"
    ),
    pytest.param(
        "Visit acme dot co dot uk today",
        [("url.obfuscated", "acme dot co dot uk")],
        id="two-level-suffix",
    ),
    pytest.param(
        "Visit www dot acme dot com today",
        [("url.obfuscated", "www dot acme dot com")],
        id="www-dot-words",
    ),
    pytest.param("Visit acme[.]com today", [("url.obfuscated", "acme[.]com")], id="bracketed-dot"),
    pytest.param(
        "Visit acme [dot] com today",
        [("url.obfuscated", "acme [dot] com")],
        id="bracketed-dot-word",
    ),
    pytest.param(
        "Visit acme (dot) com today", [("url.obfuscated", "acme (dot) com")], id="round-brackets"
    ),
    pytest.param(
        "Visit acme (dot) co (dot) uk today",
        [("url.obfuscated", "acme (dot) co (dot) uk")],
        id="round-brackets-two-level-suffix",
    ),
    pytest.param("Visit acme(.)com today", [("url.obfuscated", "acme(.)com")], id="round-dot"),
    pytest.param("Visit acme{.}com today", [("url.obfuscated", "acme{.}com")], id="curly-dot"),
    pytest.param(
        "Visit acme <dot> com today", [("url.obfuscated", "acme <dot> com")], id="angle-dot-word"
    ),
    pytest.param("Visit acme . com today", [("url.obfuscated", "acme . com")], id="spaced-dot"),
    pytest.param(
        "Visit acme period com today", [("url.obfuscated", "acme period com")], id="period-word"
    ),
    pytest.param(
        "Besuchen Sie acme punkt de heute", [("url.obfuscated", "acme punkt de")], id="german"
    ),
    pytest.param("Visitez acme point fr", [("url.obfuscated", "acme point fr")], id="french"),
    pytest.param("Visite acme punto es", [("url.obfuscated", "acme punto es")], id="spanish"),
    pytest.param(
        "Visit w w w . a c m e . c o m today",
        [("url.spaced_letters", "w w w . a c m e . c o m")],
        id="every-letter-spaced",
    ),
    pytest.param(
        "Visit a c m e . c o m today",
        [("url.spaced_letters", "a c m e . c o m")],
        id="spaced-letters-without-www",
    ),
    pytest.param(
        "Visit w w w . acme . c o m",
        [("url.spaced_letters", "w w w . acme . c o m")],
        id="spaced-www-at-the-end",
    ),
    pytest.param(
        "Visit w w w . acme . c o m today",
        [("url.spaced_letters", "w w w . acme . c o m")],
        id="spaced-www-then-words"),
    # leaves alone
    pytest.param("Connect the dot to the base.", [], id="connect-the-dot"),
    pytest.param("A polka dot pattern.", [], id="polka-dot"),
    pytest.param("We shipped dot matrix printers.", [], id="dot-matrix"),
    pytest.param("Dot com bubble stories.", [], id="dot-com-bubble"),
    pytest.param("Press the dot button, then the com key.", [], id="dot-button"),
    pytest.param("The period is over. Com on!", [], id="period-in-prose"),
    pytest.param("It ships at 5 p.m. today.", [], id="p-m"),
    pytest.param("The U . S . A team won.", [], id="spaced-initialism"),
    pytest.param("I . am . sorry", [], id="spaced-words"),
    pytest.param("Mr . Smith wrote back.", [], id="spaced-title"),
    pytest.param("It is 1 . 5 mm thick.", [], id="spaced-decimal"),
    pytest.param("The A B C D E line.", [], id="spaced-capitals"),
    pytest.param("Find it on amazon dot com today.", [], id="amazon-dot-com"),
    pytest.param("Find it on amazon [.] co [.] uk today.", [], id="amazon-bracketed"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_obfuscated_links(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected)

"""Email addresses written so a filter misses them (`recognizers/obfuscated_email.py`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Report

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""


CASES = [
    # catches
    pytest.param(
        "Write to jane at acme dot com today",
        [("email.obfuscated", "jane at acme dot com")],
        id="at-and-dot-words",
    ),
    pytest.param(
        "Write to JANE AT ACME DOT COM today",
        [("email.obfuscated", "JANE AT ACME DOT COM")],
        id="at-and-dot-capitals",
    ),
    pytest.param(
        "Write to jane AT acme DOT com today",
        [("email.obfuscated", "jane AT acme DOT com")],
        id="at-and-dot-shouted",
    ),
    pytest.param(
        "Write to jane.doe at gmail dot com today",
        [("email.obfuscated", "jane.doe at gmail dot com")],
        id="dotted-local-part",
    ),
    pytest.param(
        "Write to billing at acme-gadgets dot co dot uk today",
        [("email.obfuscated", "billing at acme-gadgets dot co dot uk")],
        id="two-level-suffix-in-words",
    ),
    pytest.param(
        "Write to jane [at] acme [dot] com today",
        [("email.obfuscated", "jane [at] acme [dot] com")],
        id="square-brackets",
    ),
    pytest.param(
        "Write to jane[at]acme[dot]com today",
        [("email.obfuscated", "jane[at]acme[dot]com")],
        id="square-brackets-no-spaces",
    ),
    pytest.param(
        "Write to jane[@]acme[.]com today",
        [("email.obfuscated", "jane[@]acme[.]com")],
        id="bracketed-symbols",
    ),
    pytest.param(
        "Write to jane(at)acme.com today",
        [("email.obfuscated", "jane(at)acme.com")],
        id="round-brackets-plain-dot",
    ),
    pytest.param(
        "Write to jane (at) acme (dot) com today",
        [("email.obfuscated", "jane (at) acme (dot) com")],
        id="round-brackets",
    ),
    pytest.param(
        "Write to jane {at} acme.co.uk today",
        [("email.obfuscated", "jane {at} acme.co.uk")],
        id="curly-brackets-plain-dots",
    ),
    pytest.param(
        "Write to jane{at}acme{dot}com today",
        [("email.obfuscated", "jane{at}acme{dot}com")],
        id="curly-brackets",
    ),
    pytest.param(
        "Write to jane @ acme . com today",
        [("email.obfuscated", "jane @ acme . com")],
        id="spaces-around-at-and-dot",
    ),
    pytest.param(
        "Write to jane @ acme . co . uk today",
        [("email.obfuscated", "jane @ acme . co . uk")],
        id="spaces-around-at-and-dots",
    ),
    pytest.param(
        "Write to jane@acme . com today",
        [("email.obfuscated", "jane@acme . com")],
        id="spaces-around-dot-only",
    ),
    pytest.param(
        "Write to help at acme.com today",
        [("email.obfuscated", "help at acme.com")],
        id="mailbox-name-at-plain-domain",
    ),
    pytest.param(
        "Write to jane @ acme.com today",
        [("email.obfuscated", "jane @ acme.com")],
        id="spaces-around-at-only",
    ),
    pytest.param(
        "Write to jane @acme.com today",
        [("email.obfuscated", "jane @acme.com")],
        id="space-before-at",
    ),
    pytest.param(
        "Write to jane@ acme.com today",
        [("email.obfuscated", "jane@ acme.com")],
        id="space-after-at",
    ),
    # leaves alone
    pytest.param("Please look at the manual first.", [], id="look-at"),
    pytest.param("We got your message at 11:58 pm.", [], id="at-a-time"),
    pytest.param("It arrives at 10. Then we call.", [], id="at-a-number-then-sentence"),
    pytest.param("Connect the dot to the base.", [], id="dot-in-prose"),
    pytest.param("Meet us at the store on Main St. tomorrow.", [], id="at-the-store"),
    pytest.param("Write to help at marketplace dot amazon dot com", [], id="amazon-relay-in-words"),
    pytest.param("Write to cs-reply [at] amazon [dot] com", [], id="amazon-in-brackets"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_obfuscated_email_addresses(
    expect_findings: ExpectFindings, text: str, expected: list
) -> None:
    expect_findings(text, expected)


def test_sold_at_a_shop_is_a_link_not_an_address(expect_findings: ExpectFindings) -> None:
    """ "sold at walmart.com" names a shop: the link recognizer reports it, as a link."""
    expect_findings("It is also sold at walmart.com.", [("url.domain", "walmart.com")])

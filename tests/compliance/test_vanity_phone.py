"""Vanity phone numbers, letters for digits (`recognizers/vanity_phone.py`), through `check()`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Report

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""

CASES = [
    # catches
    pytest.param("Call 1-800-FLOWERS today", [("phone.vanity", "1-800-FLOWERS")], id="1-800-word"),
    pytest.param("Call 1 800 FLOWERS today", [("phone.vanity", "1 800 FLOWERS")], id="spaces"),
    pytest.param("Call 800-FLOWERS today", [("phone.vanity", "800-FLOWERS")], id="no-leading-1"),
    pytest.param("Call 1-800-GOT-JUNK today", [("phone.vanity", "1-800-GOT-JUNK")], id="two-words"),
    pytest.param(
        "Call (888) CALL-NOW today", [("phone.vanity", "(888) CALL-NOW")], id="area-in-brackets"
    ),
    pytest.param(
        "Use 1-855-GET-HELP today", [("phone.vanity", "1-855-GET-HELP")], id="toll-free-855"
    ),
    pytest.param(
        "Call +1 877 SHOP-NOW today", [("phone.vanity", "+1 877 SHOP-NOW")], id="plus-1-877"
    ),
    pytest.param(
        "Call 1-877-KARS-4-KIDS today",
        [("phone.vanity", "1-877-KARS-4-KIDS")],
        id="one-character-group"),
    pytest.param(
        "Call 1-800-Flowers today",
        [("phone.vanity", "1-800-Flowers")],
        id="title-case-word"),
    # leaves alone
    pytest.param("Part 300-ABC-1234 is in stock", [], id="part-number"),
    pytest.param("The 800-GB SSD is in stock", [], id="capacity"),
    pytest.param("Model 500-XL-PRO is in stock", [], id="model-number"),
    pytest.param("We ship 800 LUMENS bulbs", [], id="spec-in-capitals"),
    pytest.param("Product 123-ABCDEFG is in stock", [], id="product-code"),
    pytest.param("Order 112-1234567-1234567 FAST-SHIP", [], id="order-id-then-capitals"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_vanity_phone_numbers(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected)

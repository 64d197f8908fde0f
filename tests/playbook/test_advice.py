"""The playbook's advice per situation, the refund template and the review window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpscout_app.playbook import Situation, advise
from helpscout_app.playbook.advice import RefundFacts
from helpscout_app.playbook.review_window import WindowState, review_window
from helpscout_app.settings import DEFAULT_REFUND_TEMPLATE

TEMPLATE = "Refund of $amount for the $product (order $order_id). ${product}!"


def test_a_product_problem_gets_the_refund_template_filled() -> None:
    advice = advise(
        Situation.PRODUCT_PROBLEM,
        refund_template=TEMPLATE,
        refund=RefundFacts("Pour-Over Kettle", "34.99 USD", "112-4839201-5512347"),
    )

    assert advice.suggested_reply == (
        "Refund of 34.99 USD for the Pour-Over Kettle (order 112-4839201-5512347). "
        "Pour-Over Kettle!"
    )
    assert any("no return instructions" in step for step in advice.steps)


def test_unknown_order_facts_are_left_as_blanks_to_fill() -> None:
    advice = advise(Situation.PRODUCT_PROBLEM, refund_template=DEFAULT_REFUND_TEMPLATE)

    assert "[product]" in (advice.suggested_reply or "")
    assert "[amount]" in (advice.suggested_reply or "")


def test_template_text_is_never_evaluated() -> None:
    advice = advise(
        Situation.PRODUCT_PROBLEM,
        refund_template="{0.__class__} $amount",
        refund=RefundFacts("x", "$product", "1"),
    )

    assert advice.suggested_reply == "{0.__class__} $product"


@pytest.mark.parametrize(
    ("situation", "words"),
    [
        (Situation.RETURN_OR_SUBSCRIPTION, "Amazon account"),
        (Situation.EDUCATIONAL_MATERIAL, "personal email address"),
        (Situation.HAPPY_BUYER, "Request a Review"),
    ],
)
def test_each_situation_says_what_the_playbook_says(situation: Situation, words: str) -> None:
    advice = advise(situation, refund_template=TEMPLATE)

    assert words in " ".join((advice.headline, *advice.steps))
    assert advice.suggested_reply is None


@pytest.mark.parametrize("situation", list(Situation))
def test_no_advice_mentions_seller_feedback(situation: Situation) -> None:
    advice = advise(situation, refund_template=DEFAULT_REFUND_TEMPLATE)

    text = " ".join((advice.headline, *advice.steps, advice.suggested_reply or "")).casefold()
    assert "feedback" not in text


def test_only_a_happy_buyer_is_offered_the_review_request() -> None:
    offered = [s for s in Situation if advise(s, refund_template=TEMPLATE).offers_review_request]

    assert offered == [Situation.HAPPY_BUYER]


DELIVERED = datetime(2026, 11, 6, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (DELIVERED + timedelta(days=4, hours=23), WindowState.NOT_YET),
        (DELIVERED + timedelta(days=5), WindowState.OPEN),
        (DELIVERED + timedelta(days=2) + timedelta(days=30), WindowState.OPEN),
        (DELIVERED + timedelta(days=2, seconds=1) + timedelta(days=30), WindowState.CLOSED),
    ],
)
def test_review_window_runs_from_5_days_after_earliest_to_30_after_latest_delivery(
    now: datetime, state: WindowState
) -> None:
    window = review_window(DELIVERED, DELIVERED + timedelta(days=2))

    assert window.state(now) is state


def test_an_order_without_delivery_dates_has_no_known_window() -> None:
    assert review_window(None, None).state(DELIVERED) is WindowState.UNKNOWN

"""What the playbook tells the agent to do in each situation, for the sidebar.

The team's SOP (DESIGN.md): product problems are resolved at once with a refund or a replacement,
without return instructions; returns and subscription changes go to the buyer's Amazon account;
a buyer asking for educational material is asked for a personal email address and served from
the regular support inbox; a happy buyer gets Amazon's "Request a Review", inside its window and
once per order. The review request is never called anything with "feedback" in it: Amazon's
rules forbid steering buyers toward seller feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from helpscout_app.playbook.situations import Situation


@dataclass(frozen=True)
class Advice:
    """The playbook's word for one situation: a headline, steps, and a reply to start from."""

    situation: Situation
    headline: str
    steps: tuple[str, ...]
    suggested_reply: str | None = None
    offers_review_request: bool = False


@dataclass(frozen=True)
class RefundFacts:
    """What the refund template is filled with; None where the order is not known."""

    product: str | None
    amount: str | None
    order_id: str | None


_ADVICE: dict[Situation, Advice] = {
    Situation.PRODUCT_PROBLEM: Advice(
        Situation.PRODUCT_PROBLEM,
        "Product problem: resolve it now",
        (
            "Offer what the buyer asked for: a full refund or a replacement, issued today.",
            "Do not ask for the item back and give no return instructions.",
            "Reply inside Amazon's messaging only: no links, phone numbers or email addresses.",
        ),
    ),
    Situation.RETURN_OR_SUBSCRIPTION: Advice(
        Situation.RETURN_OR_SUBSCRIPTION,
        "Return or subscription change: the buyer's Amazon account",
        (
            "Returns and Subscribe & Save changes are made by the buyer in Your Orders / "
            "Your Subscribe & Save on Amazon.",
            "Tell the buyer where to find it in their Amazon account; do not process it here.",
        ),
    ),
    Situation.EDUCATIONAL_MATERIAL: Advice(
        Situation.EDUCATIONAL_MATERIAL,
        "Educational material: continue from the support inbox",
        (
            "Ask the buyer for a personal email address to send the material to.",
            "Once they give it, write from the regular support inbox, not from this Amazon "
            "conversation; attach nothing here.",
        ),
    ),
    Situation.HAPPY_BUYER: Advice(
        Situation.HAPPY_BUYER,
        "Happy buyer: thank them",
        (
            "Thank the buyer; do not ask for a review in the reply.",
            "Use Amazon's Request a Review below, offered 5 to 30 days after delivery, once per "
            "order.",
        ),
        offers_review_request=True,
    ),
    Situation.OTHER: Advice(
        Situation.OTHER,
        "No playbook rule matched",
        ("Answer within 24 hours, inside Amazon's messaging rules.",),
    ),
}


def advise(
    situation: Situation, *, refund_template: str, refund: RefundFacts | None = None
) -> Advice:
    """The advice for `situation`; a product problem gets the refund template filled in.

    `refund_template` uses `$product`, `$amount` and `$order_id` (string.Template: nothing in
    it is evaluated); what is not known shows as a bracketed blank for the agent to fill.
    """
    advice = _ADVICE[situation]
    if situation is not Situation.PRODUCT_PROBLEM:
        return advice
    facts = refund or RefundFacts(None, None, None)
    reply = Template(refund_template).safe_substitute(
        product=facts.product or "[product]",
        amount=facts.amount or "[amount]",
        order_id=facts.order_id or "[order ID]",
    )
    return Advice(advice.situation, advice.headline, advice.steps, suggested_reply=reply)

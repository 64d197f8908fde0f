"""Playbook warnings (`recognizers/policy.py`): severity "warn", never blocking by themselves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Kind, Report, Severity, check
from helpscout_app.compliance.recognizers.policy import POLICY_RULES

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""

CASES = [
    # catches
    # -- return instructions
    pytest.param(
        "Please ship it back to us and we will refund you.",
        [("policy.return_instructions", "ship it back")],
        id="ship-it-back",
    ),
    pytest.param(
        "Please send the lamp back to our warehouse.",
        [("policy.return_instructions", "send the lamp back")],
        id="send-the-item-back",
    ),
    pytest.param(
        "Please bring it back to the store.",
        [("policy.return_instructions", "bring it back")],
        id="bring-it-back",
    ),
    pytest.param(
        "Just mail it to our address in Ohio.",
        [("policy.return_instructions", "mail it to")],
        id="mail-it-to",
    ),
    pytest.param(
        "Please mail them to our warehouse.",
        [("policy.return_instructions", "mail them to")],
        id="mail-them-to",
    ),
    pytest.param(
        "Please return it to us within 30 days.",
        [("policy.return_instructions", "return it to us")],
        id="return-it-to-us",
    ),
    pytest.param(
        "Fill in the return form and we refund.",
        [("policy.return_instructions", "return form")],
        id="return-form",
    ),
    pytest.param(
        "Please print the prepaid label and attach it.",
        [("policy.return_instructions", "print the prepaid label")],
        id="print-the-label",
    ),
    pytest.param(
        "We will email you a prepaid return label.",
        [("policy.return_instructions", "email you a prepaid return label")],
        id="we-send-a-return-label",
    ),
    pytest.param(
        "Drop it off at any UPS store.",
        [("policy.return_instructions", "Drop it off")],
        id="drop-it-off",
    ),
    pytest.param(
        "Bitte senden Sie die Lampe an uns zurück.",
        [("policy.return_instructions", "senden Sie die Lampe an uns zurück")],
        id="german",
    ),
    pytest.param(
        "Merci de nous renvoyer le produit.",
        [("policy.return_instructions", "renvoyer")],
        id="french",
    ),
    pytest.param(
        "Por favor devolver el producto a nuestra tienda.",
        [("policy.return_instructions", "devolver el producto")],
        id="spanish",
    ),
    # -- review manipulation
    pytest.param(
        "Please leave us a 5-star review.",
        [("policy.review_manipulation", "leave us a 5-star review")],
        id="five-star-review",
    ),
    pytest.param(
        "We'd love a positive review!",
        [("policy.review_manipulation", "positive review")],
        id="positive-review",
    ),
    pytest.param(
        "We'd appreciate a glowing review.",
        [("policy.review_manipulation", "glowing review")],
        id="glowing-review",
    ),
    pytest.param(
        "If you are happy with the lamp, please leave a review.",
        [("policy.review_manipulation", "If you are happy with the lamp, please leave a review")],
        id="review-only-if-happy",
    ),
    pytest.param(
        "Could you please change your review?",
        [("policy.review_manipulation", "Could you please change your review")],
        id="change-your-review",
    ),
    pytest.param(
        "Could you please remove your review?",
        [("policy.review_manipulation", "Could you please remove your review")],
        id="remove-your-review",
    ),
    pytest.param(
        "Could you update your 1-star review?",
        [("policy.review_manipulation", "Could you update your 1-star review")],
        id="update-a-one-star-review",
    ),
    pytest.param(
        "Only leave a review if you are happy with the product.",
        [("policy.review_manipulation", "leave a review if you are happy")],
        id="review-only-if-happy-review-first"),
    # -- incentives for reviews
    pytest.param(
        "Leave a review and we'll send you a free gift.",
        [("policy.review_incentive", "review and we'll send you a free")],
        id="review-and-free-gift",
    ),
    pytest.param(
        "Post a review and receive a discount on your next order.",
        [("policy.review_incentive", "review and receive a discount")],
        id="review-and-discount",
    ),
    pytest.param(
        "Send us a screenshot of your review for a free gift.",
        [("policy.review_incentive", "screenshot of your review for a free")],
        id="screenshot-for-a-gift",
    ),
    pytest.param(
        "We will send a $10 gift card in exchange for a review.",
        [("policy.review_incentive", "gift card in exchange for a review")],
        id="gift-card-in-exchange"),
    # -- the words "seller feedback"
    pytest.param(
        "Please leave us seller feedback.",
        [("policy.seller_feedback", "seller feedback")],
        id="seller-feedback",
    ),
    pytest.param(
        "Seller-Feedback is appreciated.",
        [("policy.seller_feedback", "Seller-Feedback")],
        id="seller-feedback-hyphen",
    ),
    pytest.param(
        "SELLER FEEDBACK matters.",
        [("policy.seller_feedback", "SELLER FEEDBACK")],
        id="seller-feedback-capitals",
    ),
    # -- the buyer's Amazon account for a product problem
    pytest.param(
        "The lamp is defective; please open a return in Your Orders.",
        [("policy.amazon_account_for_product_issue", "Your Orders")],
        id="defect-to-your-orders",
    ),
    pytest.param(
        "Since the lamp is broken, please contact Amazon through Your Orders.",
        [
            ("policy.amazon_account_for_product_issue", "contact Amazon"),
            ("policy.amazon_account_for_product_issue", "Your Orders"),
        ],
        id="broken-contact-amazon",
    ),
    # -- marketing and coupons
    pytest.param("Use coupon SAVE10 next time.", [("policy.marketing", "coupon")], id="coupon"),
    pytest.param(
        "Use promo code SAVE10 next time.", [("policy.marketing", "promo code")], id="promo-code"
    ),
    pytest.param(
        "Get 20% off your next order.", [("policy.marketing", "20% off")], id="percent-off"
    ),
    pytest.param(
        "Subscribe to our newsletter.",
        [("policy.marketing", "Subscribe to our"), ("policy.marketing", "newsletter")],
        id="newsletter",
    ),
    pytest.param("Follow us for deals.", [("policy.marketing", "Follow us")], id="follow-us"),
    pytest.param(
        "Visit our store for more.", [("policy.marketing", "Visit our store")], id="visit-our-store"
    ),
    pytest.param(
        "You might also like our desk lamps.",
        [("policy.marketing", "You might also like")],
        id="you-might-also-like",
    ),
    pytest.param(
        "Our new products are here.",
        [("policy.marketing", "Our new products")],
        id="our-new-products",
    ),
    pytest.param(
        "Everything is on sale this week.", [("policy.marketing", "on sale")], id="on-sale"
    ),
    # -- emoji
    pytest.param("Thanks 😊", [("policy.emoji", "😊")], id="emoji-smile"),
    pytest.param("Thanks ❤️", [("policy.emoji", "❤️")], id="emoji-with-variation-selector"),
    # leaves alone
    # -- negations: the playbook done right
    pytest.param("No need to send it back, keep it.", [], id="no-need-to-send-it-back"),
    pytest.param("You don't need to ship it back.", [], id="dont-need-to-ship-it-back"),
    pytest.param("There's no need to ship the lamp back to us.", [], id="no-need-ship-the-item"),
    pytest.param("You don't have to return it to us.", [], id="dont-have-to-return-it"),
    pytest.param("We do not need you to send it back.", [], id="do-not-need-you-to"),
    pytest.param("Nothing needs to be sent back.", [], id="nothing-needs-sending"),
    pytest.param("Keep it, you never need to mail it back.", [], id="never-need-to-mail-it"),
    pytest.param(
        "We've sent a replacement, no need to return anything.", [], id="no-need-to-return"
    ),
    pytest.param("Sie müssen den Artikel nicht zurückschicken.", [], id="german-negation"),
    pytest.param(
        "Please don't return it to us, keep it.",
        [],
        id="dont-return-it"),
    # -- what the playbook allows
    pytest.param("You can request a return in Your Orders.", [], id="return-in-your-orders"),
    pytest.param("Your subscription can be changed in Your Orders.", [], id="subscription"),
    pytest.param("You can follow the refund in Your Orders.", [], id="refund-in-your-orders"),
    pytest.param("Amazon may ask you to review your purchase.", [], id="amazon-asks-for-review"),
    pytest.param("Amazon may ask you for feedback on the seller.", [], id="feedback-on-the-seller"),
    pytest.param("Your feedback helps us improve.", [], id="feedback-helps"),
    pytest.param("We'd love your honest review.", [], id="honest-review"),
    pytest.param("Our 2-star lamps are being replaced.", [], id="two-star"),
    pytest.param("Thanks ★★★ ™ → ✓ :)", [], id="typography-not-emoji"),
    pytest.param(
        "It scored 5 stars in the lab test.",
        [],
        id="five-stars-as-a-fact"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_playbook_warnings(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    report = expect_findings(text, expected, severity=Severity.WARN)
    assert not report.blocked
    assert all(f.kind is Kind.POLICY for f in report.findings)
    assert report.redacted == text


HTML_CASES = [
    # catches
    pytest.param("<p>Thanks &#128522;</p>", [("policy.emoji", "&#128522;")], id="emoji-entity"),
    pytest.param(
        "<p>Please <b>ship it back</b> to us.</p>",
        [("policy.return_instructions", "ship it back")],
        id="visible-text",
    ),
    # leaves alone: attributes are links and images, not wording
    pytest.param(
        '<p>Thanks <img alt="😊" src="https://www.amazon.com/x.png"></p>', [], id="emoji-in-alt"
    ),
]


@pytest.mark.parametrize(("text", "expected"), HTML_CASES)
def test_playbook_warnings_in_html(
    expect_findings: ExpectFindings, text: str, expected: list
) -> None:
    report = expect_findings(text, expected, html=True, severity=Severity.WARN)
    assert not report.blocked


def test_every_warning_rule_has_a_catching_case() -> None:
    rules = {policy_rule.rule for policy_rule in POLICY_RULES}
    rules |= {"policy.emoji", "policy.amazon_account_for_product_issue"}
    covered = {rule for case in CASES if not case.marks for rule, _ in case.values[1]}
    assert rules <= covered


def test_warnings_never_block_even_when_many() -> None:
    text = (
        "Please ship it back to us, leave a 5-star review for a $10 gift card, "
        "mention seller feedback, and use coupon SAVE10 😊"
    )
    report = check(text)
    assert {f.severity for f in report.findings} == {Severity.WARN}
    assert len({f.rule for f in report.findings}) >= 5
    assert not report.blocked


def test_warnings_stand_beside_blocking_findings_and_are_not_redacted() -> None:
    text = "Please ship it back to us. Questions? Call 555-123-4567."
    report = check(text)
    assert [(f.rule, f.severity) for f in report.findings] == [
        ("policy.return_instructions", Severity.WARN),
        ("phone.national", Severity.BLOCK),
    ]
    assert report.blocked
    assert report.redacted == "Please ship it back to us. Questions? Call [phone number removed]."

"""The team's playbook, as warnings an agent sees before sending (they never block alone).

Catches:  "please ship it back to us", "leave us a 5-star review", "a $10 gift card for your
          review", "seller feedback", "contact Amazon through Your Orders about the defect",
          "use code SAVE10", "😀"
Leaves:   "we've sent a replacement, no need to return anything", "you can request a return in
          Your Orders", "Amazon may ask you to review your purchase"
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.findings import Kind, Severity
from helpscout_app.compliance.scan import Match, Recognizer, Scan, Source

_I = re.IGNORECASE

POLICY_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "policy.return_instructions",
        re.compile(
            r"\b(?:ship|send|mail|post|bring)\s+(?:[\w']+\s+){0,3}?back\b"
            r"|\breturn(?:\s+shipping)?\s+label\b|\bprint\s+(?:the|a|your)\s+(?:\w+\s+){0,2}?label\b"
            r"|\bdrop\s+(?:it|them|the\s+\w+)\s+off\b|\breturn\s+address\b"
            r"|\bzurück(?:senden|schicken)\b|\bschicken\s+sie\s+(?:\w+\s+){0,3}?zurück\b"
            r"|\brenvoy\w+\b|\bdevolver\s+el\s+producto\b|\brispedi\w+\b",
            _I,
        ),
        "Return instructions: the playbook resolves product problems with a refund or a "
        "replacement, without asking for the item back.",
    ),
    (
        "policy.review_manipulation",
        re.compile(
            r"\b(?:positive|good|great|glowing|favou?rable|5|five)[\s-]*(?:star[\s-]+)?"
            r"(?:review|rating|feedback)s?\b"
            r"|\bif\s+you\s+(?:are|were|'re|feel)\s+(?:\w+\s+){0,2}?(?:happy|satisfied|pleased)\b"
            r"[^.!?]{0,80}?\b(?:review|rating|feedback)"
            r"|\b(?:change|remove|update|delete|revise|edit)\s+(?:your|the)\s+(?:\w+\s+)?"
            r"(?:review|rating|feedback)\b",
            _I,
        ),
        "Review wording: Amazon forbids asking for positive reviews, asking only happy buyers, "
        "or asking to change a review.",
    ),
    (
        "policy.review_incentive",
        re.compile(
            r"\b(?:in\s+exchange\s+for|in\s+return\s+for|for\s+(?:leaving|writing|posting))\s+"
            r"(?:a|an|your|us\s+a)\s+(?:\w+\s+){0,2}?(?:review|rating|feedback)"
            r"|\b(?:review|rating|feedback)\b[^.!?]{0,60}?\b(?:and|&)\s+(?:we(?:'ll|\s+will)|you(?:'ll|\s+will))"
            r"\s+(?:\w+\s+){0,3}?(?:free|gift|discount|refund|voucher|coupon|rebate|reward|bonus|cash)"
            r"|\b(?:gift\s+card|free\s+(?:product|item|gift)|discount|voucher|rebate)\b[^.!?]{0,60}?"
            r"\b(?:for|after)\s+(?:\w+\s+){0,2}?(?:review|rating|feedback)",
            _I,
        ),
        "Incentive for a review: offering anything in return for a review is banned.",
    ),
    (
        "policy.seller_feedback",
        re.compile(
            r"\bseller[\s-]+feedback\b|\bverkäufer[\s-]*bewertung\w*|\bévaluation\s+(?:du\s+)?vendeur"
            r"|\bvaloraci[óo]n\s+(?:del\s+)?vendedor|\bfeedback\s+(?:del\s+|sul\s+)?venditore",
            _I,
        ),
        'The words "seller feedback": the playbook uses Amazon\'s review request instead.',
    ),
    (
        "policy.marketing",
        re.compile(
            r"\bcoupons?\b|\b(?:promo(?:tion(?:al)?)?|discount|voucher)\s+codes?\b"
            r"|\b\d{1,2}\s*%\s*off\b|\bcheck\s+out\s+our\s+(?:other|new|latest)\b"
            r"|\bour\s+(?:other|new|latest)\s+products\b|\bfollow\s+us\b|\bnewsletter\b"
            r"|\bsubscribe\s+to\s+our\b|\bspecial\s+offer\b|\bexclusive\s+(?:deal|offer|discount)s?\b"
            r"|\bvisit\s+our\s+(?:store|shop|website|site)\b",
            _I,
        ),
        "Marketing: promotions, coupons and other products are banned in buyer messages.",
    ),
    (
        "policy.emoji",
        re.compile(
            "[\U0001f300-\U0001faff\U0001f000-\U0001f02f\U0001f0a0-\U0001f0ff"
            "\U0001f1e6-\U0001f1ff\U0001f200-\U0001f2ff\u2600-\u27bf\u2b50\u2b55\u231a\u231b"
            "\u23e9-\u23fa]\ufe0f?"
        ),
        "Emoji: Amazon's styling rules ban them.",
    ),
)
"""(rule id, pattern, message) for each playbook warning that a pattern can spot."""

ACCOUNT_REFERRAL = re.compile(
    r"\b(?:your\s+amazon\s+account|your\s+orders|contact\s+amazon|amazon(?:'s)?\s+customer\s+"
    r"(?:service|support)|(?:through|via)\s+amazon)\b",
    _I,
)
PRODUCT_PROBLEM = re.compile(
    r"\b(?:broken|damaged|defect\w*|faulty|not\s+working|doesn'?t\s+work|does\s+not\s+work|"
    r"stopped\s+working|malfunction\w*|cracked|leak\w*|missing\s+(?:parts?|pieces?)|"
    r"won'?t\s+(?:turn\s+on|charge|work|start)|dead\s+on\s+arrival)\b",
    _I,
)
ACCOUNT_REFERRAL_MESSAGE = (
    "Buyer sent to their Amazon account for a product problem: the playbook resolves it here "
    "(refund or replacement); the account is only for returns and subscription changes."
)


def find_playbook_warnings(scan: Scan) -> Iterator[Match]:
    """Warnings in the visible text; attributes are links and images, not wording."""
    if scan.source is not Source.BODY:
        return
    text = scan.text
    for rule, pattern, message in POLICY_PATTERNS:
        for found in pattern.finditer(text):
            yield Match(Kind.POLICY, rule, found.start(), found.end(), message,
                        severity=Severity.WARN)
    if PRODUCT_PROBLEM.search(text):
        for found in ACCOUNT_REFERRAL.finditer(text):
            yield Match(
                Kind.POLICY, "policy.amazon_account_for_product_issue", found.start(),
                found.end(), ACCOUNT_REFERRAL_MESSAGE, severity=Severity.WARN,
            )


RECOGNIZER = Recognizer("policy", find_playbook_warnings)

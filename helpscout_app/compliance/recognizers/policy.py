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
from dataclasses import dataclass

from helpscout_app.compliance.findings import Kind, Severity
from helpscout_app.compliance.scan import Match, Recognizer, Scan, Source
from helpscout_app.compliance.trie_pattern import trie_pattern


@dataclass(frozen=True, slots=True)
class Clue:
    """One way a rule shows in text: a pattern, tried only near one of its gate words.

    Every match contains a gate word. Finding words costs almost nothing; trying a pattern at
    every position of a long reply does not, so patterns run in a window around each gate.
    """

    gates: tuple[str, ...]
    pattern: re.Pattern[str]
    before: int  # how far a match can start before its gate word
    after: int  # how far it can end after the gate word's start
    near: tuple[str, ...] = ()  # one of these must occur just before the gate word


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """A playbook warning: its stable id, what the agent reads, and the clues that show it."""

    rule: str
    message: str
    clues: tuple[Clue, ...]


def _clue(
    gates: str, pattern: str, before: int = 60, after: int = 60, near: tuple[str, ...] = ()
) -> Clue:
    return Clue(tuple(gates.split("|")), re.compile(pattern), before, after, near)


POLICY_RULES: tuple[PolicyRule, ...] = (
    PolicyRule(
        "policy.return_instructions",
        "Return instructions: the playbook resolves product problems with a refund or a "
        "replacement, without asking for the item back.",
        (
            _clue(
                "back",
                r"(?:ship|send|mail|post|bring)\s+(?:[\w']+\s+){0,3}?back\b",
                before=60,
                after=6,
            ),
            _clue(
                "mail it|ship it|post it|mail them|ship them|post them|mail the|ship the|post the",
                r"(?:mail|ship|post)\s+(?:it|them|the\s+[\w-]+)\s+to\b",
                before=0,
                after=45,
            ),
            _clue(
                "to us|to our",
                r"return\s+(?:it|them|the\s+[\w-]+)\s+to\s+(?:us|our)\b",
                before=45,
                after=10,
            ),
            _clue("return form", r"return\s+form\b", before=0, after=15),
            _clue(
                "label",
                r"print\s+(?:the|a|your)\s+(?:\w+\s+){0,2}?label\b"
                r"|(?:send|email|attach)\w*\s+(?:you\s+)?(?:a|the)\s+(?:prepaid\s+)?"
                r"return\s+label\b",
                before=60,
                after=8,
            ),
            _clue("drop ", r"drop\s+(?:it|them|the\s+\w+)\s+off\b", before=0, after=40),
            _clue(
                "zurück",
                r"zurück(?:senden|schicken)\b"
                r"|(?:senden|schicken)\s+sie\s+[^.!?]{0,60}?zurück\b",
                before=100,
                after=20,
            ),
            _clue("renvoy", r"renvoy\w+", before=0, after=25),
            _clue(
                "devol|devuelv",
                r"devolver\s+el\s+producto\b"
                r"|devuelv\w+\b[^.!?]{0,60}?\ba\s+nuestr[oa]\b",
                before=0,
                after=110,
            ),
            _clue("etiqueta", r"etiqueta\s+de\s+devoluci\w+", before=0, after=40),
            _clue("rispedi", r"rispedi\w+", before=0, after=25),
        ),
    ),
    PolicyRule(
        "policy.review_manipulation",
        "Review wording: Amazon forbids asking for positive reviews, asking only happy buyers, "
        "or asking to change a review.",
        (
            _clue(
                "positive|glowing|favo|higher|good review|good rating|good feedback|great review"
                "|great rating|great feedback",
                r"(?:positive|good|great|glowing|favou?rable|higher)[\s-]*"
                r"(?:review|rating|feedback)",
                before=0,
                after=32,
            ),
            _clue(
                "5 st|5-st|5st|five st|five-st|5 estrel|cinco estrel|5 stel|cinque stel"
                "|5-stern|5 stern|fünf stern|5 étoile|cinq étoile|5★|5 ★",
                # "a 5-star review", "5-Sterne-Bewertung": the stars are the review asked for
                r"(?:5|five|cinq|fünf|cinco|cinque)[\s-]*"
                r"(?:stars?|stelle|estrellas|sterne|étoiles|★)[\s-]*"
                r"(?:review|rating|feedback|bewertung|valoraci\w+|recensione|avis)",
                before=0,
                after=40,
            ),
            _clue(
                "5 st|5-st|5st|five st|five-st|5 estrel|cinco estrel|5 stel|cinque stel"
                "|5-stern|5 stern|fünf stern|5 étoile|cinq étoile|5★|5 ★",
                # "leave us 5 stars", "lasciaci 5 stelle": asked for, not reported ("it scored")
                r"\b(?:leave|give|rate|post|write|share|lasci\w*|dej\w*|d[aá]nos|gib|geben|"
                r"laissez|donnez|dacci)\b[^.!?]{0,25}?(?:5|five|cinq|fünf|cinco|cinque)[\s-]*"
                r"(?:stars?|stelle|estrellas|sterne\w*|étoiles|★)",
                before=40,
                after=30,
            ),
            _clue(
                "5 st|5-st|five st|5 estrel|cinco estrel|5 stel|cinque stel|5 étoile|cinq étoile",
                # "una valoración de 5 estrellas": the review named first
                r"(?:review|rating|valoraci\w+|reseña|bewertung|recensione|avis)\s+"
                r"(?:of|with|de|con|mit|avec|di|da)\s+(?:5|five|cinq|fünf|cinco|cinque)[\s-]*"
                r"(?:stars?|stelle|estrellas|sterne|étoiles)",
                before=40,
                after=30,
            ),
            _clue(
                "happy|satisf|pleased",
                # "leave a review only if you are happy": the condition after the request
                r"(?:(?:leave|write|post|give)\s+(?:us\s+)?(?:a\s+|an\s+)?)?"
                r"(?:review|rating|feedback)\b[^.!?]{0,40}?\bif\s+you(?:'re|\s+are|\s+were|"
                r"\s+feel)?\s+(?:\w+\s+)?(?:happy|satisfied|pleased)",
                before=80,
                after=20,
            ),
            _clue("⭐⭐⭐", r"⭐{3,}", before=0, after=30),
            _clue(
                "happy|satisf|pleased|love|enjoy|content|zufrieden|soddisf",
                r"(?:if|si|wenn|se)\b[^.!?]{0,40}?\b(?:happy|satisfied|pleased|love|enjoy\w*|"
                r"content[ao]?|satisfech\w*|zufrieden|soddisfatt\w*|satisfait\w*)\b[^.!?]{0,100}?"
                r"(?:review|rating|feedback|stars?|valoraci\w*|reseña|opini\w*|bewertung|"
                r"sterne|recensione|stelle|avis|étoiles)",
                before=55,
                after=140,
                near=("if ", "si ", "wenn ", "se "),
            ),
            _clue(
                "change your|update your|remove your|delete your|revise your|edit your"
                "|change the|update the|remove the|delete the|revise the|edit the",
                r"(?:(?:could|would|can)\s+you\s+(?:please\s+)?|please\s+)"
                r"(?:change|remove|update|delete|revise|edit)\s+(?:your|the)\s+(?:[\w-]+\s+)?"
                r"(?:review|rating|feedback)\b",
                before=30,
                after=40,
            ),
        ),
    ),
    PolicyRule(
        "policy.review_incentive",
        "Incentive for a review: offering anything in return for a review is banned.",
        (
            _clue(
                "in exchange for|in return for|for leaving|for writing|for posting",
                r"(?:in\s+exchange\s+for|in\s+return\s+for|for\s+(?:leaving|writing|posting))"
                r"\s+(?:a|an|your|us\s+a)\s+(?:\w+\s+){0,2}?(?:review|rating|feedback)",
                before=0,
                after=70,
            ),
            _clue(
                "and we|and you|and get|and receive|& we|& you|& get",
                r"(?:review|rating|feedback|rate)\b[^.!?]{0,60}?\b(?:and|&)\s+"
                r"(?:we(?:'ll|\s+will)|you(?:'ll|\s+will)|get|receive)\b[^.!?]{0,40}?"
                r"\b(?:free|gift|discount|refund|voucher|coupon|rebate|reward|bonus|cash)",
                before=80,
                after=110,
            ),
            _clue(
                "you post|you leave|you write|you give",
                r"if\s+you\s+(?:post|leave|write|give)\b[^.!?]{0,60}?\breview\b[^.!?]{0,60}?"
                r"(?:refund|free|gift|discount|voucher|coupon|rebate|reward|bonus|cash)"
                r"|(?:free|gift|discount|voucher|rebate)\b[^.!?]{0,60}?\b(?:if|for|after)\s+"
                r"you\s+(?:post|leave|write|give)\b[^.!?]{0,30}?\breview",
                before=100,
                after=150,
            ),
            _clue(
                "gift card|free product|free item|free gift|discount|voucher|rebate",
                r"(?:gift\s+card|free\s+(?:product|item|gift)|discount|voucher|rebate)\b"
                r"[^.!?]{0,60}?(?:for|after)\s+(?:\w+\s+){0,2}?(?:review|rating|feedback)",
                before=0,
                after=130,
            ),
            _clue(
                "survey|questionnaire",
                # "2-minute survey. Everyone who completes it gets a $5 gift card."
                r"(?:survey|questionnaire)\b[^\n]{0,120}?\b(?:gift\s+card|coupon|voucher|"
                r"discount|free\s+\w+)",
                before=0,
                after=150,
            ),
            _clue(
                "screenshot",
                # a dot inside an address ("to nils.r@acme.com for a free bulb") is no full stop
                r"screenshot\b(?:[^.!?]|\.(?=\S)){0,100}?\b(?:free|gift|refund|discount|voucher)",
                before=0,
                after=110,
            ),
            _clue(
                "valora|reseña|bewertung|recensione",
                r"(?:valoraci\w+|reseña|bewertung|recensione)\b[^\n]{0,120}?"
                r"(?:cupón|descuento|gutschein|rabatt|buono|sconto)",
                before=0,
                after=150,
            ),
        ),
    ),
    PolicyRule(
        "policy.seller_feedback",
        'The words "seller feedback": the playbook uses Amazon\'s review request instead.',
        (
            _clue(
                "feedback|bewertung|vendeur|vendedor",
                r"seller[\s-]+feedback\b|verkäufer[\s-]*bewertung\w*"
                r"|évaluation\s+(?:du\s+)?vendeur|valoraci[óo]n\s+(?:del\s+)?vendedor"
                r"|feedback\s+(?:del\s+|sul\s+)?venditore",
                before=25,
                after=25,
            ),
        ),
    ),
    PolicyRule(
        "policy.marketing",
        "Marketing: promotions, coupons and other products are banned in buyer messages.",
        (
            _clue("coupon", r"coupons?\b", before=0, after=10),
            _clue(
                "promo|discount code|voucher code",
                r"(?:promo(?:tion(?:al)?)?|discount|voucher)\s+codes?\b",
                before=10,
                after=30,
            ),
            _clue("%", r"\d{1,2}\s*%\s*off\b", before=4, after=8),
            _clue("check out our", r"check\s+out\s+our\b", before=0, after=15),
            _clue(
                "our other product|our new product|our latest product",
                r"our\s+(?:other|new|latest)\s+products\b",
                before=0,
                after=25,
            ),
            _clue("subscribe to our", r"subscribe\s+to\s+our\b", before=0, after=20),
            _clue(
                "visit our",
                r"visit\s+our\s+(?:store|shop|website|site|showroom)\b",
                before=0,
                after=25,
            ),
            _clue(
                "our own|our web|our site|our online|our shop|our showroom|our amazon store"
                "|our store",
                r"\bour\s+(?:own\s+)?(?:website|web\s*site|site|online\s+shop|shop|store|showroom|"
                r"amazon\s+store)\b",
                before=0,
                after=35,
            ),
            _clue("newsletter", r"newsletter", before=0, after=12),
            _clue("catalog", r"catalog(?:ue)?s?\b", before=0, after=12),
            _clue("flyer|brochure", r"(?:flyer|brochure)s?\b", before=0, after=12),
            _clue(
                "loyalty", r"loyalty\s+(?:club|program(?:me)?|subscription|card|scheme)", after=30
            ),
            _clue("also sell", r"we\s+also\s+sell\b", before=10, after=12),
            _clue("launched", r"(?:just|now|newly)\s+launched", before=10, after=12),
            _clue("now available", r"(?:is|are)\s+now\s+available", before=10, after=20),
            _clue("save", r"save\s+\d{1,2}\s*%", before=0, after=12),
            _clue(
                "our new",
                r"\bour\s+new\s+(?:[\w-]+\s+){0,2}(?:model|product|blend|collection|line|range|"
                r"version|flavou?r|colou?r|design)s?\b",
                before=0,
                after=50,
            ),
            _clue("use code|use the code", r"use\s+(?:the\s+)?code\b", before=0, after=15),
            _clue(
                "follow us|seguici|síguenos|folgen sie|suivez",
                r"follow\s+us\b|seguici|síguenos|folgen\s+sie\s+uns|suivez[-\s]nous",
                before=0,
                after=20,
            ),
            _clue(
                "offer|deal|exclusive",
                r"special\s+offer|exclusive\s+(?:deal|offer|discount)|we\s+post\s+deals",
                before=20,
                after=25,
            ),
            _clue("also like", r"you\s+might\s+also\s+like", before=12, after=12),
            _clue("on sale", r"on\s+sale\b", before=0, after=10),
            _clue(
                "collection",
                r"(?:spring|summer|fall|autumn|winter|holiday|new)\s+collection",
                before=10,
                after=12,
            ),
        ),
    ),
)
"""Every playbook warning a pattern can spot, with the clues that show it."""

EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U0001f000-\U0001f02f\U0001f0a0-\U0001f0ff"
    "\U0001f1e6-\U0001f1ff\U0001f200-\U0001f2ff\u2600-\u2604\u2607-\u2712\u2715-\u27bf"
    "\u2b50\u2b55\u231a\u231b\u23e9-\u23fa]\ufe0f?"
)
"""Pictographs and dingbats; not ★ ☆ ✓ ✔ ™ ©, which are typography."""
EMOJI_MESSAGE = "Emoji: Amazon's styling rules ban them."

GATE_WORDS = frozenset(
    gate for policy_rule in POLICY_RULES for clue in policy_rule.clues for gate in clue.gates
)
"""Every gate word of every clue; the detector finds them all in one pass."""

NEGATION_BEFORE = re.compile(
    r"(?:(?:don'?t|do\s+not|never)\s+(?:need\s+to\s+|have\s+to\s+)?\Z)|"
    r"(?:no\s+need\b|\bdon'?t\s+(?:need|have)\b|\bdo\s+not\s+(?:need|have)\b|\bneedn'?t\b|"
    r"\bnot\s+necessary\b|\bnothing\b|\bnicht\b|\bkein\w*|\bpas\s+besoin\b|\bne\s+\S+\s+pas\b|"
    r"\bno\s+es\s+necesario\b|\bnon\s+(?:è|serve|occorre|deve)\b|\bwouldn'?t\b|\bnever\b)"
    r"[^.!?]{0,40}\Z",
)
"""A negation shortly before: "no need to send it back" is the playbook done right."""

NEGATABLE_RULES = frozenset({"policy.return_instructions", "policy.review_manipulation"})

ACCOUNT_REFERRAL = re.compile(
    r"\b(?:your\s+amazon\s+account|your\s+orders|contact\s+amazon|amazon(?:'s)?\s+customer\s+"
    r"(?:service|support)|(?:through|via)\s+amazon|amazon-konto|meine\s+bestellungen|"
    r"cuenta\s+de\s+amazon|mis\s+pedidos|compte\s+amazon|mes\s+commandes|account\s+amazon|"
    r"i\s+miei\s+ordini)\b",
)
ACCOUNT_GATES = ("amazon", "your orders", "bestellungen", "pedidos", "commandes", "ordini")

ACCOUNT_ACTION = re.compile(
    r"\b(?:go\s+to|log\s+in|sign\s+in|open|contact|request|report|click|start|file|submit|"
    r"wenden|kontaktieren|contacte\w*|contactez|contatta\w*|abra|ouvrez|apra)\b",
)
"""Telling the buyer to act there, not merely to look ("follow the refund in Your Orders")."""
PRODUCT_PROBLEM_WORDS = (
    *"""broken broke damaged defect defective faulty malfunction malfunctioning cracked leak
    leaks leaking leaked rattle rattles rattling torn stuck kaputt beschädigt defekt defekte
    defekten defectuoso defectuosa roto rota défectueux défectueuse cassé cassée difettoso
    difettosa rotto rotta""".split(),
    *("not working", "doesn't work", "doesnt work", "does not work", "stopped working"),
    *("missing part", "missing piece", "won't turn on", "won't charge", "won't work"),
    *("won't start", "dead on arrival"),
)
PRODUCT_PROBLEM = re.compile(trie_pattern(PRODUCT_PROBLEM_WORDS) + r"\b")
"""A product problem, anywhere in the reply. A trie with no leading word boundary: the
engine jumps between candidate letters instead of testing a boundary at every position."""
ACCOUNT_REFERRAL_MESSAGE = (
    "Buyer sent to their Amazon account for a product problem: the playbook resolves it here "
    "(refund or replacement); the account is only for returns and subscription changes."
)
_SENTENCE_END = re.compile(r"[.!?\n]")


def find_playbook_warnings(scan: Scan) -> Iterator[Match]:
    """Warnings in the visible text; attributes are links and images, not wording."""
    if scan.source is not Source.BODY:
        return
    for policy_rule in POLICY_RULES:
        yield from _rule_matches(scan, policy_rule)
    yield from _emoji(scan.lower)
    yield from _account_referrals(scan)


def _emoji(text: str) -> Iterator[Match]:
    if text.isascii():
        return
    for found in EMOJI.finditer(text):
        yield Match(
            Kind.POLICY,
            "policy.emoji",
            found.start(),
            found.end(),
            EMOJI_MESSAGE,
            severity=Severity.WARN,
        )


def _account_referrals(scan: Scan) -> Iterator[Match]:
    """The buyer told to act in their Amazon account, in a reply about a product problem."""
    text = scan.lower
    product_problem: bool | None = None  # looked up once, and only when needed
    positions = scan.keyword_positions(ACCOUNT_GATES)
    for window_start, window_end in _windows(text, positions, before=20, after=40):
        for found in ACCOUNT_REFERRAL.finditer(text, window_start, window_end):
            if product_problem is None:
                product_problem = PRODUCT_PROBLEM.search(text) is not None
            if not product_problem:
                return
            if not ACCOUNT_ACTION.search(_sentence_around(text, found.start(), found.end())):
                continue
            yield Match(
                Kind.POLICY,
                "policy.amazon_account_for_product_issue",
                found.start(),
                found.end(),
                ACCOUNT_REFERRAL_MESSAGE,
                severity=Severity.WARN,
            )


def _rule_matches(scan: Scan, policy_rule: PolicyRule) -> Iterator[Match]:
    text = scan.lower
    seen: set[tuple[int, int]] = set()
    for clue in policy_rule.clues:
        positions = scan.keyword_positions(clue.gates)
        if positions and clue.near:
            positions = [
                position
                for position in positions
                if any(
                    text.find(word, max(position - clue.before, 0), position) >= 0
                    for word in clue.near
                )
            ]
        if not positions:
            continue
        for window_start, window_end in _windows(text, positions, clue.before, clue.after):
            for found in clue.pattern.finditer(text, window_start, window_end):
                if found.span() in seen:
                    continue
                seen.add(found.span())
                if policy_rule.rule in NEGATABLE_RULES and NEGATION_BEFORE.search(
                    text, max(found.start() - 60, 0), found.start()
                ):
                    continue
                yield Match(
                    Kind.POLICY,
                    policy_rule.rule,
                    found.start(),
                    found.end(),
                    policy_rule.message,
                    severity=Severity.WARN,
                )


def _windows(
    text: str, positions: list[int], before: int = 260, after: int = 200
) -> list[tuple[int, int]]:
    """Merged stretches around each occurrence of a gate word."""
    windows: list[tuple[int, int]] = []
    for position in sorted(positions):
        start = max(position - before, 0)
        end = min(position + after, len(text))
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _sentence_around(text: str, start: int, end: int) -> str:
    before = text.rfind(".", max(start - 200, 0), start)
    for mark in "!?\n":
        before = max(before, text.rfind(mark, max(start - 200, 0), start))
    after = _SENTENCE_END.search(text, end, end + 200)
    return text[before + 1 : after.start() if after else end + 200]


RECOGNIZER = Recognizer("policy", find_playbook_warnings, GATE_WORDS | frozenset(ACCOUNT_GATES))

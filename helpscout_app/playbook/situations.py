"""Which playbook situation a buyer's latest message is in, from phrase rules.

Pure and small on purpose: a table of phrases per situation (English, German, French, Spanish
and Italian, the marketplaces the team serves most), matched as whole words on a normalized
copy of the text (case and accents folded, HTML tags dropped). The first situation in
`PRIORITY` with a matching phrase wins: a buyer who says "it arrived broken, I want to return
it" has a product problem, which the playbook resolves now rather than sending back to Amazon.
A complaint (`NEGATIVE_SIGNALS`) anywhere rules out the happy buyer, whose advice is a review
request.

Catches:  "The kettle arrived broken", "Das Gerät ist defekt", "cancel my Subscribe & Save",
          "Is there a manual or recipe guide?", "Love it, works great!"
Leaves:   "Where is my order?" (no rule: Situation.OTHER), "Nothing was damaged, thanks"
          (a negated phrase does not count: `NEGATORS`)
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Situation(StrEnum):
    """The playbook's situations; OTHER when no rule applies."""

    PRODUCT_PROBLEM = "product_problem"
    RETURN_OR_SUBSCRIPTION = "return_or_subscription"
    EDUCATIONAL_MATERIAL = "educational_material"
    HAPPY_BUYER = "happy_buyer"
    OTHER = "other"


PHRASES: dict[Situation, tuple[str, ...]] = {
    Situation.PRODUCT_PROBLEM: (
        # en
        "broken",
        "broke",
        "damaged",
        "defective",
        "faulty",
        "cracked",
        "leaking",
        "leaks",
        "doesn't work",
        "does not work",
        "doesnt work",
        "not working",
        "stopped working",
        "won't turn on",
        "will not turn on",
        "wont turn on",
        "missing part",
        "missing parts",
        "wrong item",
        "wrong size",
        "wrong color",
        "wrong colour",
        "arrived damaged",
        "never arrived",
        "not received",
        "didn't receive",
        "did not receive",
        "poor quality",
        "malfunction",
        "malfunctioning",
        "refund",
        "replacement",
        "replace it",
        "money back",
        "in pieces",
        "arrived in pieces",
        "shattered",
        "smashed",
        "dented",
        "scratched",
        "torn",
        "ripped",
        "not what i ordered",
        "not what i paid for",
        "not as described",
        "not as pictured",
        "wrong product",
        "wrong one",
        "incorrect item",
        "counterfeit",
        "fake",
        "overheats",
        "terrible product",
        "terrible quality",
        "awful product",
        "useless product",
        "waste of money",
        # de
        "kaputt",
        "defekt",
        "beschadigt",
        "beschädigt",
        "funktioniert nicht",
        "geht nicht",
        "erstattung",
        "ersatz",
        "falscher artikel",
        "nicht angekommen",
        "geld zurück",
        "in stücken",
        "zerbrochen",
        "nicht was ich bestellt",
        # fr
        "cassé",
        "casse",
        "endommagé",
        "défectueux",
        "ne fonctionne pas",
        "ne marche pas",
        "remboursement",
        "remplacement",
        "pas reçu",
        "en morceaux",
        "pas ce que j'ai commandé",
        # es
        "roto",
        "dañado",
        "defectuoso",
        "no funciona",
        "reembolso",
        "reemplazo",
        "no llegó",
        "en pedazos",
        "no es lo que pedí",
        # it
        "rotto",
        "danneggiato",
        "difettoso",
        "non funziona",
        "rimborso",
        "sostituzione",
        "in pezzi",
        "non è quello che ho ordinato",
    ),
    Situation.RETURN_OR_SUBSCRIPTION: (
        # en
        "return",
        "returning",
        "send it back",
        "send back",
        "return label",
        "exchange",
        "subscribe & save",
        "subscribe and save",
        "subscription",
        "cancel my order",
        "cancel the order",
        "change my delivery",
        "skip my next delivery",
        "change the address",
        # de
        "rücksendung",
        "zurücksenden",
        "zurückschicken",
        "retoure",
        "umtausch",
        "abonnement",
        "spar-abo",
        "spar abo",
        "stornieren",
        # fr
        "retour",
        "retourner",
        "renvoyer",
        "échange",
        "abonnement",
        "annuler ma commande",
        # es
        "devolución",
        "devolver",
        "suscripción",
        "cancelar mi pedido",
        # it
        "reso",
        "restituire",
        "abbonamento",
        "annullare l'ordine",
    ),
    Situation.EDUCATIONAL_MATERIAL: (
        # en
        "manual",
        "user guide",
        "instructions",
        "instruction booklet",
        "how to use",
        "how do i use",
        "recipe",
        "recipes",
        "tutorial",
        "video guide",
        "ebook",
        "e-book",
        "guide",
        "tips",
        "care guide",
        "pdf",
        # de
        "anleitung",
        "bedienungsanleitung",
        "gebrauchsanweisung",
        "rezept",
        "rezepte",
        # fr
        "mode d'emploi",
        "notice",
        "recette",
        "recettes",
        # es
        "manual de instrucciones",
        "instrucciones",
        "receta",
        "recetas",
        # it
        "istruzioni",
        "ricetta",
        "ricette",
    ),
    Situation.HAPPY_BUYER: (
        # en
        "love it",
        "loving it",
        "love this",
        "love the",
        "works great",
        "works perfectly",
        "works well",
        "thank you so much",
        "thanks so much",
        "very happy",
        "so happy",
        "very pleased",
        "great product",
        "excellent",
        "amazing",
        "perfect",
        "five stars",
        "5 stars",
        "highly recommend",
        # de
        "super zufrieden",
        "sehr zufrieden",
        "vielen dank",
        "perfekt",
        "toll",
        # fr
        "très satisfait",
        "très contente",
        "très content",
        "parfait",
        "merci beaucoup",
        # es
        "muy contento",
        "muy contenta",
        "perfecto",
        "muchas gracias",
        "me encanta",
        # it
        "molto soddisfatto",
        "perfetto",
        "grazie mille",
    ),
}
"""Phrases per situation, lower case; accents are folded when compiled, so either form
matches. Keep each list in language blocks."""

NEGATIVE_SIGNALS: tuple[str, ...] = (
    # en
    "terrible",
    "awful",
    "horrible",
    "worst",
    "disappointed",
    "disappointing",
    "unhappy",
    "not happy",
    "useless",
    "complaint",
    "annoyed",
    "angry",
    "frustrated",
    "upset",
    "scam",
    "rip off",
    "ripoff",
    "stop sending",
    "stop emailing",
    "stop contacting",
    "stop asking",
    "unsubscribe",
    "leave me alone",
    "do not contact",
    "don't contact",
    "review request",
    "review requests",
    # de
    "enttäuscht",
    "schrecklich",
    "furchtbar",
    "ärgerlich",
    "hören sie auf",
    # fr
    "déçu",
    "déçue",
    "nul",
    "arrêtez",
    # es
    "decepcionado",
    "decepcionada",
    "dejen de",
    # it
    "deluso",
    "delusa",
    "terribile",
    "orribile",
    "smettete",
)
"""Words of a buyer who is not simply happy. Any of them (not negated) rules out HAPPY_BUYER
whatever else the message says: "Love it? No. Terrible", "stop sending me review requests, I love
the product" must never be answered with a review request. They decide no situation themselves."""

PRIORITY: tuple[Situation, ...] = (
    Situation.PRODUCT_PROBLEM,
    Situation.RETURN_OR_SUBSCRIPTION,
    Situation.EDUCATIONAL_MATERIAL,
    Situation.HAPPY_BUYER,
)
"""First match wins, in this order (see the module docstring for why)."""


@dataclass(frozen=True)
class Classification:
    """The situation and the phrase that decided it (None for OTHER)."""

    situation: Situation
    phrase: str | None = None


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def normalize(text: str) -> str:
    """Lower case, accents and HTML dropped, one space between words: what the rules see."""
    text = html.unescape(_TAG.sub(" ", text)).translate(_APOSTROPHES)
    # NFKD before casefold too: compatibility forms like "㎓" decompose to capitals ("GHz").
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    folded = "".join(character for character in decomposed if not unicodedata.combining(character))
    return _SPACE.sub(" ", folded).strip()


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of whole-word phrases, longest first so "not working" beats "working"."""
    folded = sorted({normalize(phrase) for phrase in phrases}, key=len, reverse=True)
    alternatives = "|".join(re.escape(phrase) for phrase in folded)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_PATTERNS: dict[Situation, re.Pattern[str]] = {
    situation: _pattern(PHRASES[situation]) for situation in PRIORITY
}
_NEGATIVE = _pattern(NEGATIVE_SIGNALS)


NEGATORS = frozenset(
    "not no never nothing without "  # en (and any word ending in n't)
    "nicht kein keine keinen keiner nie ohne "  # de
    "pas jamais sans aucun aucune "  # fr
    "nunca sin ningun ninguna "  # es (accents folded)
    "non mai senza nessun nessuna".split()  # it
)
"""Words that turn a phrase around when they stand just before it, in the same clause: "not
broken", "nothing was damaged", "nicht defekt", "pas cassé", "no está roto", "non è rotto",
"not very happy". A buyer whose kettle is not broken has no product problem, and one who is
not very happy must not be asked for a review."""

NEGATION_REACH = 3
"""Words before a phrase in which a negator counts."""

_CLAUSE_END = re.compile(r"[.,;:!?()]")
_WORD = re.compile(r"[\w']+")


def classify_message(text: str) -> Classification:
    """The playbook situation of a buyer's message (plain text or Help Scout's HTML body)."""
    normalized = normalize(text)
    for situation in PRIORITY:
        if situation is Situation.HAPPY_BUYER and _first_match(_NEGATIVE, normalized):
            continue  # a complaint anywhere outweighs any praise
        phrase = _first_match(_PATTERNS[situation], normalized)
        if phrase is not None:
            return Classification(situation, phrase)
    return Classification(Situation.OTHER)


def _first_match(pattern: re.Pattern[str], normalized: str) -> str | None:
    """The first phrase of `pattern` in the text that no negator turns around."""
    for match in pattern.finditer(normalized):
        if not _negated(normalized, match.start()):
            return match.group(0)
    return None


def _negated(normalized: str, start: int) -> bool:
    """Whether a negator stands among the few words before `start`, in the same clause."""
    clause = _CLAUSE_END.split(normalized[max(0, start - 60) : start])[-1]
    words = _WORD.findall(clause)[-NEGATION_REACH:]
    return any(word in NEGATORS or word.endswith("n't") for word in words)

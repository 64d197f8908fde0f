"""Vanity phone numbers, where letters on the keypad stand for digits.

Catches:  "1-800-FLOWERS", "1-800-GOT-JUNK", "(888) CALL-NOW", "+1 206 SHOP-NOW"
Leaves:   part numbers "300-ABC-1234" (no toll-free code, no leading 1), "800-GB SSD"
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan

VANITY_NUMBER = re.compile(
    r"(?<![\w+-])(?P<country>\+?1[ .-]?)?\(?(?P<area>[2-9]\d{2})\)?[ .-]?"
    r"(?P<rest>[A-Z0-9]{2,7}(?:[ .-][A-Z0-9]{2,7}){0,2})(?![\w-])"
)
"""Area code, then seven to ten keypad characters in capitals, at least three of them letters."""

_GATE = re.compile(r"\d{3}\)?[ .-]?[A-Z]{2}")
"""Cheap test for digits followed by capitals, before the full pattern runs."""

TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def find_vanity_numbers(scan: Scan) -> Iterator[Match]:
    """Numbers like 1-800-FLOWERS; a toll-free code or a leading 1 marks them as phones."""
    text = scan.text
    resume = 0
    for gate in _GATE.finditer(text):
        found = VANITY_NUMBER.search(text, max(gate.start() - 6, resume), gate.start() + 40)
        if found is None or found.start() > gate.start():
            continue
        resume = found.end()
        keys = re.sub(r"[ .-]", "", found.group("rest"))
        letters = sum(char.isalpha() for char in keys)
        if not (7 <= len(keys) <= 10 and letters >= 3):
            continue
        if found.group("area") not in TOLL_FREE_AREA_CODES and not found.group("country"):
            continue
        yield Match(
            Kind.PHONE,
            "phone.vanity",
            found.start(),
            found.end(),
            "Vanity phone number (letters for digits): still a number to call.",
            target=found.group(),
        )


RECOGNIZER = Recognizer("vanity_phone", find_vanity_numbers)

"""Vanity phone numbers, where letters on the keypad stand for digits.

Catches:  "1-800-FLOWERS", "1-800-GOT-JUNK", "(888) CALL-NOW", "+1 877 SHOP-NOW"
Leaves:   part numbers "300-ABC-1234" (not a toll-free code), "800-GB SSD" (too few keys)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan

VANITY_NUMBER = re.compile(
    r"(?<![\w+-])(?P<country>\+?1[ .-]?)?\(?(?P<area>[2-9]\d{2})\)?[ .-]?"
    r"(?P<rest>[A-Z0-9]{1,7}(?:[ .-][A-Z0-9]{1,7}){0,3}"
    r"|[A-Za-z0-9]{1,7}(?:[.-][A-Za-z0-9]{1,7}){0,3})(?![\w-])"
)
"""Area code, then seven to ten keypad characters, at least three of them letters: capitals in
any grouping ("CALL NOW"), or mixed case joined by dashes only ("1-800-Flowers"), so that
"800 Customer Service" stays prose."""


TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})
"""Vanity numbers are sold on these codes; on any other, letters after digits are a part number."""


def find_vanity_numbers(scan: Scan) -> Iterator[Match]:
    """Numbers like 1-800-FLOWERS: a toll-free area code, then at least three keypad letters."""
    text = scan.text
    resume = 0
    for code_start in scan.keyword_positions(TOLL_FREE_AREA_CODES):
        found = VANITY_NUMBER.search(text, max(code_start - 6, resume), code_start + 40)
        if found is None or found.start() > code_start:
            continue
        resume = found.end()
        keys = re.sub(r"[ .-]", "", found.group("rest"))
        letters = sum(char.isalpha() for char in keys)
        if not (7 <= len(keys) <= 10 and letters >= 3):
            continue
        if found.group("area") not in TOLL_FREE_AREA_CODES:
            continue
        yield Match(
            Kind.PHONE,
            "phone.vanity",
            found.start(),
            found.end(),
            "Vanity phone number (letters for digits): still a number to call.",
            target=found.group(),
        )


RECOGNIZER = Recognizer("vanity_phone", find_vanity_numbers, TOLL_FREE_AREA_CODES)

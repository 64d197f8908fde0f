"""Phone numbers in any format a person would dial, with look-alike numbers left alone.

Catches:  "(206) 266-1000", "206.266.1000", "+44 20 7946 0958", "0049 30 1234567",
          "030 12345678", "01 23 45 67 89", "(555) 123-4567 ext. 12", "5 5 5 1 2 3 4 5 6 7",
          "2O6-266-1OOO", "call 2065550123", "tel:+15551234567"
Leaves:   order IDs "123-4567890-1234567", tracking numbers, ISBNs, UPC/EAN codes, dates
          "2026-03-15" and "15.03.2026", prices "$1,299.99", SSN-shaped "911-67-0060",
          "3-5 business days", "100-240V", version "1.2.3.4", case ID "1234567890"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan, Source

CANDIDATE = re.compile(
    r"(?<![\w+@#$€£¥%.,/-])(?P<prefix>\+|00)?[ \t]?\(?\d[\d \t().\-/]{5,40}\d"
    r"(?:(?![\w])|(?=(?:x|ext|extn)\.?[ \t]?\d))"
)
"""Digits with the separators people put in phone numbers, 7 to ~40 characters long."""

EXTENSION = re.compile(
    r"[ \t]*,?[ \t]*(?:ext\.?|extension|extn\.?|x|#)[ \t]*\d{1,6}(?![\w])", re.IGNORECASE
)
"""An extension written after the number: "ext. 12", "x456", "extension 3"."""

_PIECE_BREAK = re.compile(r"[ \t]{2,}|[ \t]+/[ \t]*|/[ \t]+")

# Look-alikes, each a pattern for the whole digit group.
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")  # Amazon order ID, 3-7-7
DATE = re.compile(
    r"\d{1,4}([./-])\d{1,2}\1\d{1,4}"  # 2026-03-15, 15.03.2026, 03/15/2026
    r"|(?:19|20)\d{2}[ ./-]?(?:0[1-9]|1[0-2])[ ./-]?(?:0[1-9]|[12]\d|3[01])"  # 20260315
)
SSN = re.compile(r"\d{3}-\d{2}-\d{4}")  # a US social security number, not a phone
ISBN13 = re.compile(r"97[89][ -]?\d{1,5}[ -]?\d{1,7}[ -]?\d{1,7}[ -]?\d")
SPACED_DIGITS = re.compile(r"\d(?:[ .\-]\d){6,14}")  # 5 5 5 1 2 3 4 5 6 7
NANP = re.compile(r"(?:1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]\d{4}|\(\d{3}\)\d{7}")
NANP_DIGITS = re.compile(r"1?[2-9]\d{2}[2-9]\d{6}")  # a valid North American number
TRUNK_ZERO = re.compile(r"\(?0\d{1,4}\)?[ ./-]?\d{2,8}(?:[ ./-]\d{2,8}){0,4}")  # 020 7946 0958
GROUPED = re.compile(r"\(?\d{2,5}\)?(?:[ .-]\d{2,5}){1,4}")  # 912 345 678, 98765 43210

PHONE_CUE = re.compile(
    r"\b(?:call(?:ing)?|phone|ph|tel|telephone|mobile|mob|cell(?:phone)?|text(?:ing)?|sms|"
    r"whats\s?app|fax|ring|dial(?:ing)?|hotline|helpline|reach\s+(?:me|us)|contact\s+(?:me|us)|"
    r"(?:my|our|the)\s+number|number\s+is|telefon\w*|handy|rufnummer|t[ée]l[ée]phone|portable|"
    r"tel[ée]fono|m[óo]vil|llam\w+|cellulare|chiama\w*|numero|número|num[ée]ro)\b\W*\Z",
    re.IGNORECASE,
)
"""Words that introduce a phone number, as the last words before the digits."""

LOOKALIKE_CUE = re.compile(
    r"(?:\b(?:orders?|bestell\w*|commande|pedido|ordine|tracking|track|sendung\w*|shipment|"
    r"parcel|package|isbn(?:-1[03])?|upc|ean|gtin|asin|sku|case|ticket|claim|model|modell|"
    r"part|serial|s/n|sn|lot|batch|invoice|rechnung|facture|factura|fattura|receipt|account|"
    r"card|iban|gift|code|ref|reference|item|version|firmware|id|transaction|payment|"
    r"confirmation|po|rma|voucher|coupon|no|nr|qty|quantity|usps|ups|fedex|dhl|tba|formula)"
    r"\b|[#№:=])[^\w]{0,4}(?:(?:number|no|nr|id)\b[^\w]{0,4})?\Z",
    re.IGNORECASE,
)
"""Words that introduce a number that is not a phone: "Order #", "tracking number:"."""

REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "AU", "IN", "JP", "MX", "BR", "AE")
"""Where the team's buyers are; a national number valid in one of them is dialable."""

_CONTEXT = 40
_MESSAGE = "Phone number: Amazon blocks replies that give the buyer a number to call."


@lru_cache(maxsize=2048)
def _is_valid_international(digits: str) -> bool:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


@lru_cache(maxsize=2048)
def _is_valid_national(written: str) -> bool:
    """True when some region the team sells in would connect this national number."""
    for region in REGIONS:
        try:
            number = phonenumbers.parse(written, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _isbn13_checks(digits: str) -> bool:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return len(digits) == 13 and total % 10 == 0


def _context_says(scan: Scan, start: int) -> str:
    """"phone" or "lookalike" when the words right before the number say what it is."""
    before = scan.text[max(start - _CONTEXT, 0):start]
    if PHONE_CUE.search(before):
        return "phone"
    if LOOKALIKE_CUE.search(before):
        return "lookalike"
    return ""


def _rule_for(scan: Scan, piece: str, digits: str, start: int, has_prefix: bool) -> str | None:
    """The rule a digit group breaks, or None when it is a look-alike or not dialable."""
    compact = re.sub(r"\s+", " ", piece.strip())
    if has_prefix:
        national = digits[2:] if compact.startswith("00") else digits
        if not 7 <= len(national) <= 15:
            return None
        if compact.startswith("00") and not _is_valid_international(national):
            return None  # "0030 …" is not a country code; read it as a plain number
        return "phone.international"
    if not 7 <= len(digits) <= 15:
        return None
    if ORDER_ID.fullmatch(compact) or DATE.fullmatch(compact):
        return None
    context = _context_says(scan, start)
    if context == "lookalike":
        return None
    if SSN.fullmatch(compact) and context != "phone":
        return None
    if ISBN13.fullmatch(compact) and _isbn13_checks(digits):
        return None
    if SPACED_DIGITS.fullmatch(compact):
        return "phone.spaced_digits"
    if NANP.fullmatch(compact) or (TRUNK_ZERO.fullmatch(compact) and len(digits) >= 9):
        return "phone.national"
    if context == "phone":
        return "phone.cued"
    if digits == compact and not scan.view.is_verbatim(start, start + len(piece)):
        return "phone.hidden_split"  # digits joined from pieces: zero-width gaps, HTML tags
    if digits == compact:  # one unbroken run: a phone only if it is a North American number
        return "phone.national" if len(digits) in (10, 11) and NANP_DIGITS.fullmatch(digits) else None
    if GROUPED.fullmatch(compact) and len(digits) <= 13 and _is_valid_national(compact):
        return "phone.national"
    return None


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a candidate where a wide gap or a spaced slash separates two numbers."""
    position = start
    for gap in _PIECE_BREAK.finditer(text, start, end):
        yield position, gap.start()
        position = gap.end()
    yield position, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop separators at the edges of a piece, keeping a balanced opening bracket."""
    while start < end and not (text[start].isdigit() or text[start] in "+("):
        start += 1
    while end > start and not text[end - 1].isdigit():
        end -= 1
    if start < end and text[start] == "(" and ")" not in text[start:end]:
        start += 1
    return start, end


def _split_long_run(scan: Scan, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """Several numbers in one run ("555-123-4567 555-987-6543"): let libphonenumber split it."""
    chunk = scan.phone_text[start:end]
    for found in phonenumbers.PhoneNumberMatcher(chunk, "US", leniency=phonenumbers.Leniency.VALID):
        yield start + found.start, start + found.end, "phone.national"


def find_phone_numbers(scan: Scan) -> Iterator[Match]:
    """Every dialable number that is not a known look-alike."""
    text = scan.phone_text
    for found in CANDIDATE.finditer(text):
        for piece_start, piece_end in _pieces(text, found.start(), found.end()):
            start, end = _trim(text, piece_start, piece_end)
            piece = text[start:end]
            digits = "".join(char for char in piece if char.isdigit())
            has_prefix = piece.startswith("+") or (
                piece.startswith("00") and piece_start == found.start() and found.group("prefix")
            )
            if len(digits) > 15 and not has_prefix:
                yield from _long_run_matches(scan, start, end)
                continue
            rule = _rule_for(scan, piece, digits, start, bool(has_prefix))
            if rule is None:
                continue
            extension = EXTENSION.match(text, end)
            if extension is not None:
                end = extension.end()
            yield _phone_match(scan, rule, start, end)


def _long_run_matches(scan: Scan, start: int, end: int) -> Iterator[Match]:
    compact = scan.phone_text[start:end]
    if " " not in compact.strip() or ORDER_ID.search(compact):
        return  # one long unbroken code (tracking number, card) is not a phone
    if _context_says(scan, start) == "lookalike":
        return
    for piece_start, piece_end, rule in _split_long_run(scan, start, end):
        yield _phone_match(scan, rule, piece_start, piece_end)


def _phone_match(scan: Scan, rule: str, start: int, end: int) -> Match:
    message = _MESSAGE
    if rule == "phone.hidden_split":
        message = "Phone number with hidden characters or tags between its digits."
    elif scan.text[start:end] != scan.phone_text[start:end]:
        rule, message = "phone.letter_o", "Phone number with the letter O for zero: still a number."
    elif scan.source is Source.ATTRIBUTE:
        rule, message = "phone.html_attribute", "Phone number hidden in the HTML (a tel: link)."
    return Match(Kind.PHONE, rule, start, end, message, target=scan.phone_text[start:end])


RECOGNIZER = Recognizer("phone", find_phone_numbers)

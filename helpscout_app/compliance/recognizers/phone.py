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

DIGIT_RUN = re.compile(r"[+(]?\d[\d \t().\-/]{5,}+")
"""Digits with the separators people put in phone numbers, taken whole (possessive: linear).

Runs shorter than a phone number fail inside the engine, so prose with a few numbers ("2 items,
10:30") costs no Python work.

It starts with a digit, "+" or "(" so the engine jumps between runs. Letters may touch the
start ("at555-123-4567", "电话415-666-7777"): codes that glue letters to digits (ASINs,
UPS 1Z…, TBA…) leave runs too short or not dialable, and are filtered below. What a
lookbehind would reject (a run glued to "$", "@", "." or another digit, or "12:" of a time)
is checked on the character before it (`NOT_BEFORE`); a run that goes on into letters
("T005-2333-100731-SW-2", a MAC "01-23-45-67-89-AB") is a code, not a number.
"""

EXTENSION = re.compile(
    r"[ \t]*,?[ \t]*(?:ext\.?|extension|extn\.?|x|#)[ \t]*\d{1,6}(?![\w])", re.IGNORECASE
)
"""An extension written after the number: "ext. 12", "x456", "extension 3"."""

NOT_BEFORE = frozenset("0123456789_+@#$€£¥%.,/)")

_PIECE_BREAK = re.compile(
    r"[ \t]{2,}|[ \t]+/[ \t]+|-{2,}"
    r"|(?<!\d)(?:19|20)\d{2}-(?:19|20)\d{2}(?!\d)"  # a range of years, "1979-2011"
    r"|(?<!\d)(?:19|20)\d{2}-(?:0\d|1[0-2])-?[0-3]\d(?!\d)"  # an ISO date, "2012-01-02"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"  # a US date, "04/21/2020"
)
"""Where one candidate holds two things: two numbers, or a date beside a number."""

# Look-alikes, each a pattern for the whole digit group.
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")  # Amazon order ID, 3-7-7
DATE = re.compile(
    r"\d{1,4}([./-])\d{1,2}\1\d{1,4}"  # 2026-03-15, 15.03.2026, 03/15/2026
    r"|(?:19|20)\d{2}[ ./-]?(?:0[1-9]|1[0-2])[ ./-]?(?:0[1-9]|[12]\d|3[01])"  # 20260315
)
SSN = re.compile(r"\d{3}-\d{2}-\d{4}")  # a US social security number, not a phone
ISBN13 = re.compile(r"97[89][ -]?\d{1,5}[ -]?\d{1,7}[ -]?\d{1,7}[ -]?\d")
DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")  # an IP address or a version
SPACED_DIGITS = re.compile(r"\d(?:[ .\-]\d){6,14}")  # 5 5 5 1 2 3 4 5 6 7
NANP = re.compile(r"(?:1[ .-]?)?\(?\d{3}\)?[ ./-]?\d{3}[ .-]?\d{4}")  # (206) 266-1000
NANP_DIGITS = re.compile(r"1?[2-9]\d{2}[2-9]\d{6}")  # a valid North American number
TRUNK_ZERO = re.compile(r"\(?0\d{1,4}\)?(?:(?:[ ./-]|(?<=\)))\(?\d{2,8}\)?){1,5}")  # 020 7946 0958
TRUNK_IN_BRACKETS = re.compile(r"\d{1,3}[ ]?\(0\)")  # 64(0)64123456, +44 (0)20 …
GROUPED = re.compile(r"\(?\d{2,5}\)?(?:[ .-]\d{2,5}){1,4}")  # 912 345 678, 98765 43210

PHONE_CUE_WORDS = frozenset(
    """call calling phone ph tel tél telephone mobile mob cell cellphone text texting sms
    whatsapp fax ring dial dialing hotline helpline reach contact gsm cep telefon telefonnummer
    handy rufnummer téléphone telephone portable teléfono telefono telepono móvil movil llame
    llámenos llamar llámanos cellulare chiama chiamare chiamaci""".split()
)
"""Words that introduce a phone number when they are the last real word before it."""

LOOKALIKE_WORDS = frozenset(
    """order orders bestellung bestellnummer commande pedido ordine tracking track sendung
    sendungsnummer shipment parcel package isbn isbn-10 isbn-13 upc ean gtin asin sku case
    ticket claim model modell part serial s/n sn batch invoice rechnung facture factura
    fattura receipt account card iban gift code ref reference item version firmware
    transaction payment confirmation po rma voucher coupon qty quantity usps ups fedex dhl tba
    formula suivi seguimiento spedizione colissimo""".split()
)
"""Words that introduce a number that is not a phone: "Order #", "tracking number:"."""

WEAK_LOOKALIKE_WORDS = frozenset({"no", "nr", "id", "№", "nº"})
"""Read as a look-alike only when no phone word stands further back ("Cep no: …")."""

CONTEXT_FILLERS = frozenset(
    """me us him her them at on to number is was our my the directly anytime now : - ( please
    us: or""".split()
)
"""Words that may stand between the cue and the digits: "call us directly at"."""

_CONTEXT_TOKEN = re.compile(r"[\w/'-]+|[#№:(]")
_CONTEXT_WORDS = 5

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
    return phonenumbers.is_valid_number(number)


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


_SENTENCE_END = re.compile(r"(\w*)[.!?]\s+|\n")
ABBREVIATIONS = frozenset("no nr tel ph mob fax ext approx ref inv st".split())
"""Words whose full stop does not end the sentence: "Tel. 555 …", "Order No. 123 …"."""


def _context_start(lower: str, start: int) -> int:
    """Where the words that can describe the number at `start` begin: this sentence only."""
    window_start = max(start - _CONTEXT, 0)
    newline = lower.rfind("\n", window_start, start)
    if newline >= 0:
        window_start = newline + 1
    if not any(mark in lower[window_start:start] for mark in ".!?"):
        return window_start
    for end in _SENTENCE_END.finditer(lower, window_start, start):
        if "\n" in end.group() or end.group(1) not in ABBREVIATIONS:
            window_start = end.end()
    return window_start


def _context_says(scan: Scan, start: int) -> str:
    """ "phone" or "lookalike" when the words right before the number say what it is."""
    tokens = _CONTEXT_TOKEN.findall(scan.lower, _context_start(scan.lower, start), start)
    weak = False
    for index, token in enumerate(reversed(tokens[-_CONTEXT_WORDS:])):
        if token in PHONE_CUE_WORDS:
            return "phone"
        if token == "number" and index + 1 < len(tokens) and tokens[-index - 2] in ("my", "our"):
            return "phone"
        if token in LOOKALIKE_WORDS:
            return "lookalike"
        if token in WEAK_LOOKALIKE_WORDS:
            weak = True
        elif token not in CONTEXT_FILLERS:
            break
    return "lookalike" if weak else ""


def _rule_for(scan: Scan, piece: str, digits: str, start: int, prefix: str) -> str | None:
    """The rule a digit group breaks, or None when it is a look-alike or not dialable."""
    compact = re.sub(r"\s+", " ", piece.strip())
    if prefix == "+":
        # "+86 20 61302222-8866": an extension may follow the 15 digits of E.164.
        return (
            "phone.international"
            if 7 <= len(digits) <= 15
            or (len(digits) <= 20 and 7 <= len(_without_last_group(compact)) <= 15)
            else None
        )
    if prefix and _is_valid_international(digits[len(prefix) :]):
        return "phone.international"  # 0049 …, 011 64 …, 0011 …: an international prefix
    if prefix == "00":
        # No national number starts 00: "00 10 00 31 46" is a hex dump, unless a cue says
        # otherwise ("my number is 0044 07700 900873", written with the trunk 0 kept).
        return "phone.cued" if _context_says(scan, start) == "phone" else None
    if not 7 <= len(digits) <= 15:
        return None
    context = _context_says(scan, start)
    if context == "lookalike":
        return None
    if ORDER_ID.fullmatch(compact) or DOTTED_QUAD.fullmatch(compact):
        return None
    if context != "phone" and (DATE.fullmatch(compact) or SSN.fullmatch(compact)):
        return None
    if ISBN13.fullmatch(compact) and _isbn13_checks(digits):
        return None
    if digits == compact:
        if start > 0 and scan.phone_text[start - 1] == "-":
            return None  # "-2208960000": a negative number
        if not scan.view.is_verbatim(start, start + len(piece)):
            return "phone.hidden_split"  # joined from pieces: zero-width gaps, HTML tags
        if context == "phone":
            return "phone.cued"
        if start > 0 and scan.phone_text[start - 1].isalpha():
            return None  # glued to letters: "IT12345678901" (VAT), "6A12345678901" (tracking)
        # One unbroken run is a phone only as a North American number; other long runs are
        # codes (UPC, EAN, case and tracking numbers).
        return "phone.national" if NANP_DIGITS.fullmatch(digits) else None
    if SPACED_DIGITS.fullmatch(compact) or _mostly_single_digits(compact):
        return "phone.spaced_digits"
    if TRUNK_IN_BRACKETS.match(compact):
        return "phone.international"
    if NANP.fullmatch(compact) or (TRUNK_ZERO.fullmatch(compact) and len(digits) >= 9):
        return "phone.national"
    if context == "phone":
        return "phone.cued"
    if GROUPED.fullmatch(compact) and len(digits) <= 13 and _is_valid_national(compact):
        return "phone.national"
    return None


def _mostly_single_digits(compact: str) -> bool:
    """ "555-0-1-0-5-6-7-8": a number broken into single digits to get past filters."""
    groups = re.split(r"[ .-]", compact)
    return (
        len(groups) >= 5
        and all(group.isdigit() for group in groups)
        and sum(len(group) == 1 for group in groups) >= 4
    )


def _without_last_group(compact: str) -> str:
    """The digits before the last group (which may be an extension)."""
    groups = re.split(r"[ .-]", compact)[:-1]
    return "".join(char for char in "".join(groups) if char.isdigit())


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


_SPLIT_PHONE_MARK = re.compile(r"[-.()+]")
MAX_NUMBER_CHARS = 60
"""Longer pieces hold several numbers (or none): they are searched group by group."""
MAX_GROUPS_PER_NUMBER = 6
"""Most space-separated groups one number has ("+44 20 7946 0958" has four)."""


def _piece_matches(scan: Scan, start: int, end: int, prefix: str) -> Iterator[Match]:
    """The piece as one number, or failing that, the numbers among its space-separated groups."""
    text = scan.phone_text
    if end - start <= MAX_NUMBER_CHARS:
        piece = text[start:end]
        digits = "".join(filter(str.isdigit, piece))
        rule = _rule_for(scan, piece, digits, start, prefix) if len(digits) <= 20 else None
        if rule is not None:
            yield _phone_match(scan, rule, start, end)
            return
    yield from _numbers_among_groups(scan, start, end)


def _numbers_among_groups(scan: Scan, start: int, end: int) -> Iterator[Match]:
    """Numbers in a run of space-separated groups ("Tel 555-123-4567 555-987-6543").

    Greedy from the left, trying at most `MAX_GROUPS_PER_NUMBER` groups and only spans with
    7 to 20 digits, so a megabyte of digits costs a pass, not a search. Spans of bare digit
    groups (card, IBAN and account numbers) are not read as phones here.
    """
    text = scan.phone_text
    groups = [(group.start(), group.end()) for group in _GROUP.finditer(text, start, end)]
    if len(groups) < 2:
        return
    counts = [sum(map(str.isdigit, text[g_start:g_end])) for g_start, g_end in groups]
    index = 0
    while index < len(groups):
        found = None
        total = 0
        last_options = []
        # E.164 allows 15 digits; with a "+" an extension may follow the last group.
        limit = 20 if text.startswith("+", groups[index][0]) else 15
        for last in range(index, min(index + MAX_GROUPS_PER_NUMBER, len(groups))):
            total += counts[last]
            if total > limit:
                break
            if total >= 7 and last - index + 1 < len(groups):
                last_options.append(last)
        for last in reversed(last_options):
            sub_start, sub_end = _trim(text, groups[index][0], groups[last][1])
            sub = text[sub_start:sub_end]
            if not _SPLIT_PHONE_MARK.search(sub):
                continue
            sub_digits = "".join(filter(str.isdigit, sub))
            rule = _rule_for(scan, sub, sub_digits, sub_start, _prefix_of(sub))
            if rule is not None:
                found = (rule, sub_start, sub_end, last)
                break
        if found is None:
            index += 1
            continue
        rule, sub_start, sub_end, last = found
        yield _phone_match(scan, rule, sub_start, sub_end)
        index = last + 1


_GROUP = re.compile(r"[^ \t]+")


def _prefix_of(piece: str) -> str:
    for prefix in ("+", "0011", "011", "00"):
        if piece.startswith(prefix):
            return prefix
    return ""


def _with_extension(text: str, end: int) -> int:
    extension = EXTENSION.match(text, end)
    return extension.end() if extension is not None else end


_CODE_GOES_ON = re.compile(r"[\d().\-/:]{0,20}[-/:][A-Za-z]")
"""After a candidate: the run continues into letters, so it is a code (a MAC address)."""


_EXTENSION_START = re.compile(r"(?:x|ext|extn)\.?[ \t]?\d")


def find_phone_numbers(scan: Scan) -> Iterator[Match]:
    """Every dialable number that is not a known look-alike."""
    text = scan.phone_text
    for run in DIGIT_RUN.finditer(text):
        run_start, run_end = run.start(), run.end()
        while run_end > run_start and not text[run_end - 1].isdigit():
            run_end -= 1
        if run_end - run_start < 7:
            continue
        before = run_start - 1
        if before >= 0 and text[before] == "+" and text[run_start] == "+":
            pass  # "++1 (650) 333-6000": a doubled plus is still an international number
        elif before >= 0 and (
            text[before] in NOT_BEFORE
            or (text[before] == ":" and text[before - 1 : before].isdigit())
        ):
            # "$20 415-666-7777": the first group belongs to what precedes it; the rest may
            # still be a number.
            gap = text.find(" ", run_start, run_end)
            if gap < 0:
                continue
            run_start = gap + 1
        after = text[run_end : run_end + 1]
        glued = after.isascii() and (after.isalnum() or after == "_")
        if glued and not _EXTENSION_START.match(text, run_end):
            continue  # the run goes on into letters: a code
        if _CODE_GOES_ON.match(text, run_end):
            continue
        for piece_start, piece_end in _pieces(text, run_start, run_end):
            start, end = _trim(text, piece_start, piece_end)
            if end - start >= 7:
                yield from _piece_matches(scan, start, end, _prefix_of(text[start:end]))


def _phone_match(scan: Scan, rule: str, start: int, number_end: int) -> Match:
    """The finding for the number at start:number_end, with any extension written after it.

    The allow-list judges the number alone: "1-888-280-4331 ext. 2" is still Amazon's.
    """
    end = _with_extension(scan.phone_text, number_end)
    message = _MESSAGE
    if rule == "phone.hidden_split":
        message = "Phone number with hidden characters or tags between its digits."
    elif scan.text[start:end] != scan.phone_text[start:end]:
        rule, message = "phone.letter_o", "Phone number with the letter O for zero: still a number."
    elif scan.source is Source.ATTRIBUTE:
        rule, message = "phone.html_attribute", "Phone number hidden in the HTML (a tel: link)."
    return Match(Kind.PHONE, rule, start, end, message, target=scan.phone_text[start:number_end])


RECOGNIZER = Recognizer("phone", find_phone_numbers)

"""Email addresses written so that a filter misses them.

Catches:  "jane at acme dot com", "jane [at] acme [dot] com", "jane(at)acme.com",
          "jane {at} acme.co.uk", "JANE AT ACME DOT COM", "jane @ acme . com", "jane＠acme.com"
Leaves:   "look at the manual", "sold at walmart.com" (a link, reported as one),
          "arrives at 10. Then …", "@acmehelp"
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.domains import is_common_tld, parse_host
from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.recognizers.obfuscated_url import DOT_SEPARATOR
from helpscout_app.compliance.scan import Match, Recognizer, Scan

AT_SEPARATOR = re.compile(r"[\[\(\{<][ \t]*(?:at|@|arroba|chez)[ \t]*[\]\)\}>]|@")
"""An "@" bracketed or plain (then the dots must be disguised), on the lower-cased text."""

SPELLED_AT = (" at ", " chez ", " arroba ", " bei ")
"""An "@" written as a word; found with plain substring search, which is much faster."""

_SPACE = frozenset(" \t")

_LOCAL_BEFORE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}\Z")
_DOMAIN_AFTER = re.compile(
    r"[^\W_][\w-]{0,62}(?:" + DOT_SEPARATOR + r"[^\W_][\w-]{0,62}){1,4}(?![\w])"
)
"""Run on the lower-cased text; labels are then read from the original."""
_SPLIT_DOTS = re.compile(DOT_SEPARATOR, re.IGNORECASE)
_OBFUSCATED_DOT = re.compile(r"[^.\w-]")

MAILBOX_NAMES = frozenset(
    """support help info sales contact service services care orders order returns hello team
    admin billing office mail email customer customers cs shop store service-center kontakt
    servicio ventas assistenza vendite""".split()
)
"""Local parts that name a mailbox: "help at acme.com" is an address even with a plain dot."""

SPELLED_AT_WORDS = frozenset({"at", "chez", "arroba", "bei"})
_MAILBOX_LOCAL = re.compile(r"[._+\d]")

PROSE_WORDS_BEFORE_AT = frozenset(
    """look looking looked available sold sell selling buy bought shop shopping find found
    visit visiting order ordered purchase purchased purchasing it them us me you him her here
    there this that is are was were be been arrive arrived arrives arriving delivered stay
    stayed get got price priced listed offered stocked one item items product products
    aimed targeted good bad great hit arrived received priced work works working""".split()
)
"""Words that stand before "at" in ordinary sentences: "sold at acme.com" is a link, not a
mailbox; the link recognizer reports it."""

_MESSAGE = 'Disguised email address ("at"/"dot" written out): Amazon blocks it.'


def _separators(scan: Scan) -> list[tuple[int, int]]:
    """Every disguised or plain "@" in the text, in order."""
    lower = scan.lower
    spans = [(found.start(), found.end()) for found in AT_SEPARATOR.finditer(lower)]
    for start in scan.keyword_positions(SPELLED_AT):
        end = lower.find(" ", start + 1) + 1
        spans.append((start, end))
    return sorted(spans)


def _email_at(scan: Scan, separator: tuple[int, int]) -> Match | None:
    text = scan.text
    at_start, at_end = separator
    at_text = scan.lower[at_start:at_end]
    while at_start > 0 and text[at_start - 1] in _SPACE:
        at_start -= 1
    while at_end < len(text) and text[at_end] in _SPACE:
        at_end += 1
    spaced_plain_at = at_text == "@" and at_end - at_start > 1  # "jane @ acme.com"
    domain = _DOMAIN_AFTER.match(scan.lower, at_end)
    if domain is None:
        return None
    local = _LOCAL_BEFORE.search(text, max(at_start - 64, 0), at_start)
    if local is None:
        return None
    domain_text = text[domain.start() : domain.end()]
    labels = _SPLIT_DOTS.split(domain_text)
    tld = labels[-1]
    if not is_common_tld(tld) or (tld[0].isupper() and tld[1:].islower()):
        return None
    spelled_at = at_text.strip() in SPELLED_AT_WORDS
    obfuscated_dots = bool(_OBFUSCATED_DOT.search(domain_text))
    if at_text == "@" and not obfuscated_dots and not spaced_plain_at:
        return None  # a plain address: the plain email recognizer's case
    name = local.group().lower()
    if spelled_at and name in PROSE_WORDS_BEFORE_AT:
        return None
    if (
        spelled_at
        and not obfuscated_dots
        and not (name in MAILBOX_NAMES or _MAILBOX_LOCAL.search(name))
    ):
        return None  # "visit us at acme.com": a link, which the link recognizer reports
    if text.startswith(("/", ":"), domain.end()):
        return None  # a path or a port follows: "portal at acme.com/returns" is a link
    host = ".".join(labels).lower()
    if parse_host(host) is None:
        return None
    address = f"{local.group().strip('.')}@{host}".lower()
    return Match(Kind.EMAIL, "email.obfuscated", local.start(), domain.end(), _MESSAGE, address)


def find_obfuscated_email_addresses(scan: Scan) -> Iterator[Match]:
    """Addresses built around a disguised "@"."""
    for separator in _separators(scan):
        match = _email_at(scan, separator)
        if match is not None:
            yield match


RECOGNIZER = Recognizer("obfuscated_email", find_obfuscated_email_addresses, frozenset(SPELLED_AT))

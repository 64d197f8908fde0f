"""Web links written so that a filter misses them.

Catches:  "acme dot com", "acme[.]com", "acme (dot) co (dot) uk", "acme . com",
          "w w w . acme . c o m"
Leaves:   "connect the dot to the base", "polka dot pattern", "at 5 p.m.", "U . S . A"
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.domains import is_common_tld, parse_host
from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan

DOT_SEPARATOR = (
    r"(?:[ \t]*[\[\(\{<][ \t]*(?:\.|dot|period|punkt|point|punto)[ \t]*[\]\)\}>][ \t]*"
    r"|[ \t]+(?:dot|period|punkt|point|punto)[ \t]+|[ \t]+\.[ \t]+|\.)"
)
"""A full stop written out, bracketed or spaced; a plain "." is allowed between the others."""

_LABEL = r"[^\W_][\w-]{0,62}"

SPELLED_DOMAIN = re.compile(
    r"(?P<domain>" + _LABEL + r"(?:" + DOT_SEPARATOR + _LABEL + r"){1,4})(?![\w])",
    re.IGNORECASE,
)
"""Labels joined by at least one written-out or bracketed dot (matched from its first label)."""

BRACKETED_DOT = re.compile(r"[\[\(\{<][ \t]*(?:\.|dot|period|punkt|point|punto)")
"""A dot in brackets, found on the lower-cased text; spelled domains are anchored at one."""

SPACED_DOTS = (" . ", " dot ", " period ", " punkt ", " point ", " punto ", "\tdot\t")
"""A dot written as a word or set apart by spaces; found by plain substring search."""

_LABEL_BEFORE = re.compile(_LABEL + r"[ \t]*\Z")

SPACED_LETTERS = re.compile(r"(?<!\S)(?:[a-z0-9.] ){4,}[a-z0-9.](?!\S)", re.IGNORECASE)
"""Single characters separated by single spaces: "w w w . a c m e . c o m"."""

SPACED_WWW = re.compile(
    r"\bw[ \t]+w[ \t]+w[ \t]*(?:\.|dot)[ \t]*[a-z0-9 \t-]{1,80}?[ \t]*(?:\.|dot)"
    r"[ \t]*(?:[a-z]{2,6}|[a-z](?:[ \t][a-z]){1,5})(?![a-z0-9])",
    re.IGNORECASE,
)
"""A www. address with its letters spaced out: "w w w . acme . c o m"."""

_HAS_OBFUSCATED_DOT = re.compile(
    r"[\[\(\{<][ \t]*(?:\.|dot|period|punkt|point|punto)|[ \t](?:dot|period|punkt|point|punto)[ \t]"
    r"|[ \t]\.[ \t]"
)
"""Run on the lower-cased text."""
_PLAIN_SEPARATOR = re.compile(DOT_SEPARATOR, re.IGNORECASE)

ENGLISH_WORD_TLDS = frozenset(
    "it in at be me us to no so is my do am as by go on or an if of up we he hi".split()
)
"""Two-letter TLDs that are also common words: "connect the dot to" is not a domain."""

_NOT_BEFORE = frozenset(".@-_")

_MESSAGE = "Disguised web address (written-out or bracketed dots): an external site."


def _is_plausible(labels: list[str]) -> bool:
    """A domain a reader would type in: a common TLD in lower or upper case, not Title case."""
    tld = labels[-1]
    if not is_common_tld(tld) or (tld[0].isupper() and tld[1:].islower()):
        return False
    if tld.lower() in ENGLISH_WORD_TLDS and len(labels) < 3:
        return False
    return parse_host(".".join(labels)) is not None


def _obfuscated_dots(scan: Scan) -> list[int]:
    """Where a disguised dot starts, in text order."""
    positions = [found.start() for found in BRACKETED_DOT.finditer(scan.lower)]
    positions.extend(scan.keyword_positions(SPACED_DOTS))
    return sorted(positions)


def _spelled_domains(scan: Scan) -> Iterator[Match]:
    text = scan.text
    resume = 0
    for mark_start in _obfuscated_dots(scan):
        if mark_start < resume:
            continue
        label = _LABEL_BEFORE.search(text, max(mark_start - 70, resume), mark_start)
        if label is None or (label.start() > 0 and text[label.start() - 1] in _NOT_BEFORE):
            continue
        found = SPELLED_DOMAIN.match(text, label.start())
        if found is None:
            continue
        resume = found.end()
        domain = found.group("domain")
        if not _HAS_OBFUSCATED_DOT.search(domain.lower()):
            continue  # plain dots only: the plain link recognizer's case
        labels = _PLAIN_SEPARATOR.split(domain)
        if not _is_plausible(labels):
            continue
        host = ".".join(labels).lower()
        yield Match(Kind.URL, "url.obfuscated", found.start(), found.end(), _MESSAGE, host)


def _spaced_letters(scan: Scan) -> Iterator[Match]:
    found_spans = [*SPACED_WWW.finditer(scan.text), *SPACED_LETTERS.finditer(scan.text)]
    for found in found_spans:
        collapsed = re.sub(r"\s+", "", found.group()).strip(".")
        collapsed = re.sub(r"dot", ".", collapsed, flags=re.IGNORECASE)
        labels = collapsed.split(".")
        if len(labels) < 2 or not all(labels) or not _is_plausible(labels):
            continue
        yield Match(
            Kind.URL,
            "url.spaced_letters",
            found.start(),
            found.end(),
            "Web address spelled out letter by letter: an external site.",
            collapsed.lower(),
        )


def find_obfuscated_links(scan: Scan) -> Iterator[Match]:
    """Disguised links; the detector merges them with plain ones that overlap."""
    yield from _spelled_domains(scan)
    if scan.keyword_positions((" . ", "w w w")):
        yield from _spaced_letters(scan)


RECOGNIZER = Recognizer("obfuscated_url", find_obfuscated_links, frozenset({*SPACED_DOTS, "w w w"}))

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

AT_SEPARATOR = re.compile(
    r"[ \t]*[\[\(\{<][ \t]*(?:at|@)[ \t]*[\]\)\}>][ \t]*"
    r"|[ \t]+(?:at|chez|arroba|bei)[ \t]+"
    r"|[ \t]+@[ \t]*|[ \t]*@[ \t]+|@",
    re.IGNORECASE,
)
"""An "@" written out, bracketed, spaced, or plain (then the dots must be disguised)."""

_LOCAL_BEFORE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}\Z")
_DOMAIN_AFTER = re.compile(
    r"[^\W_][\w-]{0,62}(?:" + DOT_SEPARATOR + r"[^\W_][\w-]{0,62}){1,4}(?![\w])", re.IGNORECASE
)
_SPLIT_DOTS = re.compile(DOT_SEPARATOR, re.IGNORECASE)
_OBFUSCATED_DOT = re.compile(r"[^.\w-]")

PROSE_WORDS_BEFORE_AT = frozenset(
    """look looking looked available sold sell selling buy bought shop shopping find found
    visit visiting order ordered purchase purchased purchasing it them us me you him her here
    there this that is are was were be been arrive arrived arrives arriving delivered stay
    stayed get got price priced listed offered stocked one item items product products
    aimed targeted good bad great hit arrived received priced work works working""".split()
)
"""Words that stand before "at" in ordinary sentences: "sold at acme.com" is a link, not a
mailbox; the link recognizer reports it."""

_MESSAGE = "Disguised email address (\"at\"/\"dot\" written out): Amazon blocks it."


def _email_at(scan: Scan, at: re.Match[str]) -> Match | None:
    text = scan.text
    local = _LOCAL_BEFORE.search(text, max(at.start() - 64, 0), at.start())
    domain = _DOMAIN_AFTER.match(text, at.end())
    if local is None or domain is None:
        return None
    labels = _SPLIT_DOTS.split(domain.group())
    tld = labels[-1]
    if not is_common_tld(tld) or (tld[0].isupper() and tld[1:].islower()):
        return None
    spelled_at = "@" not in at.group()
    if at.group() == "@" and not _OBFUSCATED_DOT.search(domain.group()):
        return None  # a plain address: the plain email recognizer's case
    if spelled_at and local.group().lower() in PROSE_WORDS_BEFORE_AT:
        return None
    host = ".".join(labels).lower()
    if parse_host(host) is None:
        return None
    address = f"{local.group().strip('.')}@{host}".lower()
    return Match(Kind.EMAIL, "email.obfuscated", local.start(), domain.end(), _MESSAGE, address)


def find_obfuscated_email_addresses(scan: Scan) -> Iterator[Match]:
    """Addresses built around a disguised "@"."""
    for at in AT_SEPARATOR.finditer(scan.text):
        match = _email_at(scan, at)
        if match is not None:
            yield match


RECOGNIZER = Recognizer("obfuscated_email", find_obfuscated_email_addresses)

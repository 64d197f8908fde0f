"""Email addresses as written: plain, plus-addressed, on subdomains, Unicode, in mailto: links.

Catches:  "jane@acme.com", "jane+amz@mail.acme.co.uk", "josé@exämple.de", "mailto:help@acme.com"
Leaves:   "@acmehelp" (a social handle, no domain), "foo@bar" (no public suffix),
          "sz2y5ywh1qg1vhx@marketplace.amazon.com" (Amazon's own; judged by the allow-list)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.domains import parse_host
from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan

LOCAL_PART = re.compile(r"[\w.!#$%&'*+^~-]{1,64}\Z")
"""The mailbox name before "@", found by looking back from it."""

DOMAIN_PART = re.compile(
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})(?![\w-])"
    r"|\[\d{1,3}(?:\.\d{1,3}){3}\]"
)
"""The domain after "@": labels and a public suffix, or an IP literal in brackets."""

_MAILTO = "mailto:"


def find_email_addresses(scan: Scan) -> Iterator[Match]:
    """Every address whose domain has a public suffix."""
    text = scan.text
    at = text.find("@")
    while at >= 0:
        match = _address_at(scan, at)
        if match is not None:
            yield match
        at = text.find("@", at + 1)


def _address_at(scan: Scan, at: int) -> Match | None:
    text = scan.text
    domain = DOMAIN_PART.match(text, at + 1)  # cheapest test first: most "@" are handles
    if domain is None or parse_host(domain.group().strip("[]")) is None:
        return None
    local = LOCAL_PART.search(text, max(at - 64, 0), at)
    if local is None:
        return None
    start = local.start()
    while start < at and text[start] == ".":
        start += 1
    if start == at:
        return None
    rule, message = "email.address", "Email address: Amazon blocks replies that give one."
    if scan.lower[max(start - len(_MAILTO), 0) : start] == _MAILTO:
        start -= len(_MAILTO)
        rule, message = "email.mailto", "mailto: link: an email address outside Amazon."
    address = f"{text[local.start() : at].strip('.')}@{domain.group()}".lower()
    return Match(Kind.EMAIL, rule, start, domain.end(), message, target=address)


RECOGNIZER = Recognizer("email", find_email_addresses)

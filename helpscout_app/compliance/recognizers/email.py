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

EMAIL_ADDRESS = re.compile(
    r"(?<![\w.+%-])(?P<local>[\w.!#$%&'*+^~-]{1,64})@"
    r"(?P<domain>(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63})(?![\w-])"
)
_MAILTO = "mailto:"


def find_email_addresses(scan: Scan) -> Iterator[Match]:
    """Every address whose domain has a public suffix."""
    text = scan.text
    if "@" not in text:
        return
    for found in EMAIL_ADDRESS.finditer(text):
        if parse_host(found.group("domain")) is None:
            continue
        start = found.start()
        rule, message = "email.address", "Email address: Amazon blocks replies that give one."
        if scan.lower[max(start - len(_MAILTO), 0):start] == _MAILTO:
            start -= len(_MAILTO)
            rule, message = "email.mailto", "mailto: link: an email address outside Amazon."
        local = found.group("local").strip(".")
        yield Match(
            Kind.EMAIL, rule, start, found.end(), message,
            target=f"{local}@{found.group('domain')}".lower(),
        )


RECOGNIZER = Recognizer("email", find_email_addresses)

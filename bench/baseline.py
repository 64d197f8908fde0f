"""The off-the-shelf baseline the detector is measured against.

phonenumbers' `PhoneNumberMatcher(text, "US")` (default leniency VALID), a plain URL regex
(scheme URL, `www.` host, or bare domain ending in 2+ letters) and a plain email regex, all run
on the raw text (HTML included, no decoding). A text is blocked if any of them matches, or if it
has an attachment (the trivial playbook rule, so the comparison is about the text).

It returns a report shaped like the detector's (`blocked`, `findings` with kind, severity,
start, end, text, rule) so both go through the same quality code. The regexes are written so
that a match can only start where a host or address could start (a look-behind), which keeps
them linear on the adversarial inputs: the baseline is plain, not deliberately slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

URL_RE = re.compile(
    r"\b(?:https?|ftp)://[^\s<>\"']+"
    r"|\bwww\.[^\s<>\"']+"
    r"|(?<![\w.@-])(?:[a-z0-9-]+\.)+[a-z]{2,}\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BaselineFinding:
    """One match of a baseline piece."""

    kind: str
    start: int
    end: int
    text: str
    rule: str
    severity: str = "block"


@dataclass(frozen=True, slots=True)
class BaselineReport:
    """The baseline's verdict, with the attributes the quality code reads."""

    findings: list[BaselineFinding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.findings)


def phone_matches(text: str) -> list[BaselineFinding]:
    """Every number phonenumbers finds in the text for region US."""
    return [
        BaselineFinding("phone", m.start, m.end, m.raw_string, "baseline.phonenumbers")
        for m in phonenumbers.PhoneNumberMatcher(text, "US")
    ]


def baseline_check(
    text: str, html: bool = False, attachments: Iterable[str] = ()
) -> BaselineReport:
    """phonenumbers + URL regex + email regex; `html` is accepted and ignored (raw text)."""
    findings = phone_matches(text)
    findings += [
        BaselineFinding("url", m.start(), m.end(), m.group(), "baseline.url_regex")
        for m in URL_RE.finditer(text)
    ]
    findings += [
        BaselineFinding("email", m.start(), m.end(), m.group(), "baseline.email_regex")
        for m in EMAIL_RE.finditer(text)
    ]
    findings += [
        BaselineFinding("attachment", len(text), len(text), name, "baseline.attachment")
        for name in attachments
    ]
    findings.sort(key=lambda f: (f.start, f.end))
    return BaselineReport(findings)


def phonenumbers_only(
    text: str, html: bool = False, attachments: Iterable[str] = ()
) -> BaselineReport:
    """Only `PhoneNumberMatcher(text, "US")`: the speed floor the issue's target names."""
    return BaselineReport(phone_matches(text))

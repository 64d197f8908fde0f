"""Findings and reports: what the detector says about one reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any


class Kind(StrEnum):
    """What a finding is about (DESIGN.md contract)."""

    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    ATTACHMENT = "attachment"
    POLICY = "policy"


class Severity(StrEnum):
    """Whether a finding stops the reply or only warns the agent."""

    BLOCK = "block"
    WARN = "warn"


PLACEHOLDERS: dict[Kind, str] = {
    Kind.PHONE: "[phone number removed]",
    Kind.EMAIL: "[email address removed]",
    Kind.URL: "[link removed]",
}
"""Readable text that replaces a blocking span in `Report.redacted`."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One offending span of the checked text.

    `start`/`end` index the string passed to `check()`. Attachment findings are not in the text:
    they sit at `start == end == len(text)` and carry the file name in `text`.
    """

    kind: Kind
    severity: Severity
    start: int
    end: int
    text: str
    rule: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "severity": str(self.severity),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class Report:
    """The verdict on one reply: findings in text order and the redacted text.

    `redacted` is worked out on first use (it re-checks the result), so callers that only need
    the verdict don't pay for it.
    """

    findings: list[Finding] = field(default_factory=list)
    _redact: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def redacted(self) -> str:
        """The text with every blocking finding replaced by a readable placeholder."""
        return self._redact() if self._redact is not None else ""

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCK for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.BLOCK]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARN]

    def kinds(self, severity: Severity | None = Severity.BLOCK) -> set[Kind]:
        """The kinds found, by default only those that block."""
        return {f.kind for f in self.findings if severity is None or f.severity is severity}

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocked": self.blocked,
            "findings": [f.to_dict() for f in self.findings],
            "redacted": self.redacted,
        }

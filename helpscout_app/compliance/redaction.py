"""The reply with every blocking finding replaced by a readable placeholder."""

from __future__ import annotations

from collections.abc import Iterable

from helpscout_app.compliance.findings import PLACEHOLDERS, Finding, Severity


def redact(text: str, findings: Iterable[Finding]) -> str:
    """Replace blocking spans (which must not overlap) from the end, so offsets stay valid."""
    spans = sorted(
        (
            f
            for f in findings
            if f.severity is Severity.BLOCK and f.kind in PLACEHOLDERS and f.end > f.start
        ),
        key=lambda f: f.start,
        reverse=True,
    )
    for finding in spans:
        text = text[: finding.start] + PLACEHOLDERS[finding.kind] + text[finding.end :]
    return text

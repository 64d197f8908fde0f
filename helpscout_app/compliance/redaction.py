"""The reply with every blocking finding replaced by a readable placeholder."""

from __future__ import annotations

import re
from collections.abc import Iterable

from helpscout_app.compliance.findings import PLACEHOLDERS, Finding, Severity

_TAG = re.compile(r"<[^<>]*>")


def redact(text: str, findings: Iterable[Finding], *, keep_tags: bool = False) -> str:
    """Replace blocking spans (which must not overlap) from the end, so offsets stay valid.

    With `keep_tags` (an HTML body) the tags inside a span stay after its placeholder: a
    number split by markup (`555</b>-123-4567`) must not take the `</b>` with it.
    """
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
        replacement = PLACEHOLDERS[finding.kind]
        if keep_tags:
            replacement += "".join(_TAG.findall(text, finding.start, finding.end))
        text = text[: finding.start] + replacement + text[finding.end :]
    return text

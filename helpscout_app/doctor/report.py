"""Rendering doctor's results: one aligned line per check, or JSON. No I/O here."""

from __future__ import annotations

import json
from collections.abc import Sequence

from helpscout_app.doctor.checks import CheckResult, Status

STATUS_LABELS = {Status.OK: "ok", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIP: "skip"}
"""How each status is printed: a failure in capitals, so it stands out in a column of them."""

_STATUS_WIDTH = max(len(label) for label in STATUS_LABELS.values()) + 2


def has_failures(results: Sequence[CheckResult]) -> bool:
    """True when any check failed: doctor then exits non-zero."""
    return any(result.status is Status.FAIL for result in results)


def overall_status(results: Sequence[CheckResult]) -> Status:
    """FAIL if any failed, else WARN if any warned, else OK (skips count as fine)."""
    statuses = {result.status for result in results}
    for status in (Status.FAIL, Status.WARN):
        if status in statuses:
            return status
    return Status.OK


def format_result(result: CheckResult, part_width: int) -> str:
    """`FAIL  redis          no answer at redis://host:6379/0 (ConnectionError): start Redis …`."""
    line = f"{STATUS_LABELS[result.status]:<{_STATUS_WIDTH}}{result.part:<{part_width}}"
    line += result.summary
    return f"{line}: {result.fix}" if result.fix else line


def render_text(results: Sequence[CheckResult]) -> str:
    """Every result on its own line, columns aligned, in the order given."""
    part_width = max((len(result.part) for result in results), default=0) + 2
    return "".join(format_result(result, part_width) + "\n" for result in results)


def render_json(results: Sequence[CheckResult]) -> str:
    """`{"status": ..., "checks": [{"part", "status", "summary", "fix"}, ...]}`, indented."""
    document = {
        "status": str(overall_status(results)),
        "checks": [result.to_dict() for result in results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

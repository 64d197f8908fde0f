"""Shared by the detector's tests: exact-span assertions through `check()`, and the corpus."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from helpscout_app.compliance import CheckOptions, Report, Severity, check

CORPUS_PATH = Path(__file__).parent / "corpus" / "replies.jsonl"

ExpectFindings = Callable[..., Report]


def expected_spans(text: str, expected: Sequence[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(rule, start, end) for each expected (rule, substring), found left to right in `text`."""
    spans = []
    cursor = 0
    for rule, substring in expected:
        start = text.find(substring, cursor)
        assert start >= 0, f"test table error: {substring!r} is not in {text!r} after {cursor}"
        spans.append((rule, start, start + len(substring)))
        cursor = start + 1
    return spans


@pytest.fixture
def expect_findings() -> ExpectFindings:
    """Check a text and assert its findings of one severity: exact rule ids and spans, in order.

    `expected` is a list of (rule, substring as it appears in `text`); a substring that occurs
    more than once is the next occurrence after the previous expected one.
    """

    def assert_findings(
        text: str,
        expected: Sequence[tuple[str, str]],
        *,
        html: bool = False,
        severity: Severity = Severity.BLOCK,
        options: CheckOptions | None = None,
    ) -> Report:
        report = check(text, html=html, options=options)
        for finding in report.findings:
            assert text[finding.start : finding.end] == finding.text
        found = [
            (finding.rule, finding.start, finding.end, finding.text)
            for finding in report.findings
            if finding.severity is severity
        ]
        wanted = [
            (rule, start, end, text[start:end])
            for rule, start, end in expected_spans(text, expected)
        ]
        assert found == wanted
        return report

    return assert_findings


def load_corpus() -> list[dict[str, Any]]:
    """The labelled replies (`corpus/README.md` describes the fields)."""
    with CORPUS_PATH.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, Any]]:
    """The labelled replies, read once per run."""
    return load_corpus()

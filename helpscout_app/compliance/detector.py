"""`check()`: the one question asked of every reply to an Amazon buyer."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from helpscout_app.compliance.amazon_allowlist import (
    is_amazon_email,
    is_amazon_host,
    is_amazon_phone,
)
from helpscout_app.compliance.findings import Finding, Kind, Report, Severity
from helpscout_app.compliance.html_view import html_views
from helpscout_app.compliance.options import DEFAULT_OPTIONS, CheckOptions
from helpscout_app.compliance.recognizers.attachment import find_blocked_attachments
from helpscout_app.compliance.redaction import redact
from helpscout_app.compliance.registry import KEYWORD_INDEX, RECOGNIZERS
from helpscout_app.compliance.scan import Match, Scan, Source
from helpscout_app.compliance.text_view import plain_view

MAX_REDACTION_PASSES = 3
"""Redaction can expose a new finding (two halves of a number joined); re-check this often."""


def check(
    text: str,
    html: bool = False,
    attachments: Iterable[str] = (),
    *,
    options: CheckOptions | None = None,
) -> Report:
    """Find the phone numbers, email addresses, links and attachments a reply may not carry.

    `html=True` reads `text` as an HTML body (visible text, attributes, entities). Raises
    TypeError when `text` is not a string; any string, however odd, gets a report.
    """
    if not isinstance(text, str):
        raise TypeError(f"check() needs the reply as str, got {type(text).__name__}")
    options = options or DEFAULT_OPTIONS
    findings = _text_findings(text, html, options)
    findings.extend(_attachment_findings(text, attachments, options))
    return Report(findings, partial(_redacted, text, html, findings, options))


def _scans(text: str, html: bool, options: CheckOptions) -> list[Scan]:
    if not html:
        return [Scan(plain_view(text), options, keyword_index=KEYWORD_INDEX)]
    views = html_views(text)
    scans = [Scan(views.text, options, keyword_index=KEYWORD_INDEX)]
    if views.segments:
        scans.append(
            Scan(views.attributes, options, Source.ATTRIBUTE, views.segments, KEYWORD_INDEX)
        )
    return scans


def _is_amazons_own(match: Match, options: CheckOptions) -> bool:
    if match.kind is Kind.URL:
        return is_amazon_host(match.target)
    if match.kind is Kind.EMAIL:
        return is_amazon_email(match.target)
    if match.kind is Kind.PHONE:
        return is_amazon_phone(match.target, options.allowed_phone_numbers)
    return False


def _text_findings(text: str, html: bool, options: CheckOptions) -> list[Finding]:
    blocking: list[Finding] = []
    warnings: list[Finding] = []
    allowed: list[tuple[int, int, Kind]] = []
    for scan in _scans(text, html, options):
        for recognizer in RECOGNIZERS:
            for match in recognizer.find(scan):
                start, end = scan.view.source_span(match.start, match.end)
                if match.severity is Severity.BLOCK and _is_amazons_own(match, options):
                    allowed.append((start, end, match.kind))
                    continue
                finding = Finding(
                    match.kind,
                    match.severity,
                    start,
                    end,
                    text[start:end],
                    match.rule,
                    match.message,
                )
                (blocking if match.severity is Severity.BLOCK else warnings).append(finding)
    blocking = _merge_overlaps(_outside(blocking, allowed), text)
    by_rule: dict[str, list[Finding]] = {}
    for warning in warnings:
        by_rule.setdefault(warning.rule, []).append(warning)
    merged_warnings = [w for same in by_rule.values() for w in _merge_overlaps(same, text)]
    return sorted(blocking + merged_warnings, key=lambda f: (f.start, f.end))


def _outside(findings: list[Finding], allowed: list[tuple[int, int, Kind]]) -> list[Finding]:
    """Drop findings of another kind inside Amazon's own link or address (digits in its URL).

    A finding of the same kind stands on its own: an external link inside an Amazon redirect
    (`amazon.com/gp/redirect.html?location=https://acme.com`) is still an external link.
    """
    if not allowed:
        return findings
    return [
        f
        for f in findings
        if not any(
            start <= f.start and f.end <= end and f.kind is not kind for start, end, kind in allowed
        )
    ]


def _merge_overlaps(findings: list[Finding], text: str) -> list[Finding]:
    """One finding per stretch of text: the widest form wins, partial overlaps are joined."""
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            if finding.end > last.end:
                merged[-1] = Finding(
                    last.kind,
                    last.severity,
                    last.start,
                    finding.end,
                    text[last.start : finding.end],
                    last.rule,
                    last.message,
                )
            continue
        merged.append(finding)
    return merged


def _attachment_findings(
    text: str, attachments: Iterable[str], options: CheckOptions
) -> list[Finding]:
    if isinstance(attachments, str):
        attachments = (attachments,)
    end = len(text)
    return [
        Finding(Kind.ATTACHMENT, Severity.BLOCK, end, end, name, rule, message)
        for rule, name, message in find_blocked_attachments(attachments, options)
    ]


def _redacted(text: str, html: bool, findings: list[Finding], options: CheckOptions) -> str:
    """Redact, then re-check the result until nothing blocking is left."""
    if not any(f.severity is Severity.BLOCK and f.end > f.start for f in findings):
        return text
    redacted = redact(text, findings, keep_tags=html)
    for _ in range(MAX_REDACTION_PASSES):
        remaining = [
            f for f in _text_findings(redacted, html, options) if f.severity is Severity.BLOCK
        ]
        if not remaining:
            break
        redacted = redact(redacted, remaining, keep_tags=html)
    return redacted

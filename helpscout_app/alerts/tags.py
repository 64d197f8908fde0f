"""Alert tags: the bracketed word every Slack alert's fallback text starts with (DESIGN.md)."""

from __future__ import annotations

from enum import StrEnum


class AlertTag(StrEnum):
    """The tags of DESIGN.md's "Slack alerts" contract; operators filter Slack on them."""

    MISSING = "missing"  # a buyer message that never reached Help Scout
    SLA_WARNING = "sla-warning"  # a conversation nearing Amazon's 24-hour deadline
    SLA_BREACHED = "sla-breached"  # … and past it
    NRN_NEEDED = "nrn-needed"  # closed without a reply: mark "No response needed"
    BLOCKED_REPLY = "blocked-reply"  # a non-compliant Send Later reply (cancelled in gate mode)
    NONCOMPLIANT_SENT = "noncompliant-sent"  # a non-compliant reply already went out
    DRAFT_FLAGGED = "draft-flagged"  # a non-compliant draft, before it is sent
    DIGEST = "digest"  # a periodic summary

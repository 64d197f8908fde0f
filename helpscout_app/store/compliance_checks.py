"""Compliance checks of replies and drafts, and the incidents opened for blocked ones.

A check is stored once per (thread, body hash): scanning the same draft again finds its check
and does not flag it twice; an edited draft hashes differently and is checked anew. Bodies are
never stored, only their hash and the findings (which quote just the offending text).

A blocked check has an incident per stage (`IncidentStage`): a draft flagged and then sent
unchanged shares one check, but the sending is acted on, and recorded, apart from the draft.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.store.models import (
    CheckSource,
    ComplianceCheck,
    ComplianceIncident,
    IncidentAction,
    IncidentStage,
)
from helpscout_app.store.statements import insert_unless_present
from helpscout_app.store.timestamps import utc_now

FINDING_KEYS = ("kind", "severity", "rule", "start", "end", "text", "message")
"""What is kept of a finding (`Finding.to_dict()`'s keys); anything else given is dropped."""

BLOCKING_SEVERITY = "block"


def body_hash(body: str) -> str:
    """The hash stored for a body: SHA-256 of its UTF-8, in hex. Use it for threads and checks."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_check(
    session: Session,
    *,
    conversation_id: int,
    thread_id: int,
    body_hash: str,
    source: CheckSource,
    blocked: bool,
    findings: Sequence[Mapping[str, Any]],
    now: datetime | None = None,
) -> tuple[ComplianceCheck, bool]:
    """Store the verdict on one body of a thread; returns the check and whether it is new.

    `findings` are the detector's findings as dicts (`[f.to_dict() for f in report.findings]`).
    When this thread was already checked with this body, nothing changes and the stored check
    comes back with False: the caller has flagged it already. The caller commits.
    """
    kept_findings = [{key: finding[key] for key in FINDING_KEYS} for finding in findings]
    created = insert_unless_present(
        session,
        ComplianceCheck,
        {
            "conversation_id": conversation_id,
            "thread_id": thread_id,
            "body_hash": body_hash,
            "source": CheckSource(source),
            "blocked": blocked,
            "finding_kinds": _distinct_kinds(kept_findings),
            "findings": kept_findings,
            "checked_at": now or utc_now(),
        },
        unique_columns=("thread_id", "body_hash"),
    )
    check = session.scalars(
        select(ComplianceCheck)
        .where(ComplianceCheck.thread_id == thread_id, ComplianceCheck.body_hash == body_hash)
        .execution_options(populate_existing=True)
    ).one()
    return check, created


def record_incident(
    session: Session,
    check: ComplianceCheck,
    *,
    stage: IncidentStage | None = None,
    agent_id: int | None = None,
    agent_name: str | None = None,
    now: datetime | None = None,
) -> tuple[ComplianceIncident, bool]:
    """Open the incident for a blocked check at `stage` (by default the stage of the check's own
    source); returns it and whether it is new (one per check and stage).

    Its `finding_kinds` are the kinds of the check's blocking findings. The caller commits.
    """
    stage = IncidentStage(stage) if stage is not None else IncidentStage.of(check.source)
    created = insert_unless_present(
        session,
        ComplianceIncident,
        {
            "check_id": check.id,
            "stage": stage,
            "conversation_id": check.conversation_id,
            "thread_id": check.thread_id,
            "agent_id": agent_id,
            "agent_name": agent_name,
            "finding_kinds": _distinct_kinds(
                finding for finding in check.findings if finding["severity"] == BLOCKING_SEVERITY
            ),
            "actions": [],
            "attempts": [],
            "created_at": now or utc_now(),
        },
        unique_columns=("check_id", "stage"),
    )
    incident = session.scalars(
        select(ComplianceIncident)
        .where(ComplianceIncident.check_id == check.id, ComplianceIncident.stage == stage)
        .execution_options(populate_existing=True)
    ).one()
    return incident, created


def add_incident_action(
    session: Session, incident: ComplianceIncident, action: IncidentAction
) -> bool:
    """Record that `action` was done for `incident`; False if it was recorded already.

    The row is locked first (PostgreSQL; SQLite's write lock does the same), so two jobs cannot
    lose each other's actions. The caller commits.
    """
    return _add_once(session, incident, "actions", IncidentAction(action))


def add_incident_attempt(
    session: Session, incident: ComplianceIncident, action: IncidentAction
) -> bool:
    """Record that `action` is about to be tried for `incident`; False if it was before.

    Written (and committed by the caller) before the outside call, so a retry knows a lost
    attempt may have done it. Locked as `add_incident_action` is."""
    return _add_once(session, incident, "attempts", IncidentAction(action))


def _add_once(
    session: Session, incident: ComplianceIncident, column: str, action: IncidentAction
) -> bool:
    """Append `action` to the incident's JSON list `column` under a row lock, unless there."""
    session.refresh(incident, with_for_update=True)
    listed: list[str] = getattr(incident, column)
    if action in listed:
        return False
    setattr(incident, column, [*listed, action.value])  # a new list: JSON is not tracked
    session.flush()
    return True


def _distinct_kinds(findings: Iterable[Mapping[str, Any]]) -> list[str]:
    """The kinds among `findings`, each once, sorted."""
    return sorted({str(finding["kind"]) for finding in findings})

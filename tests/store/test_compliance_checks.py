"""Compliance checks and incidents: a check per thread and body, an incident per check and stage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import Race
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpscout_app.store.compliance_checks import (
    add_incident_action,
    body_hash,
    record_check,
    record_incident,
)
from helpscout_app.store.models import (
    CheckSource,
    ComplianceCheck,
    ComplianceIncident,
    IncidentAction,
    IncidentStage,
)

CHECKED_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
DRAFT = "Hi Jane, call us at (555) 123-4567 or see example.com. Please leave a 5-star review!"
PHONE = {
    "kind": "phone",
    "severity": "block",
    "start": 20,
    "end": 34,
    "text": "(555) 123-4567",
    "rule": "phone.national",
    "message": "Phone number: Amazon blocks replies that give the buyer a number to call.",
}
URL = {
    "kind": "url",
    "severity": "block",
    "start": 42,
    "end": 53,
    "text": "example.com",
    "rule": "url.bare_domain",
    "message": "Link: Amazon blocks links that lead away from Amazon.",
}
REVIEW = {
    "kind": "policy",
    "severity": "warn",
    "start": 70,
    "end": 83,
    "text": "5-star review",
    "rule": "policy.review_manipulation",
    "message": "Review wording.",
}


def check_draft(
    session: Session, body: str = DRAFT, findings: list[dict[str, Any]] | None = None
) -> tuple[ComplianceCheck, bool]:
    return record_check(
        session,
        conversation_id=123,
        thread_id=456,
        body_hash=body_hash(body),
        source=CheckSource.DRAFT,
        blocked=True,
        findings=[PHONE, URL, REVIEW] if findings is None else findings,
        now=CHECKED_AT,
    )


def test_the_body_hash_is_sha256_hex_of_utf8() -> None:
    assert body_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert body_hash("Grüße") != body_hash("Grusse")
    assert len(body_hash(DRAFT)) == 64


def test_a_first_check_is_stored_with_its_findings(session: Session) -> None:
    check, created = check_draft(session)
    session.commit()

    assert created
    assert (check.conversation_id, check.thread_id, check.source) == (123, 456, CheckSource.DRAFT)
    assert check.blocked
    assert check.body_hash == body_hash(DRAFT)
    assert check.finding_kinds == ["phone", "policy", "url"]
    assert check.findings == [PHONE, URL, REVIEW]
    assert check.checked_at == CHECKED_AT


def test_the_same_draft_checked_again_is_not_new(session: Session) -> None:
    first, _ = check_draft(session)
    session.commit()

    again, created = check_draft(session, findings=[])
    session.commit()

    assert not created
    assert again.id == first.id
    assert again.findings == [PHONE, URL, REVIEW]  # the first verdict stands
    assert session.scalar(select(func.count()).select_from(ComplianceCheck)) == 1


def test_an_edited_draft_is_checked_anew(session: Session) -> None:
    check_draft(session)
    edited, created = check_draft(session, body="Hi Jane, your refund is on its way.", findings=[])
    session.commit()

    assert created
    assert not edited.findings
    assert edited.finding_kinds == []


def test_concurrent_scans_of_one_draft_store_one_check(race: Race) -> None:
    outcomes = race(3, lambda session: check_draft(session)[1])

    assert sorted(outcomes) == [False, False, True]


def test_only_the_finding_fields_are_kept(session: Session) -> None:
    check, _ = check_draft(session, findings=[{**PHONE, "context": DRAFT, "body": DRAFT}])

    assert check.findings == [PHONE]


def test_a_thread_and_body_hash_are_unique(session: Session) -> None:
    row = {
        "conversation_id": 123,
        "thread_id": 456,
        "body_hash": "h",
        "source": "reply",
        "blocked": False,
        "finding_kinds": [],
        "findings": [],
        "checked_at": CHECKED_AT,
    }
    session.execute(insert(ComplianceCheck).values(row))

    with pytest.raises(IntegrityError):
        session.execute(insert(ComplianceCheck).values(row))


def test_an_incident_is_opened_once_per_check_with_its_blocking_kinds(session: Session) -> None:
    check, _ = check_draft(session)

    incident, created = record_incident(
        session, check, agent_id=7, agent_name="Sam Agent", now=CHECKED_AT
    )
    again, created_again = record_incident(session, check, agent_id=8)
    session.commit()

    assert created and not created_again
    assert again.id == incident.id
    assert (incident.check_id, incident.conversation_id, incident.thread_id) == (check.id, 123, 456)
    assert (incident.agent_id, incident.agent_name) == (7, "Sam Agent")
    assert incident.finding_kinds == ["phone", "url"]  # the warning is no part of it
    assert incident.actions == []
    assert incident.created_at == CHECKED_AT
    assert incident.check.id == check.id


def test_a_check_has_one_incident_per_stage_each_with_its_own_actions(session: Session) -> None:
    """A draft flagged and then sent unchanged: one check, the sending an incident of its own."""
    check, _ = check_draft(session)  # checked as a draft: unsent by default
    flagged, _ = record_incident(session, check, agent_name="Sam Agent")
    add_incident_action(session, flagged, IncidentAction.NOTE)

    sent, created = record_incident(session, check, stage=IncidentStage.SENT)
    sent_again, created_again = record_incident(session, check, stage=IncidentStage.SENT)
    session.commit()

    assert (flagged.stage, sent.stage) == (IncidentStage.UNSENT, IncidentStage.SENT)
    assert created and not created_again
    assert sent_again.id == sent.id != flagged.id
    assert (flagged.actions, sent.actions) == (["note"], [])
    assert session.scalar(select(func.count()).select_from(ComplianceIncident)) == 2


def test_an_incident_takes_the_stage_of_its_check_by_default(session: Session) -> None:
    reply, _ = record_check(
        session,
        conversation_id=123,
        thread_id=457,
        body_hash=body_hash("sent"),
        source=CheckSource.REPLY,
        blocked=True,
        findings=[PHONE],
    )

    incident, _ = record_incident(session, reply)

    assert incident.stage is IncidentStage.SENT


def test_each_action_is_recorded_once(session: Session) -> None:
    check, _ = check_draft(session)
    incident, _ = record_incident(session, check)

    assert add_incident_action(session, incident, IncidentAction.NOTE)
    assert add_incident_action(session, incident, IncidentAction.TAGGED)
    assert not add_incident_action(session, incident, IncidentAction.NOTE)
    session.commit()

    stored = session.scalars(select(ComplianceIncident)).one()
    session.refresh(stored)
    assert stored.actions == ["note", "tagged"]


def test_concurrent_jobs_keep_each_others_actions(race: Race, session: Session) -> None:
    check, _ = check_draft(session)
    record_incident(session, check)
    session.commit()
    session.close()  # a SQLite transaction left open would hold the write lock
    actions = iter([IncidentAction.SCHEDULE_CANCELLED, IncidentAction.ALERTED])

    def add_next_action(contender: Session) -> bool:
        incident = contender.scalars(select(ComplianceIncident)).one()
        return add_incident_action(contender, incident, next(actions))

    assert race(2, add_next_action) == [True, True]
    stored = session.scalars(select(ComplianceIncident)).one()
    assert sorted(stored.actions) == ["alerted", "schedule_cancelled"]


def test_an_unknown_action_is_refused(session: Session) -> None:
    check, _ = check_draft(session)
    incident, _ = record_incident(session, check)

    with pytest.raises(ValueError, match="'deleted' is not a valid IncidentAction"):
        add_incident_action(session, incident, "deleted")  # type: ignore[arg-type]

"""Checking one reply, draft or Send Later reply, and acting on the incident it opens, once.

A check is stored per (thread, body hash) and an incident per blocked check and stage (unsent,
sent: `store`); each
action on an incident (note, tag, cancelled schedule, alert) is recorded when done, so a retried
job or a second pass repeats nothing that was done and finishes what was not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from helpscout_app.compliance import CheckOptions, Report, check
from helpscout_app.enforcement.notes import holds_incident_note
from helpscout_app.enforcement.threads import attachment_names, thread_author, thread_body
from helpscout_app.observability import metrics
from helpscout_app.store.compliance_checks import (
    add_incident_action,
    add_incident_attempt,
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

if TYPE_CHECKING:
    from helpscout_app.helpscout.client import HelpScoutClient
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class CheckedThread:
    """The detector's report on a thread's current body, and what the store holds for it.

    `incident` is set when the body is blocked. `new_check` is False when this very body of
    this thread was checked before (a redelivery, a retry, a second pass).
    """

    report: Report
    body_hash: str
    check: ComplianceCheck
    new_check: bool
    incident: ComplianceIncident | None


def check_options(settings: Settings) -> CheckOptions:
    """The detector's options from the settings: Amazon's numbers agents may give."""
    return CheckOptions(allowed_phone_numbers=tuple(settings.amazon_cs_phone_numbers))


def check_thread(
    session: Session,
    *,
    conversation_id: int,
    thread_id: int,
    thread: Mapping[str, Any],
    source: CheckSource,
    settings: Settings,
    now: datetime,
) -> CheckedThread:
    """Run the detector on the thread's HTML body and attachments; store the check and, when
    blocked, the incident at the stage `source` is at (named after the thread's author). The
    caller commits."""
    body = thread_body(thread)
    report = check(
        body, html=True, attachments=attachment_names(thread), options=check_options(settings)
    )
    digest = body_hash(body)
    stored_check, new_check = record_check(
        session,
        conversation_id=conversation_id,
        thread_id=thread_id,
        body_hash=digest,
        source=source,
        blocked=report.blocked,
        findings=[finding.to_dict() for finding in report.findings],
        now=now,
    )
    if new_check:
        metrics.count_reply_check(source, report.kinds())
    incident = None
    if stored_check.blocked:
        author = thread_author(thread)
        incident, _ = record_incident(
            session,
            stored_check,
            stage=IncidentStage.of(source),
            agent_id=author.user_id,
            agent_name=author.name,
            now=now,
        )
    return CheckedThread(report, digest, stored_check, new_check, incident)


def act_once(
    session: Session,
    incident: ComplianceIncident,
    action: IncidentAction,
    perform: Callable[[], object],
    *,
    done_before: Callable[[], bool] | None = None,
) -> bool:
    """Call `perform` unless `action` is recorded on the incident, then record it; True if run.

    Commits before `perform` (no transaction, so no SQLite write lock, is held across an HTTP
    call) and after recording. If `perform` raises, nothing is recorded and the error goes up:
    the retry runs it again.

    An action done whose record was then lost (the job died, or the database went away, between
    the call and the commit) would be done again by the retry. For an action that can be looked
    up afterwards, `done_before` says whether it was: the attempt is recorded before the call,
    and a retry that finds an attempt without its record asks `done_before` first (one more
    outside call, on that path only) and records the action if it was done.
    """
    session.refresh(incident)
    if action.value in incident.actions:
        session.commit()
        return False
    if done_before is not None:
        if action.value in incident.attempts and done_before():
            add_incident_action(session, incident, action)
            session.commit()
            log.info(
                "incident %s on conversation %s: %s found done by an earlier attempt",
                incident.id,
                incident.conversation_id,
                action,
            )
            return False
        add_incident_attempt(session, incident, action)
    session.commit()
    perform()
    add_incident_action(session, incident, action)
    session.commit()
    log.info(
        "incident %s on conversation %s: %s done", incident.id, incident.conversation_id, action
    )
    return True


def note_once(
    session: Session,
    incident: ComplianceIncident,
    client: HelpScoutClient,
    conversation_id: int,
    post: Callable[[], object],
    *,
    listed_threads: Sequence[Mapping[str, Any]] | None = None,
) -> bool:
    """`act_once` for the incident's note: after an attempt that may have posted it without
    recording it, look for it among the conversation's threads (by its incident reference)
    before posting it again.

    `listed_threads`: the conversation's threads as the caller listed them after any earlier
    attempt (the draft scan's pass), looked through instead of listing them again.
    """

    def noted_before() -> bool:
        threads = listed_threads
        if threads is None:
            threads = client.list_threads(conversation_id)
        return holds_incident_note(threads, incident.id)

    return act_once(session, incident, IncidentAction.NOTE, post, done_before=noted_before)

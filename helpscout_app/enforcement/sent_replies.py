"""Sent replies (`convo.agent.reply.created`): check the reply that went out, and if it broke
Amazon's rules, leave a note, tag the conversation and alert Slack, each once.

The reply has already reached the buyer (reference/helpscout.md §4, option 3): this cannot
stop it; it makes sure the team knows, at once, what went out and what it should have said.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from helpscout_app.alerts.dispatch import send_alert_once
from helpscout_app.alerts.messages import noncompliant_sent_alert
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.enforcement.conversation_ref import conversation_ref
from helpscout_app.enforcement.incidents import act_once, check_thread, note_once
from helpscout_app.enforcement.notes import is_amz_guard_note, noncompliant_note
from helpscout_app.enforcement.stored_conversations import (
    is_later,
    store_conversation,
    store_thread,
)
from helpscout_app.enforcement.threads import (
    ThreadState,
    is_agent_reply,
    thread_author,
    thread_body,
    thread_created_at,
    thread_id,
    thread_state,
)
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.webhook_events import embedded_threads, is_amazon_conversation
from helpscout_app.reconciliation.auto_replies import is_auto_reply
from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.store.models import (
    CheckSource,
    Conversation,
    IncidentAction,
)

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

NONCOMPLIANT_TAG = "amazon-noncompliant"
"""Tag added to a conversation where a non-compliant reply went out (issue 3)."""

# The event says the reply was sent; only an explicit unsent state says otherwise.
_SENT_STATES = frozenset({ThreadState.PUBLISHED, ThreadState.UNKNOWN})


@dataclass
class EnforcementOutcome:
    """What `enforce_sent_reply` did: `checked` False when it skipped the thread (not an
    Amazon conversation, amz-guard's own note, not a sent agent reply); `actions` are the
    `IncidentAction` values done by this call ("note", "tagged", "alerted"), none on a retry
    that finds them all done. A reply the draft scan flagged before it was sent is acted on
    as sent all the same: its incident at the sent stage is its own."""

    checked: bool
    blocked: bool
    actions: list[str] = field(default_factory=list)


def enforce_sent_reply(
    *,
    client: HelpScoutClient,
    session: Session,
    notifier: SlackNotifier | None,
    settings: Settings,
    conversation_id: int,
    thread_id: int | None,
    payload: Mapping[str, Any] | None,
    now: datetime,
) -> EnforcementOutcome:
    """Check a sent agent reply on an Amazon conversation and act on it if it is blocked.

    `payload` is the webhook's v2 Conversation; the reply is read from its embedded threads
    when there, else the conversation is fetched with its threads. `thread_id` None means the
    newest sent agent reply. Safe to run again for the same reply: the check, the incident and
    each action are recorded once. Raises `HelpScoutAPIError` and `AlertDeliveryError` for
    the job to retry.
    """
    conversation = payload
    if conversation is not None and not _is_amazon(conversation, settings):
        return _skipped(conversation_id, "not an Amazon conversation")
    thread = _find_reply(conversation, thread_id) if conversation is not None else None
    if thread is None:
        conversation = client.get_conversation(conversation_id)
        if not _is_amazon(conversation, settings):
            return _skipped(conversation_id, "not an Amazon conversation")
        thread = _find_reply(conversation, thread_id)
    if thread is None:
        return _skipped(conversation_id, f"thread {thread_id or '(newest reply)'} not found")
    reply_id = _thread_id(thread)
    if is_amz_guard_note(thread):
        return _skipped(conversation_id, f"thread {reply_id} is amz-guard's own note")
    if not is_agent_reply(thread) or thread_state(thread) not in _SENT_STATES:
        return _skipped(conversation_id, f"thread {reply_id} is not a sent agent reply")

    ref = conversation_ref({**conversation, "id": conversation_id})
    stored = session.get(Conversation, conversation_id)
    sent_at = thread_created_at(thread) or now
    auto_reply = is_auto_reply(thread_body(thread), settings.auto_reply_markers)
    columns = {}
    if not auto_reply and is_later(
        sent_at, stored.last_agent_reply_at if stored is not None else None
    ):
        columns["last_agent_reply_at"] = sent_at
    store_conversation(session, conversation, ref, now=now, **columns)
    checked = check_thread(
        session,
        conversation_id=conversation_id,
        thread_id=reply_id,
        thread=thread,
        source=CheckSource.REPLY,
        settings=settings,
        now=now,
    )
    store_thread(
        session,
        conversation_id,
        reply_id,
        thread,
        now=now,
        body_hash=checked.body_hash,
        is_auto_reply=auto_reply,
    )
    refresh_clock(session, conversation_id, now=now)  # the reply answers what waited
    session.commit()
    if checked.incident is None:
        return EnforcementOutcome(checked=True, blocked=False)

    incident = checked.incident
    agent_name = thread_author(thread).name
    kinds = sorted(str(kind) for kind in checked.report.kinds())
    actions: list[str] = []

    def note() -> None:
        text = noncompliant_note(checked.report, incident_id=incident.id, agent_name=agent_name)
        client.create_note(conversation_id, text)

    def tag() -> None:
        client.add_tags(conversation_id, [NONCOMPLIANT_TAG])

    def alert() -> bool:
        return send_alert_once(
            session,
            notifier,
            noncompliant_sent_alert(ref, thread_id=reply_id, agent_name=agent_name, kinds=kinds),
            now=now,
        )

    if note_once(session, incident, client, conversation_id, note):
        actions.append(IncidentAction.NOTE.value)
    for action, perform in ((IncidentAction.TAGGED, tag), (IncidentAction.ALERTED, alert)):
        if act_once(session, incident, action, perform):
            actions.append(action.value)
    log.info(
        "conversation %s thread %s: non-compliant reply sent (%s); done now: %s",
        conversation_id,
        reply_id,
        ", ".join(kinds),
        ", ".join(actions) or "nothing (all done before)",
    )
    return EnforcementOutcome(checked=True, blocked=True, actions=actions)


def _is_amazon(conversation: Mapping[str, Any], settings: Settings) -> bool:
    return is_amazon_conversation(conversation, settings.amazon_mailbox_ids)


def _find_reply(conversation: Mapping[str, Any], wanted_id: int | None) -> Mapping[str, Any] | None:
    """The embedded thread `wanted_id`, or (None) the newest sent agent reply; None if absent."""
    threads = [t for t in embedded_threads(conversation) if thread_id(t) is not None]
    if wanted_id is not None:
        return next((t for t in threads if thread_id(t) == wanted_id), None)
    replies = [t for t in threads if is_agent_reply(t) and thread_state(t) in _SENT_STATES]
    if not replies:
        return None
    # Newest by createdAt, then id: Help Scout lists newest first, but this does not rely on it.
    return max(replies, key=lambda t: (str(t.get("createdAt") or ""), _thread_id(t)))


def _thread_id(thread: Mapping[str, Any]) -> int:
    found = thread_id(thread)
    assert found is not None  # threads without an id are filtered out by _find_reply
    return found


def _skipped(conversation_id: int, reason: str) -> EnforcementOutcome:
    log.info("conversation %s: sent reply not checked: %s", conversation_id, reason)
    return EnforcementOutcome(checked=False, blocked=False)

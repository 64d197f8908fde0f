"""The draft scan and Send-Later gate: drafts and scheduled replies of active Amazon
conversations, checked before they go out.

Help Scout sends no webhook for drafts (reference/helpscout.md §1.9), so a pass lists the
active conversations of the Amazon mailboxes changed since the last pass and reads their
threads. A Send Later reply is a draft with a `scheduled` time (§2.10):

- a blocked **Send Later** reply, in gate mode (`ENFORCEMENT_MODE=gate`), has its schedule
  cancelled (`DELETE …/schedule`: it becomes a draft and is not sent), gets a note saying what
  to change and a `[blocked-reply]` alert; in flag mode it is never cancelled, only noted and
  alerted;
- a blocked **draft** gets a note, the tag `amazon-draft-blocked` and a `[draft-flagged]` alert;
- compliant drafts and schedules are left alone.

Once per content: the check is stored per (thread, body hash) and each note and tag is recorded
on its incident, so a second pass over an unchanged draft writes nothing; an edited draft is a
new body, checked and flagged anew. The one exception is the gate itself: a blocked reply seen
scheduled is cancelled every time, even when the same content was cancelled before and the
agent scheduled it again unchanged.

**Watermark.** The pass lists conversations with `modifiedSince` = the newest Help Scout
modification time (`modifiedAt`, else `userUpdatedAt`) stored for an Amazon mailbox's
conversation, minus `OVERLAP` (Help Scout's list may show a change late). Each conversation's
time is stored only after all its threads were handled, and conversations are listed oldest
change first, so a pass that fails part-way resumes where it stopped. Nothing else writes that
column (`stored_conversations`), so the store holds the watermark without a table of its own;
a caller may also pass `since`. A conversation whose stored time equals the listed one was
scanned in that state already and is not read again. No stored time (the first pass) means
every active conversation.

Whether Help Scout bumps a conversation's modification time when an agent saves a draft is
UNCONFIRMED (reference §7.3); if it does not, drafts are seen only when something else changes
the conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpscout_app.alerts.dispatch import send_alert_once
from helpscout_app.alerts.messages import Alert, blocked_reply_alert, draft_flagged_alert
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.enforcement.conversation_ref import ConversationRef, conversation_ref
from helpscout_app.enforcement.incidents import (
    CheckedThread,
    act_once,
    check_thread,
    note_once,
)
from helpscout_app.enforcement.notes import blocked_schedule_note, draft_note
from helpscout_app.enforcement.stored_conversations import store_conversation, store_thread
from helpscout_app.enforcement.threads import (
    ThreadState,
    is_agent_reply,
    parse_timestamp,
    thread_author,
    thread_id,
    thread_state,
)
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.errors import HelpScoutAPIError
from helpscout_app.helpscout.webhook_events import is_amazon_conversation
from helpscout_app.observability import metrics
from helpscout_app.settings import EnforcementMode
from helpscout_app.store.compliance_checks import add_incident_action
from helpscout_app.store.models import (
    CheckSource,
    ComplianceIncident,
    Conversation,
    IncidentAction,
)

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

DRAFT_BLOCKED_TAG = "amazon-draft-blocked"
"""Tag added to a conversation with a non-compliant draft (issue 3)."""

OVERLAP = timedelta(minutes=10)
"""How far before the watermark a pass looks again, for changes Help Scout lists late."""

SCHEDULE_GONE_STATUSES = frozenset({400, 404, 409, 410, 412, 422})
"""Answers to cancelling a schedule that mean it is no longer there to cancel (sent, or
unscheduled in between). Which one Help Scout gives is UNCONFIRMED (client.cancel_schedule)."""

_SOURCE_BY_STATE = {
    ThreadState.DRAFT: CheckSource.DRAFT,
    ThreadState.SCHEDULED: CheckSource.SCHEDULED,
}


@dataclass
class DraftScanResult:
    """What one pass did.

    `conversations_seen`: Amazon conversations listed; `threads_checked`: drafts and Send Later
    replies run through the detector; `schedules_cancelled`: Send Later replies cancelled (gate
    mode); `drafts_flagged`: blocked drafts, and in flag mode blocked Send Later replies, noted
    for the first time; `alerts_sent`: alerts claimed by this pass.
    """

    conversations_seen: int = 0
    threads_checked: int = 0
    schedules_cancelled: int = 0
    drafts_flagged: int = 0
    alerts_sent: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def scan_drafts(
    *,
    client: HelpScoutClient,
    session: Session,
    notifier: SlackNotifier | None,
    settings: Settings,
    now: datetime,
    since: datetime | None = None,
) -> DraftScanResult:
    """One pass over the drafts and Send Later replies of active Amazon conversations.

    `since` overrides the stored watermark (see the module docstring). Commits as it goes.
    Raises `HelpScoutAPIError` and `AlertDeliveryError` for the job to retry; what the pass
    finished before that is recorded and not done again.
    """
    result = DraftScanResult()
    mailbox_ids = tuple(settings.amazon_mailbox_ids)
    if not mailbox_ids:
        log.warning("draft scan: AMAZON_MAILBOX_IDS is empty, so there is nothing to scan")
        return result
    modified_since = since if since is not None else _watermark(session, mailbox_ids)
    session.commit()  # no transaction (SQLite write lock) held across the listing
    log.info(
        "draft scan: mailboxes %s, changed since %s",
        ",".join(map(str, mailbox_ids)),
        modified_since.isoformat() if modified_since else "ever",
    )
    conversations = client.list_conversations(
        mailbox=mailbox_ids,
        status="active",
        modified_since=modified_since,
        sort_field="modifiedAt",
        sort_order="asc",
    )
    for conversation in conversations:
        if not is_amazon_conversation(conversation, mailbox_ids):
            continue
        result.conversations_seen += 1
        _scan_conversation(client, session, notifier, settings, conversation, result, now)
    log.info("draft scan done: %s", result.to_dict())
    return result


def _watermark(session: Session, mailbox_ids: tuple[int, ...]) -> datetime | None:
    """The newest modification time stored for the mailboxes' conversations, minus OVERLAP."""
    newest = session.scalar(
        select(func.max(Conversation.modified_at)).where(
            Conversation.mailbox_id.in_(mailbox_ids), Conversation.is_amazon.is_(True)
        )
    )
    if newest is None:
        return None
    return newest - OVERLAP


def _scan_conversation(
    client: HelpScoutClient,
    session: Session,
    notifier: SlackNotifier | None,
    settings: Settings,
    conversation: Mapping[str, Any],
    result: DraftScanResult,
    now: datetime,
) -> None:
    """Check every draft and Send Later reply of one conversation, then store its time."""
    ref = conversation_ref(conversation)
    modified_at = _modified_at(conversation)
    stored = session.get(Conversation, ref.conversation_id)
    if stored is not None and modified_at is not None and stored.modified_at == modified_at:
        session.commit()
        return  # scanned in this very state by an earlier pass
    store_conversation(session, conversation, ref, now=now)
    session.commit()
    threads = list(client.list_threads(ref.conversation_id))
    for thread in threads:
        state = thread_state(thread)
        draft_id = thread_id(thread)
        if state not in _SOURCE_BY_STATE or draft_id is None or not is_agent_reply(thread):
            continue
        checked = check_thread(
            session,
            conversation_id=ref.conversation_id,
            thread_id=draft_id,
            thread=thread,
            source=_SOURCE_BY_STATE[state],
            settings=settings,
            now=now,
        )
        store_thread(
            session, ref.conversation_id, draft_id, thread, now=now, body_hash=checked.body_hash
        )
        session.commit()
        result.threads_checked += 1
        if checked.incident is None:
            continue
        handling = _BlockedDraft(
            client, session, notifier, ref, draft_id, thread, checked, now, threads
        )
        if state is ThreadState.SCHEDULED:
            handling.block_schedule(settings.enforcement_mode, result)
        else:
            handling.flag_draft(result)
    if modified_at is not None:
        store_conversation(session, conversation, ref, now=now, modified_at=modified_at)
    session.commit()


@dataclass
class _BlockedDraft:
    """What is done about one blocked draft or Send Later reply."""

    client: HelpScoutClient
    session: Session
    notifier: SlackNotifier | None
    conversation: ConversationRef
    thread_id: int
    thread: Mapping[str, Any]
    checked: CheckedThread
    now: datetime
    listed_threads: list[Mapping[str, Any]]
    """The conversation's threads as this pass listed them, the note among them if an earlier
    attempt posted it."""

    @property
    def incident(self) -> ComplianceIncident:
        assert self.checked.incident is not None
        return self.checked.incident

    @property
    def agent_name(self) -> str | None:
        return thread_author(self.thread).name

    @property
    def kinds(self) -> list[str]:
        return sorted(str(kind) for kind in self.checked.report.kinds())

    def block_schedule(self, mode: EnforcementMode, result: DraftScanResult) -> None:
        """Gate mode: cancel (every time), note once, alert once; flag mode: note and alert."""
        cancelled = False
        if mode is EnforcementMode.GATE:
            cancelled = self._cancel_schedule()
            if not cancelled:
                return  # no longer scheduled: the next pass sees what it became
            result.schedules_cancelled += 1
        report, agent_name = self.checked.report, self.agent_name

        def note() -> None:
            text = blocked_schedule_note(
                report, incident_id=self.incident.id, cancelled=cancelled, agent_name=agent_name
            )
            self.client.create_note(self.conversation.conversation_id, text)

        if self._note_once(note) and not cancelled:
            result.drafts_flagged += 1
        alert = blocked_reply_alert(
            self.conversation,
            thread_id=self.thread_id,
            agent_name=agent_name,
            kinds=self.kinds,
            cancelled=cancelled,
            body_hash=self.checked.body_hash,
        )
        self._alert(alert, result)

    def _note_once(self, note: Callable[[], None]) -> bool:
        return note_once(
            self.session,
            self.incident,
            self.client,
            self.conversation.conversation_id,
            note,
            listed_threads=self.listed_threads,
        )

    def flag_draft(self, result: DraftScanResult) -> None:
        """Note once, tag once, alert once per content."""
        report, agent_name = self.checked.report, self.agent_name
        conversation_id = self.conversation.conversation_id

        def note() -> None:
            text = draft_note(report, incident_id=self.incident.id, agent_name=agent_name)
            self.client.create_note(conversation_id, text)

        def tag() -> None:
            self.client.add_tags(conversation_id, [DRAFT_BLOCKED_TAG])

        def alert() -> None:
            flagged = draft_flagged_alert(
                self.conversation,
                thread_id=self.thread_id,
                body_hash=self.checked.body_hash,
                agent_name=agent_name,
                kinds=self.kinds,
            )
            if send_alert_once(self.session, self.notifier, flagged, now=self.now):
                result.alerts_sent += 1

        if self._note_once(note):
            result.drafts_flagged += 1
        act_once(self.session, self.incident, IncidentAction.TAGGED, tag)
        # Not when this content was alerted already: a Send Later reply the gate turned back
        # into a draft has had its [blocked-reply] alert.
        act_once(self.session, self.incident, IncidentAction.ALERTED, alert)

    def _cancel_schedule(self) -> bool:
        """Cancel the Send Later reply; False when Help Scout says it is no longer scheduled."""
        conversation_id = self.conversation.conversation_id
        try:
            self.client.cancel_schedule(conversation_id, self.thread_id)
        except HelpScoutAPIError as err:
            if err.status not in SCHEDULE_GONE_STATUSES:
                raise
            log.warning(
                "conversation %s thread %s: could not cancel the Send Later reply, it is no "
                "longer scheduled (%s)",
                conversation_id,
                self.thread_id,
                err,
            )
            return False
        add_incident_action(self.session, self.incident, IncidentAction.SCHEDULE_CANCELLED)
        self.session.commit()
        metrics.count_schedule_cancelled()
        log.info(
            "conversation %s thread %s: Send Later reply cancelled (%s)",
            conversation_id,
            self.thread_id,
            ", ".join(self.kinds),
        )
        return True

    def _alert(self, alert: Alert, result: DraftScanResult) -> None:
        """Send a [blocked-reply] alert once per its key, even when the same content was
        alerted as a draft (being scheduled is a new fact), and record it on the incident."""
        if send_alert_once(self.session, self.notifier, alert, now=self.now):
            result.alerts_sent += 1
        add_incident_action(self.session, self.incident, IncidentAction.ALERTED)
        self.session.commit()


def _modified_at(conversation: Mapping[str, Any]) -> datetime | None:
    """Help Scout's modification time of a listed conversation: `modifiedAt` when it sends
    one, else `userUpdatedAt` (the v2 object's documented field, reference §1.7)."""
    return parse_timestamp(conversation.get("modifiedAt")) or parse_timestamp(
        conversation.get("userUpdatedAt")
    )

"""The Help Scout side: the Amazon mailboxes' conversations and their threads, brought into the
store incrementally, so the clock and the matching see what webhooks may have missed.

A pass lists the conversations of `AMAZON_MAILBOX_IDS` changed since the stored watermark
minus `OVERLAP` (Help Scout may list a change late), every status, oldest change first, with
their threads embedded: one request per page of 25 conversations, however many threads they
have. Each batch of conversations is written with a few bulk statements, their clocks worked
out from the threads just listed, and the watermark moved to the batch's newest change in the
same transaction, so a pass that fails part-way resumes after the last batch it stored. The
first pass reads back `RECONCILE_LOOKBACK_DAYS`.

The sync keeps its own watermark (a `sync_cursors` row), apart from the draft scan's, which
lives in `conversations.modified_at`: this module never writes that column.

Merges: threads that move to another conversation take their clock along; the conversation
left without threads is marked `merged` and its clock stops.

Tags: a conversation that gains the tag `nrn-done` has "No response needed" recorded at the
time of the pass (`no_response_needed`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.amazon.marketplaces import marketplace_by_tld
from helpscout_app.amazon.relay_address import RelayAddress, parse_relay_address
from helpscout_app.enforcement.conversation_ref import ConversationRef, conversation_ref
from helpscout_app.enforcement.threads import (
    parse_timestamp,
    scheduled_for,
    thread_author,
    thread_body,
    thread_created_at,
)
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.webhook_events import (
    embedded_threads,
    is_amazon_conversation,
    positive_int,
)
from helpscout_app.reconciliation.auto_replies import is_auto_reply
from helpscout_app.reconciliation.clock import (
    AGENT_REPLY_TYPES,
    MERGED_STATUS,
    clock_columns,
    clock_from_threads,
    refresh_clock,
    stop_clock,
)
from helpscout_app.reconciliation.no_response_needed import NRN_TAG_MARKER, tag_newly_marks
from helpscout_app.store.cursors import read_cursor, write_cursor
from helpscout_app.store.models import Conversation, Thread
from helpscout_app.store.statements import upsert_many

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

SYNC_CURSOR = "helpscout-sync"
OVERLAP = timedelta(minutes=10)
BATCH_SIZE = 250
"""Conversations per transaction: ten of Help Scout's pages."""

_ID_CHUNK = 500
"""Ids per IN (…) query: well under every backend's parameter limit."""

_CONVERSATION_COLUMNS = (
    "number",
    "mailbox_id",
    "status",
    "customer_email",
    "relay_base_address",
    "is_amazon",
    "subject",
    "order_ids",
    "marketplace",
    "tags",
    "closed_at",
    "waiting_since",
    "waiting_thread_id",
    "due_at",
    "last_customer_message_at",
    "last_agent_reply_at",
    "nrn_marked_at",
    "nrn_marked_by",
    "updated_at",
)
_THREAD_COLUMNS = (
    "conversation_id",
    "type",
    "state",
    "created_by_kind",
    "created_by_user_id",
    "created_by_name",
    "created_at",
    "scheduled_for",
    "is_auto_reply",
    "updated_at",
)


@dataclass
class SyncResult:
    """What one sync did: conversations and threads stored, and the watermark it reached."""

    conversations: int = 0
    threads: int = 0
    watermark: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        facts = asdict(self)
        facts["watermark"] = self.watermark.isoformat() if self.watermark else None
        return facts


@dataclass(frozen=True)
class SyncedThread:
    """A thread as the sync stores it (the `Thread` columns it writes)."""

    id: int
    conversation_id: int
    type: str
    state: str | None
    created_by_kind: str | None
    created_by_user_id: int | None
    created_by_name: str | None
    created_at: datetime | None
    scheduled_for: datetime | None
    is_auto_reply: bool
    buyer_sent_at: datetime | None = None  # the stored one (matching writes it, not the sync)


def sync_conversations(
    client: HelpScoutClient,
    session: Session,
    settings: Settings,
    *,
    now: datetime,
    since: datetime | None = None,
) -> SyncResult:
    """Bring the Amazon mailboxes' conversations changed since the watermark into the store.

    `since` overrides the watermark. Commits per batch. Raises `HelpScoutAPIError` (the job
    retries; the batches stored so far stay stored).
    """
    result = SyncResult()
    mailbox_ids = tuple(settings.amazon_mailbox_ids)
    if not mailbox_ids:
        log.warning(
            "Help Scout sync: AMAZON_MAILBOX_IDS is empty, so there is nothing to sync and no "
            "message is declared missing"
        )
        return result
    if since is None:
        since = _watermark(session, now - timedelta(days=settings.reconcile_lookback_days))
    session.commit()  # no transaction held while Help Scout answers
    start = since
    seen: dict[int, datetime | None] = {}  # conversation id: the change time it was stored at
    pending: list[Mapping[str, Any]] = []
    page = 1
    while True:
        items, total_pages = client.conversations_page(
            page,
            mailbox=mailbox_ids,
            status="all",
            modified_since=since,
            embed_threads=True,
            sort_field="modifiedAt",
            sort_order="asc",
        )
        for conversation in items:
            conversation_id, changed_at = (
                positive_int(conversation.get("id")),
                _changed_at(conversation),
            )
            if conversation_id is None or (
                conversation_id in seen and seen[conversation_id] == changed_at
            ):
                continue  # listed again by the moved filter, unchanged
            seen[conversation_id] = changed_at
            pending.append(conversation)
        if len(pending) >= BATCH_SIZE:
            _store(session, pending, settings, now, result)
            pending = []
        if not items or page >= total_pages:
            break
        # Ask again from the newest change listed (a second early: the filter's bound may be
        # exclusive), not for the next page: a conversation changed meanwhile moves to the end
        # of the list, and would shift the next page past one it has not shown.
        times = [time for time in map(_changed_at, items) if time is not None]
        if times and min(times) < max(times) and max(times) - timedelta(seconds=1) > since:
            since, page = max(times) - timedelta(seconds=1), 1
        else:
            page += 1  # a whole page changed within one second: only the next page moves on
    _store(session, pending, settings, now, result)
    log.info("Help Scout sync since %s: %s", start.isoformat(), result.to_dict())
    return result


def _store(
    session: Session,
    conversations: Sequence[Mapping[str, Any]],
    settings: Settings,
    now: datetime,
    result: SyncResult,
) -> None:
    """Store a batch and move the watermark to its newest change, in one transaction."""
    if not conversations:
        return
    mailbox_ids = tuple(settings.amazon_mailbox_ids)
    amazon = [c for c in conversations if is_amazon_conversation(c, mailbox_ids)]
    result.threads += _store_batch(session, amazon, settings, now)
    result.conversations += len(amazon)
    newest = max(filter(None, map(_changed_at, conversations)), default=None)
    if newest is not None and (result.watermark is None or newest > result.watermark):
        result.watermark = newest
        write_cursor(session, SYNC_CURSOR, newest.isoformat(), now=now)
    session.commit()


def _watermark(session: Session, first_pass_since: datetime) -> datetime:
    stored = read_cursor(session, SYNC_CURSOR)
    watermark = parse_timestamp(stored) if stored else None
    return watermark - OVERLAP if watermark is not None else first_pass_since


def _store_batch(
    session: Session, conversations: Sequence[Mapping[str, Any]], settings: Settings, now: datetime
) -> int:
    """Write a batch's conversations and threads; returns the number of threads written."""
    if not conversations:
        return 0
    ids = [positive_int(c.get("id")) for c in conversations]
    stored = {
        row.id: row
        for row in session.scalars(
            select(Conversation).where(Conversation.id.in_([i for i in ids if i is not None]))
        )
    }
    listed: list[tuple[Mapping[str, Any], ConversationRef, list[SyncedThread]]] = []
    for payload in conversations:
        try:
            ref = conversation_ref(payload)
        except ValueError:
            log.warning("Help Scout listed a conversation without an id; skipped")
            continue
        listed.append(
            (payload, ref, _threads(ref.conversation_id, payload, settings.auto_reply_markers))
        )
    sent_at = _buyer_sent_at(session, [thread.id for _, _, threads in listed for thread in threads])
    conversation_rows: list[dict[str, Any]] = []
    thread_rows: list[dict[str, Any]] = []
    for payload, ref, listed_threads in listed:
        threads = [
            replace(thread, buyer_sent_at=sent_at[thread.id]) if thread.id in sent_at else thread
            for thread in listed_threads
        ]
        conversation_rows.append(
            _conversation_row(payload, ref, threads, stored.get(ref.conversation_id), now)
        )
        thread_rows += [{**vars(thread), "updated_at": now} for thread in threads]
    upsert_many(
        session,
        Conversation,
        [{"id": row_id, **row} for row_id, row in ((r.pop("id"), r) for r in conversation_rows)],
        unique_columns=("id",),
        update_columns=_CONVERSATION_COLUMNS,
    )
    moved_from = _conversations_losing_threads(session, thread_rows)
    upsert_many(
        session, Thread, thread_rows, unique_columns=("id",), update_columns=_THREAD_COLUMNS
    )
    for conversation_id in moved_from:
        _after_merge(session, conversation_id, now)
    return len(thread_rows)


def _buyer_sent_at(session: Session, thread_ids: Sequence[int]) -> dict[int, datetime]:
    """The stored `buyer_sent_at` of those of `thread_ids` that have one, for their clocks."""
    found: dict[int, datetime] = {}
    for start in range(0, len(thread_ids), _ID_CHUNK):
        chunk = thread_ids[start : start + _ID_CHUNK]
        for thread_id, buyer_sent_at in session.execute(
            select(Thread.id, Thread.buyer_sent_at).where(
                Thread.id.in_(chunk), Thread.buyer_sent_at.is_not(None)
            )
        ):
            found[thread_id] = buyer_sent_at
    return found


def _conversations_losing_threads(
    session: Session, thread_rows: Sequence[Mapping[str, Any]]
) -> set[int]:
    """Stored conversations whose threads the batch moves elsewhere (Help Scout's merge)."""
    new_home = {row["id"]: row["conversation_id"] for row in thread_rows}
    if not new_home:
        return set()
    stored = session.execute(
        select(Thread.id, Thread.conversation_id).where(Thread.id.in_(list(new_home)))
    ).all()
    return {
        conversation_id
        for thread_id, conversation_id in stored
        if conversation_id != new_home[thread_id]
    }


def _after_merge(session: Session, conversation_id: int, now: datetime) -> None:
    """A conversation merged into another: with no thread left it is gone from Help Scout and
    its clock stops (the target's clock has its messages); otherwise its clock is redone."""
    has_threads = session.scalar(
        select(Thread.id).where(Thread.conversation_id == conversation_id).limit(1)
    )
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return
    if has_threads is None:
        stop_clock(conversation, MERGED_STATUS)
        log.info("conversation %s was merged into another; its clock stops", conversation_id)
    else:
        refresh_clock(session, conversation_id, now=now)


def _threads(
    conversation_id: int, payload: Mapping[str, Any], auto_reply_markers: Sequence[str]
) -> list[SyncedThread]:
    threads: list[SyncedThread] = []
    for thread in embedded_threads(payload):
        thread_id = positive_int(thread.get("id"))
        if thread_id is None:
            continue
        author = thread_author(thread)
        thread_type = thread.get("type") if isinstance(thread.get("type"), str) else "unknown"
        state = thread.get("state") if isinstance(thread.get("state"), str) else None
        threads.append(
            SyncedThread(
                id=thread_id,
                conversation_id=conversation_id,
                type=thread_type,
                state=state,
                created_by_kind=author.kind,
                created_by_user_id=author.user_id,
                created_by_name=author.name,
                created_at=thread_created_at(thread),
                scheduled_for=scheduled_for(thread),
                is_auto_reply=thread_type in AGENT_REPLY_TYPES
                and is_auto_reply(thread_body(thread), auto_reply_markers),
            )
        )
    return threads


def _conversation_row(
    payload: Mapping[str, Any],
    ref: ConversationRef,
    threads: Sequence[SyncedThread],
    stored: Conversation | None,
    now: datetime,
) -> dict[str, Any]:
    """The conversation's columns: its facts, its tags and "No response needed", its clock."""
    tags = _tags(payload)
    known_orders = list(stored.order_ids or []) if stored is not None else []
    relay = parse_relay_address(ref.customer_email)
    nrn_marked_at = stored.nrn_marked_at if stored is not None else None
    nrn_marked_by = stored.nrn_marked_by if stored is not None else None
    clock_inputs = {
        # Times a webhook recorded without a thread; the listed threads supersede them.
        "last_customer_message_at": stored.last_customer_message_at if stored else None,
        "last_agent_reply_at": stored.last_agent_reply_at if stored else None,
    }
    clock = clock_from_threads(threads, nrn_marked_at=nrn_marked_at, now=now, **clock_inputs)
    tag_is_new = tag_newly_marks(stored.tags if stored is not None else None, tags)
    if tag_is_new and clock.waiting_since is not None:
        nrn_marked_at, nrn_marked_by = now, NRN_TAG_MARKER
        clock = clock_from_threads(threads, nrn_marked_at=nrn_marked_at, now=now, **clock_inputs)
    columns = clock_columns(clock)
    for name in ("last_customer_message_at", "last_agent_reply_at"):
        columns[name] = columns[name] or clock_inputs[name]
    return {
        "id": ref.conversation_id,
        "number": ref.conversation_number,
        "mailbox_id": ref.mailbox_id,
        "status": payload.get("status") if isinstance(payload.get("status"), str) else None,
        "customer_email": ref.customer_email,
        "relay_base_address": relay.buyer_address if relay is not None else None,
        "is_amazon": True,
        "subject": ref.subject,
        "order_ids": [*known_orders, *(o for o in ref.order_ids if o not in known_orders)],
        "marketplace": _marketplace(relay),
        "tags": tags,
        "closed_at": parse_timestamp(payload.get("closedAt")),
        **columns,
        "nrn_marked_at": nrn_marked_at,
        "nrn_marked_by": nrn_marked_by,
        "updated_at": now,
    }


def _marketplace(relay: RelayAddress | None) -> str | None:
    """The marketplace's ID (as SP-API spells it), from the relay address's domain."""
    marketplace = marketplace_by_tld(relay.tld) if relay is not None else None
    return marketplace.marketplace_id if marketplace is not None else None


def _tags(payload: Mapping[str, Any]) -> list[str]:
    tags = payload.get("tags")
    if not isinstance(tags, list):
        return []
    return [t["tag"] for t in tags if isinstance(t, Mapping) and isinstance(t.get("tag"), str)]


def _changed_at(conversation: Mapping[str, Any]) -> datetime | None:
    """When Help Scout last changed the conversation: `modifiedAt` when the list gives it;
    else the latest of `userUpdatedAt`, `closedAt` and its threads' `createdAt` (a buyer's
    message moves no `userUpdatedAt`), which is never later than Help Scout's own time."""
    modified_at = parse_timestamp(conversation.get("modifiedAt"))
    if modified_at is not None:
        return modified_at
    times = [
        parse_timestamp(conversation.get("userUpdatedAt")),
        parse_timestamp(conversation.get("closedAt")),
        *(thread_created_at(thread) for thread in embedded_threads(conversation)),
    ]
    return max(filter(None, times), default=None)

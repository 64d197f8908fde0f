"""Reading Help Scout threads: body, state (published, draft, Send Later), attachments, author.

A thread is the v2 thread object (reference/helpscout.md §2.6), embedded in a conversation or
listed by `list_threads`. Help Scout's vocabularies are open, so anything unexpected reads as
"unknown" or None rather than raising.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from helpscout_app.helpscout.webhook_events import AGENT_REPLY_THREAD_TYPES, positive_int

NOTE_THREAD_TYPE = "note"


class ThreadState(StrEnum):
    """Where a thread stands, as far as going out to the customer is concerned."""

    PUBLISHED = "published"  # sent (a reply) or posted (a note)
    DRAFT = "draft"  # saved, not sent
    SCHEDULED = "scheduled"  # a draft with a Send Later time: goes out unless cancelled
    UNDER_REVIEW = "underreview"  # held by Collision Detection until the agent confirms
    HIDDEN = "hidden"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ThreadAuthor:
    """Who wrote a thread: `kind` is Help Scout's `createdBy.type` ("user", "customer", …)."""

    kind: str | None
    user_id: int | None  # the Help Scout user id, for users only
    name: str | None


def thread_id(thread: Mapping[str, Any]) -> int | None:
    """The thread's id, or None when it has none."""
    return positive_int(thread.get("id"))


def thread_body(thread: Mapping[str, Any]) -> str:
    """The thread's body as Help Scout stores it: HTML for replies and drafts; "" when absent."""
    body = thread.get("body")
    return body if isinstance(body, str) else ""


def thread_state(thread: Mapping[str, Any]) -> ThreadState:
    """The thread's state; a draft with `scheduled.scheduledFor` is SCHEDULED (Send Later).

    Help Scout keeps a Send Later reply as `state: draft` plus a `scheduled` object until it
    goes out (reference §2.10); the legacy spelling "underReview" is read too.
    """
    state = thread.get("state")
    state = state.casefold() if isinstance(state, str) else ""
    if state == ThreadState.DRAFT:
        return ThreadState.SCHEDULED if scheduled_for(thread) is not None else ThreadState.DRAFT
    try:
        return ThreadState(state)
    except ValueError:
        return ThreadState.UNKNOWN


def scheduled_for(thread: Mapping[str, Any]) -> datetime | None:
    """When a Send Later reply goes out (`scheduled.scheduledFor`), or None if not scheduled."""
    scheduled = thread.get("scheduled")
    if not isinstance(scheduled, Mapping):
        return None
    return parse_timestamp(scheduled.get("scheduledFor"))


def thread_created_at(thread: Mapping[str, Any]) -> datetime | None:
    """When the thread was created (`createdAt`), aware UTC, or None."""
    return parse_timestamp(thread.get("createdAt"))


def attachment_names(thread: Mapping[str, Any]) -> list[str]:
    """The file names of the thread's attachments (`_embedded.attachments[].filename`)."""
    embedded = thread.get("_embedded")
    attachments = embedded.get("attachments") if isinstance(embedded, Mapping) else None
    if not isinstance(attachments, list):
        return []
    names = []
    for attachment in attachments:
        if isinstance(attachment, Mapping):
            name = attachment.get("filename") or attachment.get("fileName")
            if isinstance(name, str) and name.strip():
                names.append(name)
    return names


def thread_author(thread: Mapping[str, Any]) -> ThreadAuthor:
    """Who wrote the thread, from `createdBy` (name from first and last, else the email)."""
    creator = thread.get("createdBy")
    if not isinstance(creator, Mapping):
        return ThreadAuthor(kind=None, user_id=None, name=None)
    kind = creator.get("type") if isinstance(creator.get("type"), str) else None
    parts = [creator.get(key) for key in ("first", "last")]
    name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    if not name and isinstance(creator.get("email"), str):
        name = creator["email"]
    return ThreadAuthor(
        kind=kind,
        user_id=positive_int(creator.get("id")) if kind == "user" else None,
        name=name or None,
    )


def is_note(thread: Mapping[str, Any]) -> bool:
    """True for a private note (never seen by the customer)."""
    return thread.get("type") == NOTE_THREAD_TYPE


def is_agent_reply(thread: Mapping[str, Any]) -> bool:
    """True when the thread is an agent's reply to the customer, sent or not.

    Thread type `message` (or `reply`, reference §2.6), written by a user: customer messages,
    notes, forwards, chats and activity lines are not.
    """
    if thread.get("type") not in AGENT_REPLY_THREAD_TYPES:
        return False
    return thread_author(thread).kind in ("user", None)


def parse_timestamp(value: object) -> datetime | None:
    """An ISO-8601 timestamp as Help Scout sends it (`2026-11-20T10:02:41Z`), aware UTC; None
    when missing or unreadable. A timestamp without a zone is taken as UTC, Help Scout's zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

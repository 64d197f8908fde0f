"""Reading the independent copy of Amazon's notification emails into the store.

Each pass asks the source (`AMAZON_NOTIFICATIONS_URL`) for what it has not handed over under
the stored cursor, stores every message once (its Message-ID is the key), and stores the new
cursor in the same transaction: a pass that fails part-way reads the same messages again and
finds them stored. The source itself is never changed.

A message that cannot be parsed is stored too, with `parse_error` saying why and `source_id`
saying where it lies in the mailbox, and counted in the pass's `unparseable`: nothing is dropped
unseen. A message parsed but with no time of its own (neither a readable Date nor a Received
hop) is dated when it was read, the pass's `now`, and counted in `undated` with a warning:
matching and the missing-message check skip a notification without a time, so without a date
such a buyer message would be neither matched nor alerted. The time read can be later than the
real one (a first read of an old mailbox), so a `[missing]` alert on it may be a false alarm;
the warning names the message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import repeat
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from helpscout_app.amazon.errors import NotificationSourceError, UnparseableNotification
from helpscout_app.amazon.notification_email import (
    Notification,
    NotificationKind,
    parse_notification,
)
from helpscout_app.amazon.notification_sources import FetchedMessage, NotificationSource
from helpscout_app.store.cursors import read_cursor, write_cursor
from helpscout_app.store.models import AmazonNotification
from helpscout_app.store.statements import insert_many_unless_present

log = logging.getLogger(__name__)

CURSOR_PREFIX = "amazon-notifications:"

FETCH_LIMIT = 2000
"""Messages read from the mailbox at a time, each read stored with its cursor: a first read of
a large mailbox neither holds it all in memory nor starts over after a failure."""

PARALLEL_FROM = 200
"""Messages from which parsing is shared among processes; fewer are quicker parsed here."""
MAX_PARSE_PROCESSES = 4
PARSE_CHUNK = 100

_NO_FACTS: dict[str, Any] = {
    "order_ids": [],
    "relay_address": None,
    "relay_base_address": None,
    "buyer_name": None,
    "marketplace": None,
    "subject": None,
    "received_at": None,
    "no_response_needed_url": None,
    "case_id": None,
}
"""The columns of a message that could not be parsed: every row of one insert names the same."""

_MAX_ERROR_LENGTH = 500
_INSERT_CHUNK = 500


@dataclass
class IngestResult:
    """What one read of the source did: messages handed over, newly stored, unparseable, and
    dated when read for want of a Date or Received time."""

    fetched: int = 0
    stored: int = 0
    unparseable: int = 0
    undated: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def cursor_name(source_url: str) -> str:
    """The cursor's name for a source: its URL without the credentials, so pointing the
    setting at another mailbox starts from that mailbox's beginning."""
    parts = urlsplit(source_url)
    if parts.scheme == "maildir":
        return f"{CURSOR_PREFIX}maildir:{parts.path}"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{CURSOR_PREFIX}{parts.scheme}://{user}{parts.hostname}{port}{parts.path}"


def ingest_notifications(
    session: Session, source: NotificationSource, *, cursor: str, now: datetime
) -> IngestResult:
    """Store what the source has that the cursor `cursor` (a `cursor_name`) has not seen.

    Reads `FETCH_LIMIT` messages at a time, committing each read with its cursor; while a large
    read is parsed in worker processes, the next one is read from the mailbox. Raises
    `NotificationSourceError` when the source cannot be read; what was read before stays
    stored, and the stored cursor says how far.
    """
    result = IngestResult()
    position = read_cursor(session, cursor)
    session.commit()  # no transaction held while the mailbox is read
    messages, new_cursor = source.fetch_new(position, limit=FETCH_LIMIT)
    with _Parsing(now) as parsing:
        while True:
            rows = parsing.start(messages)
            following = _Following(source, new_cursor) if len(messages) >= FETCH_LIMIT else None
            _store_messages(session, messages, rows, result)
            write_cursor(session, cursor, new_cursor, now=now)
            session.commit()
            if following is None:
                break
            messages, new_cursor = following.messages()
    log.info("notifications read: %s", result.to_dict())
    return result


class _Following:
    """The next read of the source, made before the current one is stored; a failure is kept
    and raised after the current read is stored, so it is not lost with it."""

    def __init__(self, source: NotificationSource, cursor: str) -> None:
        self._error: NotificationSourceError | None = None
        self._read: tuple[list[FetchedMessage], str] = ([], cursor)
        try:
            self._read = source.fetch_new(cursor, limit=FETCH_LIMIT)
        except NotificationSourceError as err:
            self._error = err

    def messages(self) -> tuple[list[FetchedMessage], str]:
        if self._error is not None:
            raise self._error
        return self._read


def _store_messages(
    session: Session,
    messages: list[FetchedMessage],
    rows: Iterable[dict[str, Any]],
    result: IngestResult,
) -> None:
    """Insert one read's parsed rows, each message once. The caller commits."""
    unique: dict[str, dict[str, Any]] = {}
    for message, row in zip(messages, rows, strict=True):
        result.fetched += 1
        if row["parse_error"] is not None:
            result.unparseable += 1
            log.warning(
                "notification %s (%s) could not be parsed, kept for review: %s",
                row["message_id"],
                message.source_id,
                row["parse_error"],
            )
        elif row["received_at"] is None:
            row = _dated_when_read(row, message)
            result.undated += 1
        unique.setdefault(row["message_id"], row)  # a message filed twice in the mailbox
    for start in range(0, len(unique), _INSERT_CHUNK):
        chunk = list(unique.values())[start : start + _INSERT_CHUNK]
        result.stored += len(
            insert_many_unless_present(
                session, AmazonNotification, chunk, unique_columns=("message_id",)
            )
        )


def _dated_when_read(row: dict[str, Any], message: FetchedMessage) -> dict[str, Any]:
    """The row of a message with no Date or Received time, dated when it was read (the module's
    docstring says why), with a warning naming it."""
    log.warning(
        "notification %s (%s, %s) has no Date or Received time: dated when read, %s",
        row["message_id"],
        row["kind"],
        message.source_id,
        row["recorded_at"].isoformat(),
    )
    return {**row, "received_at": row["recorded_at"]}


class _Parsing:
    """Parses the reads of one ingest: a large read in worker processes (a first read of a
    large mailbox is mostly parsing), started at once and collected when stored, so the
    mailbox is read meanwhile; a small read here, where starting processes would cost more.
    One pool serves every read of the ingest."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Parsing:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def start(self, messages: list[FetchedMessage]) -> Iterable[dict[str, Any]]:
        """The rows of `messages`, in order; computed by the time they are iterated."""
        workers = min(MAX_PARSE_PROCESSES, os.cpu_count() or 1)
        if len(messages) < PARALLEL_FROM or workers < 2:
            return [_row(message, self.now) for message in messages]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=workers)
        return self._pool.map(_row, messages, repeat(self.now), chunksize=PARSE_CHUNK)


def _parse_all(messages: list[FetchedMessage], now: datetime) -> list[dict[str, Any]]:
    """The rows of `messages`, parsed as one ingest's read would be."""
    with _Parsing(now) as parsing:
        return list(parsing.start(messages))


def _row(message: FetchedMessage, now: datetime) -> dict[str, Any]:
    """The `amazon_notifications` row for a fetched message, parsed or not."""
    try:
        notification = parse_notification(message.raw)
    except UnparseableNotification as err:
        return {
            **_NO_FACTS,
            "message_id": err.message_id[:998],
            "kind": NotificationKind.OTHER.value,
            "source_id": message.source_id,
            "parse_error": err.reason[:_MAX_ERROR_LENGTH],
            "recorded_at": now,
        }
    return {
        **notification_columns(notification),
        "source_id": message.source_id,
        "recorded_at": now,
    }


def notification_columns(notification: Notification) -> dict[str, Any]:
    """The stored facts of a parsed notification (not the buyer's text: bodies stay out)."""
    return {
        "message_id": notification.message_id[:998],
        "kind": notification.kind.value,
        "order_ids": list(notification.order_ids),
        "relay_address": notification.relay_address,
        "relay_base_address": notification.relay_base_address,
        "buyer_name": (notification.buyer_name or "")[:255] or None,
        "marketplace": notification.marketplace.marketplace_id
        if notification.marketplace
        else None,
        "subject": notification.subject,
        "received_at": notification.received_at,
        "no_response_needed_url": notification.no_response_needed_url,
        "case_id": (notification.case_id or "")[:64] or None,
        "parse_error": None,
    }

"""Reading the notification mailbox into the store: once per message, cursor kept, unparseable
messages kept and counted, a large first read parsed in worker processes alike."""

from __future__ import annotations

import mailbox
from pathlib import Path
from typing import Any

import pytest
from reconciliation_times import at
from reconciliation_world import AmazonMailbox
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.amazon.errors import NotificationSourceError
from helpscout_app.amazon.notification_sources import FetchedMessage, open_source
from helpscout_app.reconciliation import notifications
from helpscout_app.reconciliation.notifications import cursor_name, ingest_notifications
from helpscout_app.store.models import AmazonNotification


def test_each_message_is_stored_once_and_an_unparseable_one_is_kept(
    store_session: Session, tmp_path: Path
) -> None:
    box = mailbox.Maildir(tmp_path / "amazon", create=True)
    for hours in (0, 1):
        box.add(
            AmazonMailbox.notification(
                alias="aa1bb2cc3dd4ee5", order="112-0000000-0000001", at=at(hours)
            )[1]
        )
    box.add(b"\r\n\r\n")  # cut off before its headers
    source = open_source(f"maildir:{tmp_path / 'amazon'}")
    cursor = cursor_name(f"maildir:{tmp_path / 'amazon'}")

    first = ingest_notifications(store_session, source, cursor=cursor, now=at(2))
    second = ingest_notifications(store_session, source, cursor=cursor, now=at(3))

    assert (first.fetched, first.stored, first.unparseable) == (3, 3, 1)
    assert (second.fetched, second.stored) == (0, 0)
    rows = store_session.scalars(select(AmazonNotification).order_by(AmazonNotification.id)).all()
    assert [row.kind for row in rows].count("buyer_message") == 2
    [broken] = [row for row in rows if row.parse_error]
    assert broken.kind == "other" and broken.source_id and broken.source_id.startswith("maildir:")


def test_a_message_without_date_or_received_is_dated_when_read_and_reported(
    store_session: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Matching and the missing check skip a notification without a time: left undated, this
    # buyer message would never be matched nor alerted, and nothing would say so.
    box = mailbox.Maildir(tmp_path / "amazon", create=True)
    unique, raw = AmazonMailbox.notification(
        alias="aa1bb2cc3dd4ee5", order="112-0000000-0000001", at=at(0)
    )
    box.add(AmazonMailbox.undated(raw))
    source = open_source(f"maildir:{tmp_path / 'amazon'}")

    result = ingest_notifications(
        store_session, source, cursor=cursor_name(f"maildir:{tmp_path / 'amazon'}"), now=at(2)
    )

    assert (result.fetched, result.stored, result.unparseable, result.undated) == (1, 1, 0, 1)
    [row] = store_session.scalars(select(AmazonNotification)).all()
    assert (row.kind, row.received_at, row.parse_error) == ("buyer_message", at(2), None)
    [warning] = [r for r in caplog.records if "no Date or Received time" in r.getMessage()]
    assert warning.levelname == "WARNING"
    assert unique in warning.getMessage() and "maildir:" in warning.getMessage()


def test_the_cursor_names_the_mailbox_without_its_password() -> None:
    name = cursor_name("imaps://copy:s3cret@imap.example.com:993/Amazon")

    assert name == "amazon-notifications:imaps://copy@imap.example.com:993/Amazon"


def test_a_large_read_parsed_in_worker_processes_gives_the_same_rows() -> None:
    messages = [
        FetchedMessage(
            source_id=f"maildir:{n}",
            raw=AmazonMailbox.notification(
                alias=f"buyer{n:04d}xyzabc", order=f"112-0000000-{n:07d}", at=at(0, n)
            )[1],
        )
        for n in range(notifications.PARALLEL_FROM + 50)
    ]

    in_workers = notifications._parse_all(messages, at(9))
    here = [notifications._row(message, at(9)) for message in messages]

    assert in_workers == here
    assert {row["order_ids"][0] for row in in_workers} == {
        f"112-0000000-{n:07d}" for n in range(notifications.PARALLEL_FROM + 50)
    }


def test_a_large_mailbox_is_read_a_limited_number_at_a_time(
    store_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifications, "FETCH_LIMIT", 2)
    box = mailbox.Maildir(tmp_path / "amazon", create=True)
    for n in range(5):
        alias = f"buyer{n:04d}xyzabc"
        box.add(AmazonMailbox.notification(alias=alias, order="112-0000000-0000001", at=at(n))[1])
    url = f"maildir:{tmp_path / 'amazon'}"
    reads: list[int] = []
    source = open_source(url)
    fetch = source.fetch_new

    def counted(cursor: str | None, limit: int | None = None) -> tuple[list[Any], str]:
        messages, new_cursor = fetch(cursor, limit)
        reads.append(len(messages))
        return messages, new_cursor

    monkeypatch.setattr(source, "fetch_new", counted)

    result = ingest_notifications(store_session, source, cursor=cursor_name(url), now=at(9))

    assert reads == [2, 2, 1]
    assert (result.fetched, result.stored) == (5, 5)
    assert len(store_session.scalars(select(AmazonNotification)).all()) == 5


def test_a_read_that_fails_after_another_keeps_what_was_read_before(
    store_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifications, "FETCH_LIMIT", 2)
    box = mailbox.Maildir(tmp_path / "amazon", create=True)
    for n in range(5):
        alias = f"buyer{n:04d}xyzabc"
        box.add(AmazonMailbox.notification(alias=alias, order="112-0000000-0000001", at=at(n))[1])
    url = f"maildir:{tmp_path / 'amazon'}"
    source = open_source(url)
    fetch = source.fetch_new
    reads: list[int] = []

    def failing_second_read(cursor: str | None, limit: int | None = None) -> tuple[Any, str]:
        reads.append(1)
        if len(reads) == 2:
            raise NotificationSourceError("the connection dropped")
        return fetch(cursor, limit)

    monkeypatch.setattr(source, "fetch_new", failing_second_read)

    with pytest.raises(NotificationSourceError, match="dropped"):
        ingest_notifications(store_session, source, cursor=cursor_name(url), now=at(9))
    monkeypatch.setattr(source, "fetch_new", fetch)
    again = ingest_notifications(store_session, source, cursor=cursor_name(url), now=at(10))

    assert (again.fetched, again.stored) == (3, 3)  # the first two were stored before the failure
    assert len(store_session.scalars(select(AmazonNotification)).all()) == 5

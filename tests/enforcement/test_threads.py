"""Thread views: state (draft, Send Later), attachments, author, agent replies, timestamps."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from helpscout_app.enforcement.threads import (
    ThreadAuthor,
    ThreadState,
    attachment_names,
    is_agent_reply,
    parse_timestamp,
    scheduled_for,
    thread_author,
    thread_body,
    thread_state,
)

LoadFixture = Callable[[str], bytes]


def test_the_list_threads_fixture(load_fixture: LoadFixture) -> None:
    threads = json.loads(load_fixture("helpscout/api/list_threads.json"))["_embedded"]["threads"]
    scheduled, draft, customer, note, reply, _first = threads

    assert [thread_state(t) for t in threads] == [
        ThreadState.SCHEDULED,
        ThreadState.DRAFT,
        ThreadState.PUBLISHED,
        ThreadState.PUBLISHED,
        ThreadState.PUBLISHED,
        ThreadState.PUBLISHED,
    ]
    assert scheduled_for(scheduled) == datetime(2026, 11, 20, 13, 20, tzinfo=UTC)
    assert scheduled_for(draft) is None
    assert attachment_names(scheduled) == ["kettle-manual.pdf"]
    assert attachment_names(draft) == []
    assert thread_author(draft) == ThreadAuthor(kind="user", user_id=531207, name="Lee Agent")
    assert thread_author(customer) == ThreadAuthor(
        kind="customer", user_id=None, name="Jordan Example"
    )
    assert [is_agent_reply(t) for t in (scheduled, draft, customer, note, reply)] == [
        True,
        True,
        False,
        False,
        True,
    ]
    assert thread_body(draft).startswith("<div>Hi Jordan, yes it does.")


@pytest.mark.parametrize(
    ("thread", "expected"),
    [
        ({"state": "underReview"}, ThreadState.UNDER_REVIEW),
        ({"state": "hidden"}, ThreadState.HIDDEN),
        ({"state": "draft", "scheduled": {"scheduledFor": None}}, ThreadState.DRAFT),
        ({"state": "something-new"}, ThreadState.UNKNOWN),
        ({}, ThreadState.UNKNOWN),
    ],
)
def test_state(thread: dict, expected: ThreadState) -> None:
    assert thread_state(thread) == expected


@pytest.mark.parametrize(
    ("thread", "expected"),
    [
        ({"type": "reply", "createdBy": {"type": "user"}}, True),
        ({"type": "message"}, True),
        ({"type": "message", "createdBy": {"type": "customer"}}, False),
        ({"type": "forwardparent", "createdBy": {"type": "user"}}, False),
        ({"type": "lineitem"}, False),
    ],
)
def test_agent_reply(thread: dict, expected: bool) -> None:
    assert is_agent_reply(thread) is expected


def test_author_falls_back_to_the_email_and_tolerates_junk() -> None:
    assert thread_author({"createdBy": {"id": 5, "type": "user", "email": "a@b.example"}}) == (
        ThreadAuthor(kind="user", user_id=5, name="a@b.example")
    )
    assert thread_author({"createdBy": "nobody"}) == ThreadAuthor(None, None, None)


def test_attachments_tolerate_junk() -> None:
    thread = {"_embedded": {"attachments": [{"filename": "a.pdf"}, {"filename": " "}, "x", {}]}}

    assert attachment_names(thread) == ["a.pdf"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T10:02:41Z", datetime(2026, 11, 20, 10, 2, 41, tzinfo=UTC)),
        ("2026-11-20T11:02:41+01:00", datetime(2026, 11, 20, 10, 2, 41, tzinfo=UTC)),
        ("2026-11-20T10:02:41", datetime(2026, 11, 20, 10, 2, 41, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
        (1732096961, None),
    ],
)
def test_timestamps(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected
